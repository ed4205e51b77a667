// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import SQLite
import Testing

@Suite("SQLiteRow")
struct SQLiteRowTests {
    /// One typed accessor, to drive the same checks over all of them.
    enum Accessor: String, CaseIterable, Sendable {
        case int64, optionalInt64, double, optionalDouble, text, optionalText, blob, optionalBlob, bool, optionalBool
        case textBytes, optionalTextBytes

        func read(_ row: borrowing SQLiteRow, _ index: Int) throws -> SQLiteValue {
            switch self {
            case .int64: .integer(try row.int64(index))
            case .optionalInt64: SQLiteValue(try row.optionalInt64(index))
            case .double: .real(try row.double(index))
            case .optionalDouble: SQLiteValue(try row.optionalDouble(index))
            case .text: .text(try row.text(index))
            case .optionalText: SQLiteValue(try row.optionalText(index))
            case .blob: .blob(try row.blob(index))
            case .optionalBlob: SQLiteValue(try row.optionalBlob(index))
            case .bool: SQLiteValue(try row.bool(index))
            case .optionalBool: SQLiteValue(try row.optionalBool(index))
            // The views are read before the row moves on, as their contract asks.
            case .textBytes: .text(String(decoding: try row.textBytes(index), as: UTF8.self))
            case .optionalTextBytes: SQLiteValue(try row.optionalTextBytes(index).map { String(decoding: $0, as: UTF8.self) })
            }
        }
    }

    static let accepted: [(expression: String, accessor: Accessor, expected: SQLiteValue)] = [
        ("7", .int64, .integer(7)),
        ("7", .optionalInt64, .integer(7)),
        ("NULL", .optionalInt64, .null),
        ("1.5", .double, .real(1.5)),
        ("3", .double, .real(3)),
        ("NULL", .optionalDouble, .null),
        ("'x'", .text, .text("x")),
        ("NULL", .optionalText, .null),
        ("x'0102'", .blob, .blob([1, 2])),
        ("NULL", .optionalBlob, .null),
        ("0", .bool, .integer(0)),
        ("1", .bool, .integer(1)),
        ("1", .optionalBool, .integer(1)),
        ("NULL", .optionalBool, .null),
        ("'x'", .textBytes, .text("x")),
        ("''", .textBytes, .text("")),
        ("'ünï'", .optionalTextBytes, .text("ünï")),
        ("''", .optionalTextBytes, .text("")),
        ("NULL", .optionalTextBytes, .null),
    ]

    @Test("accessors read matching columns", arguments: accepted)
    func accepts(expression: String, accessor: Accessor, expected: SQLiteValue) async throws {
        let value = try await read("SELECT \(expression) AS c") { row in try accessor.read(row, 0) }
        #expect(value == expected)
    }

    static let mismatches: [(expression: String, accessor: Accessor)] = [
        ("NULL", .int64),
        ("1.5", .int64),
        ("'1'", .int64),
        ("x'01'", .int64),
        ("1.5", .optionalInt64),
        ("NULL", .double),
        ("'1.5'", .double),
        ("NULL", .text),
        ("1", .text),
        ("x'61'", .text),
        ("2", .optionalText),
        ("NULL", .blob),
        ("'a'", .blob),
        ("1", .optionalBlob),
        ("NULL", .bool),
        ("2", .bool),
        ("-1", .bool),
        ("'true'", .bool),
        ("2", .optionalBool),
        ("NULL", .textBytes),
        ("1", .textBytes),
        ("1.5", .optionalTextBytes),
        ("x'61'", .optionalTextBytes),
    ]

    @Test("accessors refuse other types instead of converting", arguments: mismatches)
    func refuses(expression: String, accessor: Accessor) async throws {
        let error = await #expect(throws: SQLiteError.self) {
            try await read("SELECT \(expression) AS amount") { row in try accessor.read(row, 0) }
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.isConstraint == false)
        #expect(error?.message.contains("amount") == true)
    }

    @Test("a column index outside the row is an error for every accessor", arguments: Accessor.allCases, [-1, 2])
    func outOfRange(accessor: Accessor, index: Int) async throws {
        let error = await #expect(throws: SQLiteError.self) {
            try await read("SELECT 1, 2") { row in try accessor.read(row, index) }
        }
        #expect(error?.code == .columnIndexOutOfRange)
    }

    @Test("count, names and value describe the row")
    func shape() async throws {
        let shape = try await read("SELECT 1 AS one, 'b' AS two, NULL AS three") { row in
            (row.count, try row.columnName(0), try row.columnName(2), try row.value(1), try row.value(2))
        }
        #expect(shape.0 == 3)
        #expect(shape.1 == "one")
        #expect(shape.2 == "three")
        #expect(shape.3 == .text("b"))
        #expect(shape.4 == .null)
        await #expect(throws: SQLiteError.self) {
            try await read("SELECT 1") { row in try row.columnName(1) }
        }
        await #expect(throws: SQLiteError.self) {
            try await read("SELECT 1") { row in try row.isNull(1) }
        }
    }

    private func read<T>(_ sql: String, _ transform: (borrowing SQLiteRow) throws -> T) async throws -> T {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("rows.sqlite"))
            return try #require(try connection.queryOne(sql, row: transform))
        }
    }
}
