// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

/// The current row of a query, read by column index.
///
/// A row is a view into a statement that moves on to the next row as soon as the closure that
/// received it returns, so it is `~Copyable` and only ever borrowed: it cannot be stored or returned.
/// Typed accessors are strict: `int64` on a NULL, a real or a text column throws `typeMismatch`
/// rather than converting, so a wrong schema or a wrong column index shows up as an error instead
/// of a silent zero. The `optional…` accessors accept NULL.
public struct SQLiteRow: ~Copyable {
    @usableFromInline let statement: OpaquePointer
    /// Read once per row: every accessor checks its index against it.
    public let count: Int

    init(statement: OpaquePointer) {
        self.statement = statement
        count = Int(sqlite3_column_count(statement))
    }

    /// The name of a column, as the query spelled it (or its `AS` alias).
    public func columnName(_ index: Int) throws -> String {
        try check(index)
        return sqlite3_column_name(statement, Int32(index)).map { String(cString: $0) } ?? ""
    }

    /// Whether a column holds NULL.
    public func isNull(_ index: Int) throws -> Bool {
        try check(index)
        return sqlite3_column_type(statement, Int32(index)) == SQLITE_NULL
    }

    /// A column's value, whatever its type.
    public func value(_ index: Int) throws -> SQLiteValue {
        try check(index)
        let column = Int32(index)
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT: return .text(readText(column))
        case SQLITE_BLOB: return .blob(readBlob(column))
        default: return .null
        }
    }

    /// An INTEGER column.
    @inlinable
    public func int64(_ index: Int) throws -> Int64 {
        guard let value = try optionalInt64(index) else { throw mismatch(index, expected: "an integer") }
        return value
    }

    /// An INTEGER column, or nil for NULL. Inlinable, as the other accessors of the column value
    /// object are: a bulk read (an export) calls them for every column of every row.
    @inlinable
    public func optionalInt64(_ index: Int) throws -> Int64? {
        let value = try columnValue(index)
        switch sqlite3_value_type(value) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER: return sqlite3_value_int64(value)
        default: throw mismatch(index, expected: "an integer")
        }
    }

    /// A REAL column; an INTEGER column is converted, since SQLite stores whole reals as integers
    /// in columns without REAL affinity.
    public func double(_ index: Int) throws -> Double {
        try check(index)
        let column = Int32(index)
        switch sqlite3_column_type(statement, column) {
        case SQLITE_FLOAT: return sqlite3_column_double(statement, column)
        case SQLITE_INTEGER: return Double(sqlite3_column_int64(statement, column))
        default: throw mismatch(index, expected: "a real")
        }
    }

    /// A REAL column, or nil for NULL.
    public func optionalDouble(_ index: Int) throws -> Double? {
        try isNull(index) ? nil : try double(index)
    }

    /// A TEXT column, decoded as UTF-8 (invalid bytes become U+FFFD).
    public func text(_ index: Int) throws -> String {
        try require(index, SQLITE_TEXT, "text")
        return readText(Int32(index))
    }

    /// A TEXT column, or nil for NULL.
    public func optionalText(_ index: Int) throws -> String? {
        try isNull(index) ? nil : try text(index)
    }

    /// A BLOB column.
    public func blob(_ index: Int) throws -> [UInt8] {
        try require(index, SQLITE_BLOB, "a blob")
        return readBlob(Int32(index))
    }

    /// A BLOB column, or nil for NULL.
    public func optionalBlob(_ index: Int) throws -> [UInt8]? {
        try isNull(index) ? nil : try blob(index)
    }

    /// A TEXT column's UTF-8 bytes in place, or nil for NULL, without copying them.
    ///
    /// The bytes belong to SQLite and stay valid only until the statement moves on: use them
    /// before the closure that received the row returns, and read the column no other way in
    /// between (another accessor may convert it and free them).
    @inlinable
    public func optionalTextBytes(_ index: Int) throws -> UnsafeRawBufferPointer? {
        let value = try columnValue(index)
        switch sqlite3_value_type(value) {
        case SQLITE_NULL:
            return nil
        case SQLITE_TEXT:
            // A zero-length text may come back as a NULL pointer; it is still "", not NULL.
            let bytes = sqlite3_value_text(value)
            let count = Int(sqlite3_value_bytes(value))
            return UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count)
        default:
            throw mismatch(index, expected: "text")
        }
    }

    /// A TEXT column's UTF-8 bytes in place; see `optionalTextBytes`.
    @inlinable
    public func textBytes(_ index: Int) throws -> UnsafeRawBufferPointer {
        guard let bytes = try optionalTextBytes(index) else { throw mismatch(index, expected: "text") }
        return bytes
    }

    /// An INTEGER column holding 0 or 1; any other value is a mismatch, not "true".
    public func bool(_ index: Int) throws -> Bool {
        switch try int64(index) {
        case 0: return false
        case 1: return true
        default: throw mismatch(index, expected: "a boolean (0 or 1)")
        }
    }

    /// An INTEGER column holding 0 or 1, or nil for NULL.
    public func optionalBool(_ index: Int) throws -> Bool? {
        try isNull(index) ? nil : try bool(index)
    }

    // MARK: Reading

    /// The column's value object: one column call instead of one per question (type, bytes, …),
    /// each of which would look the column up again. SQLite calls such a value "unprotected": it
    /// must not be shared between threads, and it is not — a connection is used by one thread at
    /// a time (`SQLITE_OPEN_NOMUTEX`), and the value is read before the statement moves on.
    @inlinable
    func columnValue(_ index: Int) throws -> OpaquePointer {
        guard index >= 0, index < count else { throw outOfRange(index) }
        guard let value = sqlite3_column_value(statement, Int32(index)) else { throw unreadable(index) }
        return value
    }

    private func check(_ index: Int) throws {
        guard index >= 0, index < count else { throw outOfRange(index) }
    }

    @usableFromInline
    func outOfRange(_ index: Int) -> SQLiteError {
        SQLiteError(
            code: .columnIndexOutOfRange,
            resultCode: SQLITE_RANGE,
            message: "column index \(index) is out of range: the row has \(count) columns"
        )
    }

    @usableFromInline
    func unreadable(_ index: Int) -> SQLiteError {
        SQLiteError(code: .sqlite, resultCode: SQLITE_NOMEM, message: "column \(index) could not be read")
    }

    private func require(_ index: Int, _ type: Int32, _ expected: String) throws {
        try check(index)
        guard sqlite3_column_type(statement, Int32(index)) == type else {
            throw mismatch(index, expected: expected)
        }
    }

    @usableFromInline
    func mismatch(_ index: Int, expected: String) -> SQLiteError {
        let column = Int32(index)
        let name = sqlite3_column_name(statement, column).map { String(cString: $0) } ?? "?"
        let found: String
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: found = "the integer \(sqlite3_column_int64(statement, column))"
        case SQLITE_FLOAT: found = "a real"
        case SQLITE_TEXT: found = "text"
        case SQLITE_BLOB: found = "a blob"
        default: found = "NULL"
        }
        return SQLiteError(
            code: .typeMismatch,
            resultCode: SQLITE_MISMATCH,
            message: "column \(index) (\(name)) holds \(found), expected \(expected)"
        )
    }

    /// Text bytes; `sqlite3_column_bytes` must follow `sqlite3_column_text`, which may convert.
    private func readText(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Blob bytes; a zero-length blob comes back as a NULL pointer.
    private func readBlob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
