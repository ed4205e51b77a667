// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

@testable import SQLite
import Testing

@Suite("SQLiteStatement")
struct SQLiteStatementTests {
    private func withConnection<R>(_ body: (SQLiteConnection) throws -> R) async throws -> R {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("statement.sqlite"))
            try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, size INTEGER, note TEXT)")
            return try body(connection)
        }
    }

    @Test("a kept statement runs many times; values stay bound until rebound")
    func runsManyTimes() async throws {
        try await withConnection { connection in
            let insert = try connection.prepareStatement("INSERT INTO t (id, name, size, note) VALUES (?, ?, ?, ?)")
            #expect(insert.parameterCount == 4)
            try insert.bind(4, "same for every row")
            var buffer = Array("bytes: ü, \u{1F600}, \"quoted\", ".utf8)
            for id in Int64(1)...3 {
                try insert.bind(1, id)
                try insert.bind(2, id == 2 ? nil : "row \(id)")
                try insert.bind(3, id == 3 ? nil : id * 10 as Int64?)
                #expect(try insert.execute() == 1)
            }
            buffer += Array("end".utf8)
            try insert.bind(1, 4)
            try buffer.withUnsafeBufferPointer { try insert.bind(2, utf8: $0) }
            try [UInt8]().withUnsafeBufferPointer { try insert.bind(4, utf8: $0) }
            buffer.removeAll()  // SQLite copied the text as it was bound
            try insert.execute()
            let rows = try connection.query("SELECT id, name, size, note FROM t ORDER BY id") { row in
                [try row.optionalText(1) ?? "NULL", try row.optionalInt64(2).map { "\($0)" } ?? "NULL",
                 try row.optionalText(3) ?? "NULL"]
            }
            #expect(rows == [
                ["row 1", "10", "same for every row"], ["NULL", "20", "same for every row"],
                ["row 3", "NULL", "same for every row"], ["bytes: ü, \u{1F600}, \"quoted\", end", "NULL", ""],
            ])
        }
    }

    @Test("text bound in place is read from the caller's bytes at the run; clearing unbinds everything")
    func borrowedText() async throws {
        try await withConnection { connection in
            let insert = try connection.prepareStatement("INSERT INTO t (id, name, size, note) VALUES (?, ?, ?, ?)")
            var row = Array("firstsecond".utf8)
            for (id, range) in [(Int64(1), 0..<5), (2, 5..<11)] {
                try insert.bind(1, id)
                try insert.bind(3, id)
                try row.withUnsafeBufferPointer { bytes in
                    try insert.bind(2, borrowedUTF8: UnsafeBufferPointer(rebasing: bytes[range]))
                    try insert.bind(4, borrowedUTF8: UnsafeBufferPointer(rebasing: bytes[0..<0]))
                    #expect(try insert.execute() == 1)
                }
                // The same buffer holds the next row's values: nothing of this row may be kept.
                row.withUnsafeMutableBufferPointer { bytes in
                    for index in range { bytes[index] = UInt8(ascii: "x") }
                }
            }
            insert.clearBindings()
            try insert.bind(1, 3)
            #expect(try insert.execute() == 1)
            let rows = try connection.query("SELECT id, name, size, note FROM t ORDER BY id") { row in
                [try row.optionalText(1) ?? "NULL", try row.optionalInt64(2).map { "\($0)" } ?? "NULL",
                 try row.optionalText(3) ?? "NULL"]
            }
            #expect(rows == [["first", "1", ""], ["second", "2", ""], ["NULL", "NULL", "NULL"]])
        }
    }

    @Test("a failed run throws SQLite's error and leaves the statement usable")
    func failureKeepsTheStatement() async throws {
        try await withConnection { connection in
            let insert = try connection.prepareStatement("INSERT INTO t (id) VALUES (?)")
            try insert.bind(1, 1)
            try insert.execute()
            let error = #expect(throws: SQLiteError.self) { try insert.execute() }
            #expect(error?.isConstraint == true)
            try insert.bind(1, 2)
            try insert.execute()
            #expect(try connection.queryOne("SELECT count(*) FROM t") { try $0.int64(0) } == 2)
            #expect(!connection.hasActiveStatements)
        }
    }

    @Test("SQL that is not exactly one statement is refused", arguments: ["", "  ", "SELECT 1; SELECT 2"])
    func oneStatementOnly(sql: String) async throws {
        try await withConnection { connection in
            let error = #expect(throws: SQLiteError.self) { try connection.prepareStatement(sql) }
            #expect(error?.code == .invalidStatement)
        }
    }

    @Test("a parameter number outside the statement is an error")
    func parameterOutOfRange() async throws {
        try await withConnection { connection in
            let insert = try connection.prepareStatement("INSERT INTO t (id) VALUES (?)")
            #expect(throws: SQLiteError.self) { try insert.bind(2, 5) }
        }
    }
}
