// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import SQLite
import Testing

@Suite("SQLiteMigration")
struct SQLiteMigrationTests {
    static let migrations = [
        SQLiteMigration(version: 1, name: "accounts", sql: "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        SQLiteMigration(version: 2, name: "account names unique", sql: "CREATE UNIQUE INDEX accounts_name ON accounts (name);"),
        SQLiteMigration(
            version: 3,
            name: "orders",
            sql: """
                CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id));
                CREATE INDEX orders_account ON orders (account_id);
                """
        ),
    ]

    private static func userVersion(_ database: SQLiteDatabase) async throws -> Int64? {
        try await database.read { try $0.queryOne("PRAGMA user_version") { try $0.int64(0) } }
    }

    private static func tables(_ database: SQLiteDatabase) async throws -> [String] {
        try await database.read { connection in
            try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { try $0.text(0) }
        }
    }

    @Test("an empty database gets every migration in order; running again does nothing")
    func fromEmpty() async throws {
        try await withDatabase { (database, _) throws in
            #expect(try await database.migrate(Self.migrations) == [1, 2, 3])
            #expect(try await Self.userVersion(database) == 3)
            #expect(try await Self.tables(database) == ["accounts", "orders"])
            #expect(try await database.migrate(Self.migrations) == [])
            #expect(try await Self.userVersion(database) == 3)
            // The schema works as migrated: the unique index from migration 2 is in place.
            let error = await #expect(throws: SQLiteError.self) {
                try await database.write { connection in
                    try connection.run("INSERT INTO accounts (name) VALUES ('a')")
                    try connection.run("INSERT INTO accounts (name) VALUES ('a')")
                }
            }
            #expect(error?.isUniqueConstraint == true)
        }
    }

    @Test("only the missing migrations run, sorted by version")
    func resumes() async throws {
        try await withDatabase { (database, _) throws in
            #expect(try await database.migrate(Array(Self.migrations.prefix(1))) == [1])
            #expect(try await database.migrate(Self.migrations.reversed()) == [2, 3])
            #expect(try await Self.userVersion(database) == 3)
        }
    }

    @Test("a database newer than every known migration is refused and left alone")
    func refusesNewerDatabase() async throws {
        try await withDatabase { (database, _) throws in
            try await database.migrate(Self.migrations)
            try await database.write { try $0.execute("PRAGMA user_version = 7") }
            let error = await #expect(throws: SQLiteError.self) { try await database.migrate(Self.migrations) }
            #expect(error?.code == .databaseTooNew)
            #expect(error?.message.contains("7") == true)
            let none = await #expect(throws: SQLiteError.self) { try await database.migrate([]) }
            #expect(none?.code == .databaseTooNew)
            #expect(try await Self.userVersion(database) == 7)
        }
    }

    @Test("a failing migration rolls back alone, names itself, and can be retried once fixed")
    func failingMigration() async throws {
        try await withDatabase { (database, _) throws in
            let broken = [
                Self.migrations[0],
                SQLiteMigration(
                    version: 2,
                    name: "half broken",
                    sql: "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);"
                ),
            ]
            let error = await #expect(throws: SQLiteError.self) { try await database.migrate(broken) }
            #expect(error?.code == .sqlite)
            #expect(error?.message.contains("migration 2 (half broken)") == true)
            #expect(error?.message.contains("no such table: nowhere") == true)
            #expect(try await Self.userVersion(database) == 1)
            #expect(try await Self.tables(database) == ["accounts"])
            #expect(try await database.migrate(Self.migrations) == [2, 3])
        }
    }

    static let invalidLists: [[SQLiteMigration]] = [
        [SQLiteMigration(version: 0, name: "zero", sql: "CREATE TABLE a (x);")],
        [SQLiteMigration(version: -1, name: "negative", sql: "CREATE TABLE a (x);")],
        [
            SQLiteMigration(version: 1, name: "one", sql: "CREATE TABLE a (x);"),
            SQLiteMigration(version: 1, name: "one again", sql: "CREATE TABLE b (x);"),
        ],
    ]

    @Test("a list with a version below 1 or a repeated version is refused before anything runs", arguments: invalidLists)
    func invalidList(migrations: [SQLiteMigration]) async throws {
        try await withDatabase { (database, _) throws in
            let error = await #expect(throws: SQLiteError.self) { try await database.migrate(migrations) }
            #expect(error?.code == .invalidMigrations)
            #expect(try await Self.userVersion(database) == 0)
            #expect(try await Self.tables(database) == [])
        }
    }
}
