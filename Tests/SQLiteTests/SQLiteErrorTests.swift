// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import SQLite
import Testing

@Suite("SQLiteError")
struct SQLiteErrorTests {
    static let schema = """
        CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, balance INTEGER CHECK (balance >= 0));
        CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id));
        INSERT INTO accounts (id, name, balance) VALUES (1, 'first', 0);
        INSERT INTO orders (id, account_id) VALUES (10, 1);
        """

    struct Violation: Sendable, CustomTestStringConvertible {
        let sql: String
        let unique: Bool
        let foreignKey: Bool
        var testDescription: String { sql }
    }

    static let violations: [Violation] = [
        Violation(sql: "INSERT INTO accounts (id, name) VALUES (2, 'first')", unique: true, foreignKey: false),
        Violation(sql: "INSERT INTO accounts (id, name) VALUES (1, 'second')", unique: true, foreignKey: false),
        Violation(sql: "INSERT INTO orders (id, account_id) VALUES (11, 99)", unique: false, foreignKey: true),
        Violation(sql: "DELETE FROM accounts WHERE id = 1", unique: false, foreignKey: true),
        Violation(sql: "UPDATE orders SET account_id = 5 WHERE id = 10", unique: false, foreignKey: true),
        Violation(sql: "INSERT INTO accounts (id, name) VALUES (3, NULL)", unique: false, foreignKey: false),
        Violation(sql: "INSERT INTO accounts (id, name, balance) VALUES (4, 'x', -1)", unique: false, foreignKey: false),
    ]

    @Test("constraint violations map to their predicates", arguments: violations)
    func constraints(violation: Violation) async throws {
        try await withTemporaryDirectory { directory in
            let connection = try SQLiteConnection(path: directory.file("errors.sqlite"))
            try connection.execute(Self.schema)
            let error = #expect(throws: SQLiteError.self) { try connection.run(violation.sql) }
            #expect(error?.code == .sqlite)
            #expect(error?.isConstraint == true)
            #expect(error?.primaryResultCode == 19)
            #expect(error?.isUniqueConstraint == violation.unique)
            #expect(error?.isForeignKeyConstraint == violation.foreignKey)
            #expect(error?.isBusy == false)
            #expect(error?.message.contains("constraint failed") == true)
        }
    }

    static let resultCodes: [(code: Int32, busy: Bool, locked: Bool, full: Bool, corrupt: Bool, constraint: Bool)] = [
        (5, true, false, false, false, false),  // SQLITE_BUSY
        (517, true, false, false, false, false),  // SQLITE_BUSY_SNAPSHOT
        (6, false, true, false, false, false),  // SQLITE_LOCKED
        (13, false, false, true, false, false),  // SQLITE_FULL
        (11, false, false, false, true, false),  // SQLITE_CORRUPT
        (267, false, false, false, true, false),  // SQLITE_CORRUPT_VTAB
        (26, false, false, false, true, false),  // SQLITE_NOTADB
        (2067, false, false, false, false, true),  // SQLITE_CONSTRAINT_UNIQUE
        (1, false, false, false, false, false),  // SQLITE_ERROR
        (10, false, false, false, false, false),  // SQLITE_IOERR
    ]

    @Test("predicates follow the result code", arguments: resultCodes)
    func predicates(code: Int32, busy: Bool, locked: Bool, full: Bool, corrupt: Bool, constraint: Bool) {
        let error = SQLiteError(resultCode: code, message: "made up")
        #expect(error.code == .sqlite)
        #expect(error.extendedResultCode == code)
        #expect(error.primaryResultCode == code & 0xFF)
        #expect(error.isBusy == busy)
        #expect(error.isLocked == locked)
        #expect(error.isFull == full)
        #expect(error.isCorrupt == corrupt)
        #expect(error.isConstraint == constraint)
        #expect(error.isUniqueConstraint == (code == 2067))
        #expect(!error.isForeignKeyConstraint)
    }

    @Test("a file that is no database is reported as corrupt")
    func notADatabase() async throws {
        try await withTemporaryDirectory { directory in
            try directory.write(Array(repeating: 0x41, count: 4096), to: "garbage.sqlite")
            let error = #expect(throws: SQLiteError.self) {
                try SQLiteConnection(path: directory.file("garbage.sqlite"))
            }
            #expect(error?.isCorrupt == true)
        }
    }

    @Test("description names the code, the message and the result code")
    func description() {
        let error = SQLiteError(resultCode: 2067, message: "UNIQUE constraint failed: accounts.name")
        #expect(error.description.contains("UNIQUE constraint failed: accounts.name"))
        #expect(error.description.contains("2067"))
        #expect(error.description.contains("SQLite error"))
    }
}
