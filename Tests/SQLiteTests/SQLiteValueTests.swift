// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import SQLite
import Testing

@Suite("SQLiteValue")
struct SQLiteValueTests {
    static let roundTrips: [(value: SQLiteValue, storageClass: String)] = [
        (.null, "null"),
        (.integer(0), "integer"),
        (.integer(-1), "integer"),
        (.integer(Int64.min), "integer"),
        (.integer(Int64.max), "integer"),
        (.real(0), "real"),
        (.real(-1.5), "real"),
        (.real(Double.greatestFiniteMagnitude), "real"),
        (.real(Double.leastNonzeroMagnitude), "real"),
        (.real(-Double.infinity), "real"),
        (.text(""), "text"),
        (.text("plain"), "text"),
        (.text("Grüße, 世界 🎉 e\u{301}"), "text"),
        (.text("nul \u{0} inside"), "text"),
        (.blob([]), "blob"),
        (.blob([0]), "blob"),
        (.blob(Array(0...255)), "blob"),
    ]

    @Test("a bound value comes back unchanged, in its own storage class", arguments: roundTrips)
    func roundTrip(value: SQLiteValue, storageClass: String) async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("values.sqlite"))
            try connection.execute("CREATE TABLE t (v)")
            try connection.run("INSERT INTO t (v) VALUES (?)", [value])
            let stored = try connection.queryOne("SELECT v, typeof(v) FROM t") { row in
                (try row.value(0), try row.text(1))
            }
            #expect(stored?.0 == value)
            #expect(stored?.1 == storageClass)
        }
    }

    @Test("long text and blobs round trip")
    func longValues() async throws {
        let text = String(repeating: "long ✓ ", count: 50_000)
        let blob = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("values.sqlite"))
            try connection.execute("CREATE TABLE t (a TEXT, b BLOB)")
            try connection.run("INSERT INTO t VALUES (?, ?)", [.text(text), .blob(blob)])
            let stored = try connection.queryOne("SELECT a, b FROM t") { row in (try row.text(0), try row.blob(1)) }
            #expect(stored?.0 == text)
            #expect(stored?.1 == blob)
        }
    }

    @Test("typed accessors read what the matching case bound")
    func typedRoundTrip() async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("values.sqlite"))
            try connection.execute("CREATE TABLE t (a INTEGER, b INTEGER, c REAL, d TEXT, e BLOB, f TEXT, g BLOB, h INTEGER)")
            try connection.run(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.integer(.min), .integer(.max), .real(2.5), .text("ünï"), .blob([1, 2]), .text(""), .blob([]), .null]
            )
            let read = try connection.queryOne("SELECT a, b, c, d, e, f, g, h FROM t") { (row: borrowing SQLiteRow) throws -> Bool in
                #expect(try row.int64(0) == .min)
                #expect(try row.int64(1) == .max)
                #expect(try row.double(2) == 2.5)
                #expect(try row.text(3) == "ünï")
                #expect(try row.blob(4) == [1, 2])
                #expect(try row.text(5) == "")
                #expect(try row.blob(6) == [])
                #expect(try row.isNull(7))
                #expect(try row.optionalInt64(7) == nil)
                #expect(try row.optionalText(7) == nil)
                #expect(try row.optionalBlob(7) == nil)
                #expect(try row.optionalDouble(7) == nil)
                #expect(try row.optionalBool(7) == nil)
                #expect(try !row.isNull(5))
                #expect(try !row.isNull(6))
                return true
            }
            #expect(read == true)
        }
    }

    static let conveniences: [(SQLiteValue, SQLiteValue)] = [
        (nil, .null),
        (42, .integer(42)),
        (-7, .integer(-7)),
        (2.5, .real(2.5)),
        ("text", .text("text")),
        (true, .integer(1)),
        (false, .integer(0)),
        (SQLiteValue(Int?.none), .null),
        (SQLiteValue(Int?.some(3)), .integer(3)),
        (SQLiteValue(Int64?.some(.max)), .integer(.max)),
        (SQLiteValue(Bool?.some(true)), .integer(1)),
        (SQLiteValue(Bool?.none), .null),
        (SQLiteValue(Double?.some(1.25)), .real(1.25)),
        (SQLiteValue(String?.some("s")), .text("s")),
        (SQLiteValue(String?.none), .null),
        (SQLiteValue([UInt8]?.some([9])), .blob([9])),
        (SQLiteValue([UInt8]?.none), .null),
    ]

    @Test("literals and optional initializers make the expected case", arguments: conveniences)
    func convenience(made: SQLiteValue, expected: SQLiteValue) {
        #expect(made == expected)
    }
}
