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
    private let cache: ReadCache
    private let eventSignal = EventSignal()

    /// Opens the database at `path`, creating the file if needed, and brings its schema up to
    /// `Schema.version`; opening an up-to-date file changes nothing.
    ///
    /// - Parameters:
    ///   - readers: how many reader connections (and threads) serve `read`; at least 1.
    ///   - cachedReads: how many values `read(cachedAs:)` keeps; 0 keeps none. The cache assumes
    ///     that this store is the only writer of the file (see `read(cachedAs:_:)`).
    /// - Throws: `DomainError` when the file cannot be opened or migrated (`.internalFailure`,
    ///   with SQLite's reason as the cause; also when a newer program wrote the file).
    public init(path: String, readers: Int = 4, cachedReads: Int = 4096) async throws {
        precondition(readers >= 1, "a store needs at least one reader")
        self.path = path
        self.cache = ReadCache(capacity: cachedReads)
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

    /// Runs `body` as `read` does, or returns the value an earlier call with an equal key returned
    /// when no write of this store has committed since that call's read.
    ///
    /// The stamp is taken before the read's snapshot, so a value is never tagged as newer than it
    /// is. Exact because this store is the only writer of its file: every write goes through its one
    /// writer connection, which counts its commits. A second process writing the file (only
    /// `usageflow init --new-operator-key` does, and it writes no catalogue data) would not be seen.
    public func read<Key: Hashable & Sendable, T: Sendable>(
        cachedAs key: Key, _ body: @escaping @Sendable (any StoreReader) throws -> T
    ) async throws -> T {
        guard let stamp = database.writeStamp else { return try await read(body) }
        if let value = cache.value(T.self, for: key, at: stamp) { return value }
        let value = try await read(body)
        cache.keep(value, for: key, at: stamp)
        return value
    }

    /// The count of this store's commits, while none is under way; nil when the store keeps no
    /// cached reads (`cachedReads: 0`), so that caches above it keep nothing either. Exact for the
    /// reason `read(cachedAs:_:)` is: this store is the only writer of its file.
    public var readGeneration: UInt64? {
        cache.capacity > 0 ? database.writeStamp : nil
    }

    /// Runs `body` in a write transaction on the writer thread, committed when it returns and
    /// rolled back when it throws; the closure's own errors come out unchanged.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        do {
            let (value, lastEvent) = try await database.write { connection in
                let transaction = StoreWriteTransaction(connection)
                defer { transaction.end() }
                let value = try body(transaction)
                return (value, transaction.lastEventPosition)
            }
            // Committed: the appended events are visible to every new read now.
            if let lastEvent { eventSignal.committed(upTo: lastEvent) }
            return value
        } catch {
            throw StorageFailure.mapped(error)
        }
    }

    /// Returns when a write of this store that appended an event after `position` has committed,
    /// without polling: the writer's commit wakes the waiters. Exact for the same reason as the
    /// read cache: this store is the only writer of its file.
    public func waitForEvents(after position: Int64) async throws {
        try await eventSignal.wait(after: position)
    }

    /// Ends every wait for events, current and later, with `DomainError.unavailable`.
    public func endEventWaits() {
        eventSignal.end()
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
        eventSignal.close()
        await database.close()
    }
}
