// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

/// One SQLite connection: the only owner of its `sqlite3` handle, closed in deinit.
///
/// It is opened in SQLite's multi-thread mode (`SQLITE_OPEN_NOMUTEX`): SQLite takes no lock of its
/// own, so a connection must be used by one thread at a time. That is why it is not `Sendable`.
/// `SQLiteDatabase` keeps each of its connections on one thread and lends it to a closure only
/// while the closure runs; the closure cannot hand it out, because what it returns must be
/// `Sendable`. Every connection runs in WAL mode with `synchronous=FULL`, foreign keys enforced and
/// a busy timeout, and keeps its prepared statements in a bounded cache.
public final class SQLiteConnection {
    /// How a connection opens its file.
    public enum Mode: Hashable, Sendable {
        /// Reads only; writing fails with `SQLITE_READONLY`. The file must exist.
        case readOnly
        /// Reads and writes; the file must exist.
        case readWrite
        /// Reads and writes, creating the file when it does not exist.
        case create
    }

    /// The file this connection opened.
    public let path: String
    /// How long a statement waits for another connection's lock before failing with `isBusy`.
    public let busyTimeout: Duration
    let handle: OpaquePointer
    private var statements: StatementCache

    /// Opens (or creates) a database file and applies the connection settings.
    ///
    /// - Parameters:
    ///   - statementCacheCapacity: how many prepared statements to keep, least recently used
    ///     evicted first; 0 prepares every statement afresh.
    /// - Throws: `SQLiteError` when the file cannot be opened or is not a database, or when a
    ///   writable connection cannot switch the file to WAL mode.
    public init(
        path: String,
        mode: Mode = .create,
        busyTimeout: Duration = .seconds(5),
        statementCacheCapacity: Int = 64
    ) throws {
        _ = SQLiteLibrary.configured
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var opened: OpaquePointer?
        let result = sqlite3_open_v2(path, &opened, flags, nil)
        guard result == SQLITE_OK, let opened else {
            // Even a failed open usually allocates a handle, which holds the message.
            let error = SQLiteError(resultCode: result, connection: opened)
            sqlite3_close_v2(opened)
            throw error
        }
        self.path = path
        self.busyTimeout = busyTimeout
        self.handle = opened
        self.statements = StatementCache(capacity: statementCacheCapacity)

        sqlite3_extended_result_codes(handle, 1)
        setBusyTimeout(busyTimeout)
        // Switching to WAL reads the header, so a file that is no database fails here, not later.
        let journalMode = try queryOne("PRAGMA journal_mode=WAL") { try $0.text(0) }
        if mode != .readOnly, journalMode != "wal", journalMode != "memory" {
            throw SQLiteError(
                code: .sqlite,
                resultCode: SQLITE_ERROR,
                message: "cannot switch \(path) to WAL mode: journal mode is \(journalMode ?? "unknown")"
            )
        }
        try execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    }

    deinit {
        // Finalize every statement first: a handle with live statements would stay half open.
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs a script of any number of statements separated by semicolons, without bindings.
    ///
    /// For schemas and migrations; statements with values go through `run` or `query`, which
    /// bind them instead of splicing them into SQL.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard result == SQLITE_OK else {
            if let message {
                throw SQLiteError(code: .sqlite, resultCode: result, message: String(cString: message))
            }
            throw SQLiteError(resultCode: result, connection: handle)
        }
    }

    /// Runs one statement with its parameter values and returns how many rows it inserted,
    /// updated or deleted.
    ///
    /// - Throws: `SQLiteError` with `bindingCountMismatch` when `bindings` does not have exactly
    ///   one value per parameter, `invalidStatement` for empty SQL or more than one statement.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        try withStatement(sql, bindings) { statement in
            while try statement.step() {}
        }
        return Int(sqlite3_changes64(handle))
    }

    /// Runs one query and maps every row it returns, in order.
    ///
    /// The row is only valid inside `row`; errors thrown there stop the query and surface as
    /// themselves.
    public func query<T>(
        _ sql: String,
        _ bindings: [SQLiteValue] = [],
        row transform: (borrowing SQLiteRow) throws -> T
    ) throws -> [T] {
        try withStatement(sql, bindings) { statement in
            var rows: [T] = []
            while try statement.step() {
                rows.append(try transform(SQLiteRow(statement: statement.handle)))
            }
            return rows
        }
    }

    /// Runs one query and maps its first row, or returns nil when it returns none; further rows
    /// are not read.
    public func queryOne<T>(
        _ sql: String,
        _ bindings: [SQLiteValue] = [],
        row transform: (borrowing SQLiteRow) throws -> T
    ) throws -> T? {
        try withStatement(sql, bindings) { statement in
            guard try statement.step() else { return nil }
            return try transform(SQLiteRow(statement: statement.handle))
        }
    }

    /// The rowid of the last row this connection inserted successfully (0 before any).
    public var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    // MARK: Statements

    /// How many prepared statements the cache keeps now.
    var cachedStatementCount: Int { statements.count }

    func isStatementCached(_ sql: String) -> Bool { statements.contains(sql) }

    /// Whether any statement of this connection is mid-way (stepped but not reset or done).
    var hasActiveStatements: Bool {
        var next = sqlite3_next_stmt(handle, nil)
        while let statement = next {
            if sqlite3_stmt_busy(statement) != 0 { return true }
            next = sqlite3_next_stmt(handle, statement)
        }
        return false
    }

    func setBusyTimeout(_ timeout: Duration) {
        sqlite3_busy_timeout(handle, Int32(clamping: max(0, timeout.wholeMilliseconds)))
    }

    /// Lends `body` a cached (or freshly prepared) statement with `bindings` bound, then resets it
    /// and clears its bindings whatever happens, and puts it back in the cache.
    private func withStatement<R>(
        _ sql: String,
        _ bindings: [SQLiteValue],
        _ body: (Statement) throws -> R
    ) throws -> R {
        let statement: Statement
        if let cached = statements.checkOut(sql) {
            statement = cached
        } else {
            statement = try prepare(sql)
            statement.isInUse = true
        }
        defer {
            statement.reset()
            statements.checkIn(statement)
        }
        try statement.bind(bindings)
        return try body(statement)
    }

    private func prepare(_ sql: String) throws -> Statement {
        try sql.withCString { text in
            var prepared: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, &tail)
            guard result == SQLITE_OK else {
                sqlite3_finalize(prepared)
                throw SQLiteError(resultCode: result, connection: handle)
            }
            guard let prepared else {
                throw SQLiteError(
                    code: .invalidStatement,
                    resultCode: SQLITE_MISUSE,
                    message: "the SQL holds no statement"
                )
            }
            let statement = Statement(takingOwnership: prepared, sql: sql)
            if let tail, !SQLText.isBlank(tail) {
                throw SQLiteError(
                    code: .invalidStatement,
                    resultCode: SQLITE_MISUSE,
                    message: "the SQL holds more than one statement; run scripts with execute"
                )
            }
            return statement
        }
    }
}
