// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Glibc
import SQLite
import Storage
import Testing

@Suite("Schema")
struct SchemaTests {
    /// The tables of a file, without SQLite's own.
    private static func tables(_ connection: SQLiteConnection) throws -> Set<String> {
        Set(
            try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
                try $0.text(0)
            })
    }

    /// Every schema object's SQL, to compare a schema before and after reopening.
    private static func schemaSQL(_ connection: SQLiteConnection) throws -> [String] {
        try connection.query("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name")
        {
            try $0.text(0)
        }
    }

    private static func userVersion(_ connection: SQLiteConnection) throws -> Int64 {
        try #require(try connection.queryOne("PRAGMA user_version") { try $0.int64(0) })
    }

    @Test("an empty file gets every table and the newest schema version")
    func migrateEmptyFile() async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            let store = try await SQLiteDataStore(path: path)
            await store.close()
            let connection = try SQLiteConnection(path: path, mode: .readOnly)
            #expect(try Self.tables(connection) == Set(Schema.tables))
            #expect(try Self.userVersion(connection) == Int64(Schema.version))
            #expect(Schema.version == Schema.migrations.count)
        }
    }

    @Test("reopening an up-to-date file changes nothing and keeps the data")
    func reopenIsNoOp() async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            let first = try await SQLiteDataStore(path: path)
            try await first.write { try World.insert(into: $0) }
            await first.close()
            let before = try Self.schemaSQL(try SQLiteConnection(path: path, mode: .readOnly))

            let second = try await SQLiteDataStore(path: path)
            let subscription = try await second.read { try $0.subscription(id: World.subscription.id) }
            await second.close()
            #expect(subscription == World.subscription)
            let connection = try SQLiteConnection(path: path, mode: .readOnly)
            #expect(try Self.schemaSQL(connection) == before)
            #expect(try Self.userVersion(connection) == Int64(Schema.version))
        }
    }

    @Test("migration 7 rebuilds the events table: earlier events stay, credential events are accepted")
    func credentialEventsMigration() async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            do {
                let database = try await SQLiteDatabase(path: path)
                _ = try await database.migrate(Schema.migrations.filter { $0.version <= 6 })
                try await database.write { connection in
                    try connection.execute(
                        "INSERT INTO events VALUES (7, 'product', 'PRD-1', '', 'created', '', 'VA-1', 1);"
                            + "INSERT INTO event_audience VALUES ('VA-1', 7);")
                }
                await database.close()
            }
            let store = try await SQLiteDataStore(path: path)
            await store.close()
            let connection = try SQLiteConnection(path: path)
            #expect(try Self.userVersion(connection) == Int64(Schema.version))
            let kept = try connection.query("SELECT position, object_type, object_id FROM events") {
                "\(try $0.int64(0)) \(try $0.text(1)) \(try $0.text(2))"
            }
            #expect(kept == ["7 product PRD-1"])
            try connection.execute("INSERT INTO events VALUES (8, 'api_key', 'KEY-1', '', 'active', '', 'operator', 2)")
            try connection.execute(
                "INSERT INTO events VALUES (9, 'service_identity', 'SI-1', '', 'active', '', 'PA-1', 3)")
            #expect(throws: SQLiteError.self) {
                try connection.execute("INSERT INTO events VALUES (10, 'nonsense', 'X', '', 'a', '', 'b', 4)")
            }
            #expect(try connection.query("SELECT name FROM sqlite_schema WHERE name = 'events_object'") { try $0.text(0) }
                == ["events_object"])
        }
    }

    @Test("a file written by a newer program is refused, not touched")
    func newerFileRefused() async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            do {
                let connection = try SQLiteConnection(path: path)
                try connection.execute("CREATE TABLE future (x INTEGER); PRAGMA user_version = \(Schema.version + 1)")
            }
            let error = await expectDomainError(.internalFailure) { _ = try await SQLiteDataStore(path: path) }
            #expect(error?.message == "internal error")
            let connection = try SQLiteConnection(path: path, mode: .readOnly)
            #expect(try Self.tables(connection) == ["future"])
        }
    }

    @Test("a file that is not a database is refused")
    func notADatabase() async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            let file = try #require(fopen(path, "w"))
            fputs(String(repeating: "not a database ", count: 100), file)
            fclose(file)
            await expectDomainError(.internalFailure) { _ = try await SQLiteDataStore(path: path) }
        }
    }

    /// Every column a domain filter or lookup selects on, with the table it belongs to.
    static let filteredColumns: [(table: String, column: String)] = [
        ("accounts", "id"), ("accounts", "role"),
        ("api_keys", "id"), ("api_keys", "account_id"),
        ("products", "id"), ("products", "vendor_id"),
        ("items", "id"), ("items", "product_id"), ("item_sequences", "product_id"),
        ("units", "vendor_id"),
        ("marketplaces", "id"), ("marketplaces", "distributor_id"),
        ("contracts", "id"), ("contracts", "vendor_id"), ("contracts", "distributor_id"),
        ("contracts", "marketplace_id"), ("contracts", "status"), ("contract_history", "contract_id"),
        ("listings", "id"), ("listings", "vendor_id"), ("listings", "distributor_id"), ("listings", "product_id"),
        ("listings", "contract_id"), ("listings", "marketplace_id"), ("listings", "status"),
        ("listing_history", "listing_id"),
        ("resellers", "id"), ("resellers", "distributor_id"), ("resellers", "parent_id"),
        ("customers", "id"), ("customers", "distributor_id"), ("customers", "reseller_id"),
        ("subscriptions", "id"), ("subscriptions", "vendor_id"), ("subscriptions", "distributor_id"),
        ("subscriptions", "product_id"), ("subscriptions", "customer_id"), ("subscriptions", "tier1_id"),
        ("subscriptions", "tier2_id"), ("subscriptions", "status"), ("subscriptions", "external_id"),
        ("subscription_history", "subscription_id"), ("subscription_parameters", "subscription_id"),
        ("subscription_parameters", "name"),
        ("service_identities", "id"), ("service_identities", "distributor_id"),
        ("service_identities", "subject"), ("service_identities", "sha256_fingerprint"),
    ]

    @Test("every filtered column leads an index", arguments: filteredColumns)
    func filteredColumnIndexed(table: String, column: String) async throws {
        try await withStore { store, directory throws in
            let connection = try SQLiteConnection(path: directory.file("store.sqlite"), mode: .readOnly)
            let indexes = try connection.query("SELECT name FROM pragma_index_list(?)", [.text(table)]) {
                try $0.text(0)
            }
            let leading = try indexes.compactMap { index in
                try connection.queryOne("SELECT name FROM pragma_index_info(?) WHERE seqno = 0", [.text(index)]) {
                    try $0.optionalText(0)
                } ?? nil
            }
            #expect(leading.contains(column), "indexes of \(table) lead with \(leading)")
        }
    }

    /// Rows that break a CHECK, NOT NULL or type rule, each with its table's parents present.
    static let refusedRows: [String] = [
        "INSERT INTO accounts (id, role, name, created_at) VALUES ('VA-999-999', 'operator', 'x', 0)",
        "INSERT INTO accounts (id, role, name, created_at) VALUES ('VA-999-999', 'Vendor', 'x', 0)",
        "INSERT INTO accounts (id, role, name, created_at) VALUES ('VA-999-999', 'vendor', 'x', '2026-01-01')",
        "INSERT INTO accounts (id, role, name, created_at) VALUES ('VA-999-999', 'vendor', NULL, 0)",
        "INSERT INTO api_keys (id, account_id, role, scope, name, secret_hash, created_at) "
            + "VALUES ('KEY-9999-9999', 'operator', 'operator', 'write', 'x', x'00', 0)",
        "INSERT INTO api_keys (id, account_id, role, scope, name, secret_hash, created_at) "
            + "VALUES ('KEY-9999-9999', 'operator', 'operator', 'full', 'x', 'text', 0)",
        "INSERT INTO products (id, vendor_id, name, description, ppu, ppu_schema, dynamic, future, late, predictive, "
            + "reservation_consumption, tier_levels, created_at, updated_at) "
            + "VALUES ('PRD-999-999-999', 'VA-000-001', 'x', '', 2, NULL, 0, 0, 0, 0, 0, 1, 0, 0)",
        "INSERT INTO products (id, vendor_id, name, description, ppu, ppu_schema, dynamic, future, late, predictive, "
            + "reservation_consumption, tier_levels, created_at, updated_at) "
            + "VALUES ('PRD-999-999-999', 'VA-000-001', 'x', '', 1, 'QT', 0, 0, 0, 0, 0, 1, 0, 0)",
        "INSERT INTO products (id, vendor_id, name, description, ppu, ppu_schema, dynamic, future, late, predictive, "
            + "reservation_consumption, tier_levels, created_at, updated_at) "
            + "VALUES ('PRD-999-999-999', 'VA-000-001', 'x', '', 0, NULL, 0, 0, 0, 0, 0, 3, 0, 0)",
        "UPDATE items SET precision = 'decimal(3)'",
        "UPDATE items SET status = 'end_of_sale'",
        "UPDATE items SET type = 'PPU'",
        "UPDATE contracts SET status = 'cancelled'",
        "UPDATE listings SET status = 'approved'",
        "UPDATE resellers SET tier = 3",
        "UPDATE subscriptions SET status = 'paused'",
        "UPDATE subscription_parameters SET reconciliation = 2",
        "UPDATE item_sequences SET last_sequence = 0",
    ]

    @Test("the schema refuses values outside the model", arguments: refusedRows)
    func refusesValuesOutsideModel(sql: String) async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            let store = try await SQLiteDataStore(path: path)
            try await store.write { try World.insert(into: $0) }
            await store.close()
            let connection = try SQLiteConnection(path: path)
            let error = #expect(throws: SQLiteError.self) { try connection.run(sql) }
            #expect(error?.isConstraint == true, "\(error.map(String.init(describing:)) ?? "")")
        }
    }

    @Test("foreign keys hold: an object cannot point at a missing parent")
    func foreignKeys() async throws {
        try await withWorld { store throws in
            var orphan = World.otherProduct
            orphan.id = "PRD-999-999-999"
            orphan.vendorID = "VA-999-999"
            let error = await expectDomainError(.internalFailure) {
                try await store.write { [orphan] in try $0.insert(orphan) }
            }
            #expect(error?.message == "internal error")
            #expect(error?.cause?.contains("FOREIGN KEY") == true)
            let stored = try await store.read { [orphan] in try $0.product(id: orphan.id) }
            #expect(stored == nil)
        }
    }
}
