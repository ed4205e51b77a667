// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

@testable import SQLite
import Testing

@Suite("SQLiteConnection")
struct SQLiteConnectionTests {
    /// Runs `body` with a connection to a new database holding `t (id INTEGER PRIMARY KEY, name TEXT)`.
    private func withConnection<R>(
        statementCacheCapacity: Int = 64,
        _ body: (SQLiteConnection, TemporaryDirectory) throws -> R
    ) async throws -> R {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(
                path: directory.file("connection.sqlite"),
                statementCacheCapacity: statementCacheCapacity
            )
            try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
            return try body(connection, directory)
        }
    }

    static let bindingMismatches: [(sql: String, bindings: [SQLiteValue])] = [
        ("INSERT INTO t (id, name) VALUES (?, ?)", [1]),
        ("INSERT INTO t (id, name) VALUES (?, ?)", [1, "a", "extra"]),
        ("INSERT INTO t (id, name) VALUES (?, ?)", []),
        ("SELECT * FROM t", [1]),
        ("SELECT * FROM t WHERE id = :id", []),
    ]

    @Test("a binding count that does not match the parameters is an error", arguments: bindingMismatches)
    func bindingCountMismatch(sql: String, bindings: [SQLiteValue]) async throws {
        try await withConnection { (connection, _) throws in
            let error = #expect(throws: SQLiteError.self) { try connection.run(sql, bindings) }
            #expect(error?.code == .bindingCountMismatch)
            #expect(try connection.queryOne("SELECT count(*) FROM t") { try $0.int64(0) } == 0)
            #expect(!connection.hasActiveStatements)
        }
    }

    static let invalidStatements = [
        "",
        "   ",
        "-- only a comment",
        "INSERT INTO t (name) VALUES ('a'); INSERT INTO t (name) VALUES ('b')",
        "SELECT 1; SELECT 2",
    ]

    @Test("run and query take exactly one statement", arguments: invalidStatements)
    func oneStatement(sql: String) async throws {
        try await withConnection { (connection, _) throws in
            let error = #expect(throws: SQLiteError.self) { try connection.run(sql) }
            #expect(error?.code == .invalidStatement)
            #expect(try connection.queryOne("SELECT count(*) FROM t") { try $0.int64(0) } == 0)
        }
    }

    static let trailingBlanks = [
        "INSERT INTO t (name) VALUES ('a');",
        "INSERT INTO t (name) VALUES ('a') ;  \n\t;",
        "INSERT INTO t (name) VALUES ('a'); -- trailing comment",
        "INSERT INTO t (name) VALUES ('a') /* block */ ;",
    ]

    @Test("semicolons, blanks and comments after the statement are fine", arguments: trailingBlanks)
    func trailingBlank(sql: String) async throws {
        try await withConnection { (connection, _) throws in
            #expect(try connection.run(sql) == 1)
        }
    }

    @Test("execute runs scripts; a failing script reports SQLite's message")
    func execute() async throws {
        try await withConnection { (connection, _) throws in
            try connection.execute("""
                INSERT INTO t (name) VALUES ('a');
                INSERT INTO t (name) VALUES ('b');
                CREATE TABLE u (x);
                """)
            #expect(try connection.query("SELECT name FROM t ORDER BY id") { try $0.text(0) } == ["a", "b"])
            let error = #expect(throws: SQLiteError.self) { try connection.execute("INSERT INTO nowhere VALUES (1)") }
            #expect(error?.code == .sqlite)
            #expect(error?.message.contains("no such table: nowhere") == true)
            let syntax = #expect(throws: SQLiteError.self) { try connection.run("SELEC 1") }
            #expect(syntax?.message.contains("syntax error") == true)
        }
    }

    @Test("run returns the changed rows and lastInsertRowID the new row")
    func changesAndRowID() async throws {
        try await withConnection { (connection, _) throws in
            #expect(connection.lastInsertRowID == 0)
            #expect(try connection.run("INSERT INTO t (name) VALUES (?)", ["a"]) == 1)
            #expect(connection.lastInsertRowID == 1)
            #expect(try connection.run("INSERT INTO t (id, name) VALUES (?, ?)", [40, "b"]) == 1)
            #expect(connection.lastInsertRowID == 40)
            #expect(try connection.run("UPDATE t SET name = 'c'") == 2)
            #expect(try connection.run("DELETE FROM t WHERE id = ?", [.integer(99)]) == 0)
            #expect(try connection.run("DELETE FROM t") == 2)
        }
    }

    @Test("query maps every row in order; queryOne the first or nil")
    func queries() async throws {
        try await withConnection { (connection, _) throws in
            for name in ["c", "a", "b"] { try connection.run("INSERT INTO t (name) VALUES (?)", [.text(name)]) }
            #expect(try connection.query("SELECT name FROM t ORDER BY name") { try $0.text(0) } == ["a", "b", "c"])
            #expect(try connection.query("SELECT name FROM t WHERE id > ?", [10]) { try $0.text(0) } == [])
            #expect(try connection.queryOne("SELECT name FROM t ORDER BY id") { try $0.text(0) } == "c")
            #expect(try connection.queryOne("SELECT name FROM t WHERE id = ?", [42]) { try $0.text(0) } == nil)
            // queryOne stops after the first row: the statement must not stay mid-way.
            #expect(!connection.hasActiveStatements)
        }
    }

    @Test("an error thrown while mapping rows surfaces as itself and leaves no statement mid-way")
    func mappingError() async throws {
        try await withConnection { (connection, _) throws in
            try connection.run("INSERT INTO t (name) VALUES ('a'), ('b')")
            #expect(throws: TestFailure(reason: "stop")) {
                try connection.query("SELECT name FROM t") { _ in throw TestFailure(reason: "stop") }
            }
            #expect(!connection.hasActiveStatements)
            #expect(try connection.query("SELECT name FROM t") { try $0.text(0) }.count == 2)
        }
    }

    @Test("a nested query with the same SQL gets its own statement")
    func nestedSameSQL() async throws {
        try await withConnection { (connection, _) throws in
            try connection.run("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')")
            let sql = "SELECT id FROM t WHERE id >= ? ORDER BY id"
            let pairs = try connection.query(sql, [1]) { row in
                let id = try row.int64(0)
                let later = try connection.query(sql, [.integer(id)]) { try $0.int64(0) }
                return later.count
            }
            #expect(pairs == [3, 2, 1])
            #expect(!connection.hasActiveStatements)
        }
    }

    @Test("the statement cache stays within its capacity", arguments: [0, 1, 4])
    func cacheBounded(capacity: Int) async throws {
        try await withConnection(statementCacheCapacity: capacity) { (connection, _) throws in
            for id in 0..<20 {
                try connection.run("INSERT INTO t (id, name) VALUES (\(id), ?)", ["n"])
                #expect(connection.cachedStatementCount <= capacity)
            }
            #expect(connection.cachedStatementCount == capacity)
            #expect(try connection.queryOne("SELECT count(*) FROM t") { try $0.int64(0) } == 20)
        }
    }

    @Test("the least recently used statement is evicted first")
    func cacheEvictsLeastRecentlyUsed() async throws {
        try await withConnection(statementCacheCapacity: 2) { (connection, _) throws in
            let (a, b, c) = ("SELECT 1", "SELECT 2", "SELECT 3")
            for sql in [a, b, a, c] { _ = try connection.queryOne(sql) { try $0.int64(0) } }
            #expect(connection.isStatementCached(a))
            #expect(!connection.isStatementCached(b))
            #expect(connection.isStatementCached(c))
            #expect(connection.cachedStatementCount == 2)
        }
    }

    @Test("every connection runs WAL, synchronous FULL and foreign keys")
    func pragmas() async throws {
        try await withConnection { (connection, directory) throws in
            #expect(try connection.queryOne("PRAGMA journal_mode") { try $0.text(0) } == "wal")
            #expect(try connection.queryOne("PRAGMA synchronous") { try $0.int64(0) } == 2)
            #expect(try connection.queryOne("PRAGMA foreign_keys") { try $0.int64(0) } == 1)
            let reader = try SQLiteConnection(path: directory.file("connection.sqlite"), mode: .readOnly)
            #expect(try reader.queryOne("PRAGMA journal_mode") { try $0.text(0) } == "wal")
            #expect(try reader.queryOne("PRAGMA synchronous") { try $0.int64(0) } == 2)
            #expect(try reader.queryOne("PRAGMA foreign_keys") { try $0.int64(0) } == 1)
        }
    }

    @Test("a read-only connection refuses writes")
    func readOnly() async throws {
        try await withConnection { (connection, directory) throws in
            let reader = try SQLiteConnection(path: directory.file("connection.sqlite"), mode: .readOnly)
            let error = #expect(throws: SQLiteError.self) { try reader.run("INSERT INTO t (name) VALUES ('a')") }
            #expect(error?.primaryResultCode == 8)  // SQLITE_READONLY
            #expect(try reader.queryOne("SELECT count(*) FROM t") { try $0.int64(0) } == 0)
        }
    }

    @Test("opening a missing file without create fails", arguments: [SQLiteConnection.Mode.readOnly, .readWrite])
    func missingFile(mode: SQLiteConnection.Mode) async throws {
        try await withTemporaryDirectory { directory in
            let error = #expect(throws: SQLiteError.self) {
                try SQLiteConnection(path: directory.file("missing.sqlite"), mode: mode)
            }
            #expect(error?.primaryResultCode == 14)  // SQLITE_CANTOPEN
            #expect(!directory.exists("missing.sqlite"))
        }
    }
}
