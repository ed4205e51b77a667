// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

/// A prepared statement the caller keeps and runs many times, binding each parameter directly:
/// for bulk writes, where `run(_:_:)`'s per-call cost (a statement-cache lookup keyed by the SQL
/// text, an array of `SQLiteValue`s) is larger than SQLite's own work for a small row.
///
/// Bind every parameter (1-based, as SQLite numbers them), then `execute()`; the values bound
/// stay until rebound, so parameters that never change may be bound once. Text is copied by
/// SQLite as it is bound, so the caller may reuse its buffers at once.
///
/// Not `Sendable`, like its connection: it is made inside a closure that borrows the connection
/// and must not leave it. Finalized in deinit; `sqlite3_close_v2` keeps the handle alive until its
/// last statement is finalized, so even a statement that did outlive the closure would be safe.
public final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The connection's handle, for error messages.
    private let connection: OpaquePointer

    fileprivate init(takingOwnership handle: OpaquePointer, connection: OpaquePointer) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// How many parameters the statement has.
    public var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    public func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// An integer, or NULL when `value` is nil.
    public func bind(_ index: Int32, _ value: Int64?) throws {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    /// Text, or NULL when `value` is nil.
    public func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try bindNull(index) }
        try value.withUTF8 { try bind(index, utf8: $0) }
    }

    /// Text from UTF-8 bytes, copied by SQLite before this returns.
    public func bind(_ index: Int32, utf8 bytes: UnsafeBufferPointer<UInt8>) throws {
        // A NULL pointer would bind NULL, so empty text gets a real (empty) C string.
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return try check(sqlite3_bind_text64(handle, index, "", 0, csqlite_transient(), UInt8(SQLITE_UTF8)))
        }
        try base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            try check(
                sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8)))
        }
    }

    /// Text from UTF-8 bytes that SQLite reads in place, without a copy (`SQLITE_STATIC`).
    ///
    /// The bytes must stay valid and unchanged until the statement has run (`execute`) and every
    /// such parameter has been bound anew or `clearBindings` was called: for a row's values laid
    /// out in one buffer that outlives the run.
    public func bind(_ index: Int32, borrowedUTF8 bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return try check(sqlite3_bind_text64(handle, index, "", 0, csqlite_static(), UInt8(SQLITE_UTF8)))
        }
        try base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            try check(sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count), csqlite_static(), UInt8(SQLITE_UTF8)))
        }
    }

    /// Sets every parameter to NULL, so no binding refers to bytes that are gone.
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    /// Runs the statement to its end with the values bound now, then resets it (keeping the
    /// bindings) for the next run. Returns how many rows it changed.
    @discardableResult
    public func execute() throws -> Int {
        var result = sqlite3_step(handle)
        while result == SQLITE_ROW { result = sqlite3_step(handle) }
        sqlite3_reset(handle)
        guard result == SQLITE_DONE else { throw SQLiteError(resultCode: result, connection: connection) }
        return Int(sqlite3_changes64(connection))
    }

    private func check(_ result: Int32) throws {
        guard result == SQLITE_OK else { throw SQLiteError(resultCode: result, connection: connection) }
    }
}

extension SQLiteConnection {
    /// Prepares one statement for repeated runs (see `SQLiteStatement`), outside the statement
    /// cache: the caller owns it for as long as it keeps it.
    ///
    /// - Throws: `SQLiteError` for SQL that does not compile, `invalidStatement` for empty SQL or
    ///   more than one statement.
    public func prepareStatement(_ sql: String) throws -> SQLiteStatement {
        try sql.withCString { text in
            var prepared: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(handle, text, -1, 0, &prepared, &tail)
            guard result == SQLITE_OK else {
                sqlite3_finalize(prepared)
                throw SQLiteError(resultCode: result, connection: handle)
            }
            guard let prepared else {
                throw SQLiteError(code: .invalidStatement, resultCode: SQLITE_MISUSE, message: "the SQL holds no statement")
            }
            let statement = SQLiteStatement(takingOwnership: prepared, connection: handle)
            if let tail, !SQLText.isBlank(tail) {
                throw SQLiteError(
                    code: .invalidStatement, resultCode: SQLITE_MISUSE,
                    message: "the SQL holds more than one statement; run scripts with execute")
            }
            return statement
        }
    }
}
