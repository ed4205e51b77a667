// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

/// A database file with one writer connection and a pool of readers, each on its own thread.
///
/// Why this shape: SQLite in WAL mode lets one writer and any number of readers work at once, but
/// two writers only take turns through `SQLITE_BUSY`. Funnelling every write through one
/// connection on one thread makes writes a queue instead (no BUSY and no lost update inside the
/// process), while readers each see one committed snapshot and never wait for the writer.
/// Every SQLite call blocks, so all of them run on these storage threads; `write` and `read`
/// suspend the calling task and never block its thread.
///
/// Call `close()` when done: it lets queued work finish. Dropping the last reference without it
/// also ends the threads, but has to wait for them on the releasing thread.
public final class SQLiteDatabase: Sendable {
    /// How the database sets up its connections.
    public struct Configuration: Hashable, Sendable {
        /// How many reader connections (and threads) serve `read`; at least 1.
        public var readerCount: Int
        /// How long a connection waits for another process's lock before failing with `isBusy`.
        public var busyTimeout: Duration
        /// How many prepared statements each connection keeps.
        public var statementCacheCapacity: Int

        public init(readerCount: Int = 4, busyTimeout: Duration = .seconds(5), statementCacheCapacity: Int = 64) {
            self.readerCount = readerCount
            self.busyTimeout = busyTimeout
            self.statementCacheCapacity = statementCacheCapacity
        }
    }

    /// The database file.
    public let path: String
    public let configuration: Configuration
    private let writer: StorageExecutor
    private let readers: StorageExecutor
    private let commits = CommitCounter()

    /// Opens the database at `path`, creating the file if needed, and starts its threads.
    ///
    /// The writer opens (and, for a new file, creates) the database and switches it to WAL
    /// before the readers open it read-only.
    ///
    /// - Throws: `SQLiteError` when a connection cannot be opened; no thread is left running.
    public init(path: String, configuration: Configuration = Configuration()) async throws {
        precondition(configuration.readerCount >= 1, "a database needs at least one reader")
        self.path = path
        self.configuration = configuration
        writer = StorageExecutor(threadCount: 1) { _ in
            try SQLiteConnection(
                path: path,
                mode: .create,
                busyTimeout: configuration.busyTimeout,
                statementCacheCapacity: configuration.statementCacheCapacity
            )
        }
        readers = StorageExecutor(threadCount: configuration.readerCount) { _ in
            try SQLiteConnection(
                path: path,
                mode: .readOnly,
                busyTimeout: configuration.busyTimeout,
                statementCacheCapacity: configuration.statementCacheCapacity
            )
        }
        try await writer.start()
        do {
            try await readers.start()
        } catch {
            await writer.shutdown()
            throw error
        }
    }

    deinit {
        readers.shutdownBlocking()
        writer.shutdownBlocking()
    }

    /// Runs `body` on the writer connection inside `BEGIN IMMEDIATE` … `COMMIT`.
    ///
    /// Writes run one at a time in the order they arrive, so a read-modify-write inside `body`
    /// never loses an update. When `body` throws, the transaction is rolled back and its error is
    /// rethrown unchanged. `BEGIN IMMEDIATE` is retried while another process holds the write lock,
    /// up to the busy timeout.
    ///
    /// - Throws: what `body` throws; `SQLiteError` when SQLite fails (`isBusy` once the busy
    ///   timeout has passed) or with `closed` after `close()`.
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.submit { [commits] connection in
            try connection.withWriteTransaction(counting: commits, body)
        }
    }

    /// How many transactions `write` has committed, or nil while one is committing.
    ///
    /// Why: a cache above the database can tag a value with the stamp taken before the `read` that
    /// produced it, and serve it again only while the stamp is still the same, so it never serves
    /// a value that a committed write has changed. Two equal stamps mean that no write of this
    /// database became visible between them. Writes by another process to the same file are not
    /// counted, so such a cache is exact only while this database is the file's only writer.
    public var writeStamp: UInt64? {
        commits.stableValue
    }

    /// Runs `body` on a reader connection inside a read transaction: everything it reads comes
    /// from the last commit before it started, however many writes land meanwhile.
    ///
    /// Readers are opened read-only, so a write inside `body` fails with `SQLITE_READONLY`.
    ///
    /// - Throws: what `body` throws; `SQLiteError` when SQLite fails or with `closed` after
    ///   `close()`.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await readers.submit { connection in
            try connection.withReadTransaction(body)
        }
    }

    /// Finishes the work already queued, then closes every connection and ends the threads.
    ///
    /// Calls made after (or while) closing fail with `SQLiteError` code `closed`. Readers close
    /// first, so the writer, closing last, can checkpoint the WAL into the file and remove it.
    /// Safe to call more than once.
    public func close() async {
        writer.stopAccepting()
        readers.stopAccepting()
        await readers.shutdown()
        await writer.shutdown()
    }

    /// Runs `body` on the writer connection with no transaction around it, for the few statements
    /// that must run outside one (checkpoints).
    func withWriterConnection<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.submit(body)
    }
}
