// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

/// The domain's `DataStore` in one SQLite file: writes one at a time on the writer thread, reads
/// on a pool of reader threads, each closure inside one transaction.
///
/// Why it looks like this: the domain runs a check and the write that depends on it in one
/// synchronous closure, and `SQLiteDatabase` already runs such closures on its own threads under
/// `BEGIN IMMEDIATE`, one after the other, so no update is lost and no BUSY reaches the domain
/// from inside the process. This type adds the schema, the mapping between rows and the domain's
/// values, and the one boundary where SQLite failures become `DomainError`s.
///
/// Call `close()` when done, so queued work finishes and the WAL is folded back into the file.
public final class SQLiteDataStore: DataStore {
    /// The database file.
    public let path: String
    private let database: SQLiteDatabase

    /// Opens the database at `path`, creating the file if needed, and brings its schema up to
    /// `Schema.version`; opening an up-to-date file changes nothing.
    ///
    /// - Parameter readers: how many reader connections (and threads) serve `read`; at least 1.
    /// - Throws: `DomainError` when the file cannot be opened or migrated (`.internalFailure`,
    ///   with SQLite's reason as the cause; also when a newer program wrote the file).
    public init(path: String, readers: Int = 4) async throws {
        precondition(readers >= 1, "a store needs at least one reader")
        self.path = path
        let database: SQLiteDatabase
        do {
            database = try await SQLiteDatabase(
                path: path, configuration: SQLiteDatabase.Configuration(readerCount: readers))
        } catch {
            throw StorageFailure.mapped(error)
        }
        do {
            try await database.migrate(Schema.migrations)
        } catch {
            await database.close()
            throw StorageFailure.mapped(error)
        }
        self.database = database
    }

    /// Runs `body` in a read transaction on a reader thread: one consistent snapshot, however many
    /// writes commit meanwhile.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T {
        do {
            return try await database.read { connection in
                let transaction = StoreReadTransaction(connection)
                defer { transaction.end() }
                return try body(transaction)
            }
        } catch {
            throw StorageFailure.mapped(error)
        }
    }

    /// Runs `body` in a write transaction on the writer thread, committed when it returns and
    /// rolled back when it throws; the closure's own errors come out unchanged.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        do {
            return try await database.write { connection in
                let transaction = StoreWriteTransaction(connection)
                defer { transaction.end() }
                return try body(transaction)
            }
        } catch {
            throw StorageFailure.mapped(error)
        }
    }

    /// Runs SQLite's integrity check and its foreign key check: empty when the file is sound,
    /// else one line per problem found.
    ///
    /// It reads every page, so it takes time on a large file; it runs on a reader and does not
    /// hold up writes.
    public func integrityCheck() async throws -> [String] {
        do {
            return try await database.read { connection in
                let integrity = try connection.query("PRAGMA integrity_check") { try $0.text(0) }
                let foreignKeys = try connection.query("PRAGMA foreign_key_check") { row in
                    "row \(try row.optionalInt64(1).map(String.init) ?? "?") of \(try row.text(0)) points at a "
                        + "missing row of \(try row.text(2))"
                }
                return integrity.filter { $0 != "ok" } + foreignKeys
            }
        } catch {
            throw StorageFailure.mapped(error)
        }
    }

    /// Finishes the work already queued, then closes the database. Later calls fail with
    /// `DomainError` `.unavailable`. Safe to call more than once.
    public func close() async {
        await database.close()
    }
}
