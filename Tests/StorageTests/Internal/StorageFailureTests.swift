// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import SQLite
import Testing

@testable import Storage

@Suite("StorageFailure")
struct StorageFailureTests {
    /// SQLite's extended result codes (sqlite3.h), with the kind each must become.
    static let kinds: [(code: Int32, message: String, kind: DomainError.Kind)] = [
        (2067, "UNIQUE constraint failed: accounts.id", .alreadyExists),  // SQLITE_CONSTRAINT_UNIQUE
        (1555, "UNIQUE constraint failed: item_sequences.product_id", .alreadyExists),  // SQLITE_CONSTRAINT_PRIMARYKEY
        (5, "database is locked", .unavailable),  // SQLITE_BUSY
        (517, "database is locked", .unavailable),  // SQLITE_BUSY_SNAPSHOT
        (261, "database is locked", .unavailable),  // SQLITE_BUSY_RECOVERY
        (6, "database table is locked", .unavailable),  // SQLITE_LOCKED
        (13, "database or disk is full", .resourceExhausted),  // SQLITE_FULL
        (787, "FOREIGN KEY constraint failed", .internalFailure),  // SQLITE_CONSTRAINT_FOREIGNKEY
        (275, "CHECK constraint failed: role IN ('vendor')", .internalFailure),  // SQLITE_CONSTRAINT_CHECK
        (1299, "NOT NULL constraint failed: accounts.name", .internalFailure),  // SQLITE_CONSTRAINT_NOTNULL
        (11, "database disk image is malformed", .internalFailure),  // SQLITE_CORRUPT
        (26, "file is not a database", .internalFailure),  // SQLITE_NOTADB
        (10, "disk I/O error", .internalFailure),  // SQLITE_IOERR
        (8, "attempt to write a readonly database", .internalFailure),  // SQLITE_READONLY
        (1, "no such table: acounts", .internalFailure),  // SQLITE_ERROR
    ]

    @Test(
        "each SQLite failure becomes one kind of domain error, with SQLite's text only in the cause", arguments: kinds)
    func mapping(code: Int32, message: String, kind: DomainError.Kind) {
        let sqlite = SQLiteError(resultCode: code, message: message)
        let error = StorageFailure.domainError(sqlite)
        #expect(error.kind == kind)
        #expect(error.cause == sqlite.description)
        #expect(!error.message.contains(message))
        for word in ["SQL", "constraint", "accounts", "table", "database is locked"] {
            #expect(!error.message.contains(word), "\(error.message)")
        }
        #expect(StorageFailure.mapped(sqlite) as? DomainError == error)
    }

    @Test("a duplicate names the object when it can, and the broken rule when it knows it")
    func duplicateMessages() {
        let sqlite = SQLiteError(resultCode: 2067, message: "UNIQUE constraint failed: items.product_id, items.mpn")
        #expect(StorageFailure.domainError(sqlite).message == "the object already exists")
        #expect(StorageFailure.domainError(sqlite, noun: "item").message == "this item already exists")
        #expect(
            StorageFailure.domainError(sqlite, noun: "item", id: "PRD-000-000-001-0001").message
                == "item PRD-000-000-001-0001 already exists")
        let rules = [
            StorageFailure.Uniqueness(
                columns: "items.product_id, items.name", message: "name taken already exists", field: "name"),
            StorageFailure.Uniqueness(
                columns: "items.product_id, items.mpn", message: "MPN taken already exists", field: "mpn"),
            StorageFailure.Uniqueness(columns: "items.mpn", message: "wrong rule", field: nil),
        ]
        let error = StorageFailure.domainError(sqlite, noun: "item", id: "PRD-000-000-001-0001", uniqueness: rules)
        #expect(error.message == "MPN taken already exists")
        #expect(error.violations == [FieldViolation(field: "mpn", description: "MPN taken already exists")])
        #expect(error.cause == sqlite.description)
    }

    @Test("errors that are not SQLite's pass through unchanged")
    func passThrough() {
        let refusal = DomainError.wrongState("listing LST-000-000-001 is declined")
        #expect(StorageFailure.mapped(refusal) as? DomainError == refusal)
        #expect(StorageFailure.mapped(TestFailure(reason: "mine")) as? TestFailure == TestFailure(reason: "mine"))
    }

    @Test(
        "constraint columns are read only from a UNIQUE failure",
        arguments: [
            ("UNIQUE constraint failed: a.b, a.c", "a.b, a.c"),
            ("UNIQUE constraint failed: ", ""),
            ("FOREIGN KEY constraint failed", nil),
            ("unique constraint failed: a.b", nil),
        ] as [(String, String?)])
    func constraintColumns(message: String, columns: String?) {
        #expect(StorageFailure.constraintColumns(message).map(String.init) == columns)
    }
}
