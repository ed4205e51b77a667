// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

/// A database failure: SQLite's result codes and message, or a misuse this module catches itself.
///
/// A struct over a private code enum, so new kinds of failure never break callers. Callers ask the
/// predicates (`isBusy`, `isUniqueConstraint`, …) rather than compare numbers, which keeps the
/// mapping to RPC statuses in one readable place. Failures this module raises itself carry the
/// nearest SQLite result code (`SQLITE_MISUSE` for a closed database, `SQLITE_RANGE` for a binding
/// count mismatch, `SQLITE_MISMATCH` for a column of the wrong type), so every error has one.
/// `message` may quote table, column or constraint names: log it, never send it to a client.
public struct SQLiteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable {
            case sqlite, bindingCountMismatch, typeMismatch, columnIndexOutOfRange, invalidStatement
            case closed, databaseTooNew, invalidMigrations
        }
        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        /// SQLite reported the failure; the result codes and the predicates say which.
        public static let sqlite = Code(.sqlite)
        /// A statement was given more or fewer values than it has parameters.
        public static let bindingCountMismatch = Code(.bindingCountMismatch)
        /// A column read through a typed accessor holds another type (or NULL where none is allowed).
        public static let typeMismatch = Code(.typeMismatch)
        /// A column index outside the row.
        public static let columnIndexOutOfRange = Code(.columnIndexOutOfRange)
        /// SQL that is empty, or holds more than one statement where one is expected
        /// (`run` and `query` take one; `execute` takes scripts).
        public static let invalidStatement = Code(.invalidStatement)
        /// The database was closed; no more work is accepted.
        public static let closed = Code(.closed)
        /// The database's schema version is newer than the newest migration this program knows,
        /// so a newer program wrote it and this one must not touch it.
        public static let databaseTooNew = Code(.databaseTooNew)
        /// The migration list itself is wrong: a version below 1 or the same version twice.
        public static let invalidMigrations = Code(.invalidMigrations)

        public var description: String {
            switch raw {
            case .sqlite: "SQLite error"
            case .bindingCountMismatch: "binding count mismatch"
            case .typeMismatch: "column type mismatch"
            case .columnIndexOutOfRange: "column index out of range"
            case .invalidStatement: "invalid statement"
            case .closed: "database closed"
            case .databaseTooNew: "database newer than this program"
            case .invalidMigrations: "invalid migrations"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The primary result code, e.g. 19 (`SQLITE_CONSTRAINT`): the low byte of the extended one.
    public var primaryResultCode: Int32 { extendedResultCode & 0xFF }
    /// The extended result code, e.g. 2067 (`SQLITE_CONSTRAINT_UNIQUE`).
    public let extendedResultCode: Int32
    /// SQLite's message (`sqlite3_errmsg`), or this module's own, e.g.
    /// "UNIQUE constraint failed: accounts.name".
    public let message: String

    /// An error as SQLite reports it, from its extended result code and message.
    ///
    /// Public so that layers above can test their error mapping (disk full, busy, …) without
    /// provoking the condition for real.
    public init(resultCode: Int32, message: String) {
        self.init(code: .sqlite, resultCode: resultCode, message: message)
    }

    init(code: Code, resultCode: Int32, message: String) {
        self.code = code
        self.extendedResultCode = resultCode
        self.message = message
    }

    public var description: String {
        let name = sqlite3_errstr(extendedResultCode).map { String(cString: $0) } ?? "unknown"
        return "\(code): \(message) (result code \(extendedResultCode), \(name))"
    }

    /// Another connection holds a lock this one needs, even after the busy timeout.
    public var isBusy: Bool { primaryResultCode == SQLITE_BUSY }
    /// A conflict inside this connection's own shared cache or with one of its own statements.
    public var isLocked: Bool { primaryResultCode == SQLITE_LOCKED }
    /// Any constraint failed: unique, foreign key, check, not null, …
    public var isConstraint: Bool { primaryResultCode == SQLITE_CONSTRAINT }
    /// A UNIQUE or PRIMARY KEY constraint failed: the row is a duplicate.
    public var isUniqueConstraint: Bool {
        extendedResultCode == ExtendedCode.constraintUnique || extendedResultCode == ExtendedCode.constraintPrimaryKey
    }
    /// A FOREIGN KEY constraint failed: the row points at nothing, or something still points at it.
    public var isForeignKeyConstraint: Bool { extendedResultCode == ExtendedCode.constraintForeignKey }
    /// The disk (or the file system's quota) is full.
    public var isFull: Bool { primaryResultCode == SQLITE_FULL }
    /// The file is damaged, or is not a database at all.
    public var isCorrupt: Bool { primaryResultCode == SQLITE_CORRUPT || primaryResultCode == SQLITE_NOTADB }
}

/// The extended result codes this module tests for: sqlite3.h builds them with shifts, which
/// Swift does not import.
private enum ExtendedCode {
    static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
}

extension SQLiteError {
    /// The error SQLite last recorded on `connection` for the failed call that returned `resultCode`.
    init(resultCode: Int32, connection: OpaquePointer?) {
        let message = sqlite3_errmsg(connection).map { String(cString: $0) }
            ?? sqlite3_errstr(resultCode).map { String(cString: $0) } ?? "unknown error"
        self.init(code: .sqlite, resultCode: resultCode, message: message)
    }

    static let closed = SQLiteError(code: .closed, resultCode: SQLITE_MISUSE, message: "the database is closed")
}
