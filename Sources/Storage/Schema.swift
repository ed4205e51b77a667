// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import SQLite

/// The database schema as numbered migrations, and the names of the tables it creates.
///
/// Why these shapes:
/// - Every object table has `seq INTEGER PRIMARY KEY AUTOINCREMENT` (the rowid) and
///   `id TEXT NOT NULL UNIQUE`. `seq` is the position pages continue after: it grows with every
///   insert and is never reused, even after a delete, so a page boundary never moves.
/// - Tables are `STRICT`: a value of the wrong type is refused instead of converted, so the
///   mapping code and the schema cannot drift apart silently.
/// - Times are INTEGER microseconds since the epoch (exactly `Timestamp`); booleans INTEGER 0/1;
///   enums their Swift raw values, checked against the literal list of cases. The lists are
///   written out rather than generated from the enums, because a released migration must never
///   change; a test proves every case of every enum is accepted, so a new case fails a test until
///   a migration admits it.
/// - Status histories and subscription parameters live in child tables keyed by the owner's id
///   and the entry's position, so they come back exactly, in order, and parameters can be looked
///   up by name, value or reconciliation id through an index.
/// - Uniqueness the domain checks itself is repeated here as a backstop: item name and MPN per
///   product, unit name per vendor, a non-empty external id per distributor, one live contract per
///   vendor and marketplace, one live listing per product and contract, one valid service
///   identity per subject and per fingerprint, one parameter name and one reconciliation
///   parameter per subscription.
public enum Schema {
    /// Every migration, oldest first. Released migrations are never edited; a change is a new one.
    public static let migrations: [SQLiteMigration] = [
        SQLiteMigration(version: 1, name: "catalogue, channel and credentials", sql: version1),
        SQLiteMigration(version: 2, name: "usage files, records and categories", sql: version2),
        SQLiteMigration(version: 3, name: "events", sql: version3),
        SQLiteMigration(version: 4, name: "reconciliation files", sql: version4),
        SQLiteMigration(version: 5, name: "reseller billing marks", sql: version5),
        SQLiteMigration(version: 6, name: "export order of usage files", sql: version6),
        SQLiteMigration(version: 7, name: "credential events", sql: version7),
    ]

    /// The schema version the newest migration leaves (`PRAGMA user_version`).
    public static var version: Int { migrations.map(\.version).max() ?? 0 }

    /// Every table the migrations create, in creation order.
    public static let tables: [String] = [
        "accounts", "api_keys", "products", "item_sequences", "items", "units", "marketplaces", "contracts",
        "contract_history", "listings", "listing_history", "resellers", "customers", "subscriptions",
        "subscription_history", "subscription_parameters", "service_identities", "usage_files", "usage_file_history",
        "usage_categories", "usage_records",
    ] + eventTables + reconciliationTables + resellerBillingTables

    private static let version1 = """
        CREATE TABLE accounts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('vendor', 'distributor')),
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX accounts_role ON accounts (role);

        -- account_id is `operator`, a vendor, a distributor or a reseller: no single parent table.
        CREATE TABLE api_keys (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            account_id TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('operator', 'vendor', 'distributor', 'reseller')),
            scope TEXT NOT NULL CHECK (scope IN ('full', 'read-only')),
            name TEXT NOT NULL,
            secret_hash BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            last_used_at INTEGER,
            revoked_at INTEGER
        ) STRICT;
        CREATE INDEX api_keys_account ON api_keys (account_id);

        CREATE TABLE products (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            ppu INTEGER NOT NULL CHECK (ppu IN (0, 1)),
            ppu_schema TEXT CHECK (ppu_schema IN ('qt', 'tr', 'pr', 'cr')),
            dynamic INTEGER NOT NULL CHECK (dynamic IN (0, 1)),
            future INTEGER NOT NULL CHECK (future IN (0, 1)),
            late INTEGER NOT NULL CHECK (late IN (0, 1)),
            predictive INTEGER NOT NULL CHECK (predictive IN (0, 1)),
            reservation_consumption INTEGER NOT NULL CHECK (reservation_consumption IN (0, 1)),
            tier_levels INTEGER NOT NULL CHECK (tier_levels IN (1, 2)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX products_vendor ON products (vendor_id);

        -- The last item number given out per product; it only grows, so numbers are never reused.
        CREATE TABLE item_sequences (
            product_id TEXT NOT NULL PRIMARY KEY REFERENCES products (id),
            last_sequence INTEGER NOT NULL CHECK (last_sequence >= 1)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE items (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            local_id TEXT NOT NULL UNIQUE,
            product_id TEXT NOT NULL REFERENCES products (id),
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            mpn TEXT NOT NULL,
            description TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('ppu', 'reservation')),
            precision TEXT NOT NULL
                CHECK (precision IN ('integer', 'decimal(1)', 'decimal(2)', 'decimal(4)', 'decimal(8)')),
            unit TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'endofsale')),
            dynamic INTEGER NOT NULL CHECK (dynamic IN (0, 1)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (product_id, name),
            UNIQUE (product_id, mpn)
        ) STRICT;
        CREATE INDEX items_product ON items (product_id);
        CREATE INDEX items_product_status ON items (product_id, status);

        -- A vendor's own units; the built-in ones are not stored.
        CREATE TABLE units (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            UNIQUE (vendor_id, name)
        ) STRICT;
        CREATE INDEX units_vendor ON units (vendor_id);

        CREATE TABLE marketplaces (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            currency TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX marketplaces_distributor ON marketplaces (distributor_id);

        CREATE TABLE contracts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            marketplace_id TEXT NOT NULL REFERENCES marketplaces (id),
            status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'terminated')),
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX contracts_vendor ON contracts (vendor_id);
        CREATE INDEX contracts_distributor ON contracts (distributor_id);
        CREATE INDEX contracts_marketplace ON contracts (marketplace_id);
        CREATE INDEX contracts_status ON contracts (status);
        CREATE UNIQUE INDEX contracts_live ON contracts (vendor_id, distributor_id, marketplace_id)
            WHERE status IN ('pending', 'active');

        CREATE TABLE contract_history (
            contract_id TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0),
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (contract_id, position)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE listings (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            product_id TEXT NOT NULL REFERENCES products (id),
            contract_id TEXT NOT NULL REFERENCES contracts (id),
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            marketplace_id TEXT NOT NULL REFERENCES marketplaces (id),
            status TEXT NOT NULL CHECK (status IN ('pending', 'listed', 'declined', 'unlisted')),
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX listings_vendor ON listings (vendor_id);
        CREATE INDEX listings_distributor ON listings (distributor_id);
        CREATE INDEX listings_product ON listings (product_id);
        CREATE INDEX listings_contract ON listings (contract_id);
        CREATE INDEX listings_marketplace ON listings (marketplace_id);
        CREATE INDEX listings_status ON listings (status);
        CREATE UNIQUE INDEX listings_live ON listings (product_id, contract_id) WHERE status IN ('pending', 'listed');

        CREATE TABLE listing_history (
            listing_id TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0),
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (listing_id, position)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE resellers (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            tier INTEGER NOT NULL CHECK (tier IN (1, 2)),
            parent_id TEXT REFERENCES resellers (id),
            name TEXT NOT NULL,
            allow_tier2 INTEGER NOT NULL CHECK (allow_tier2 IN (0, 1)),
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX resellers_distributor ON resellers (distributor_id);
        CREATE INDEX resellers_distributor_tier ON resellers (distributor_id, tier);
        CREATE INDEX resellers_parent ON resellers (parent_id);

        CREATE TABLE customers (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            reseller_id TEXT REFERENCES resellers (id),
            name TEXT NOT NULL,
            external_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX customers_distributor ON customers (distributor_id);
        CREATE INDEX customers_reseller ON customers (reseller_id);

        CREATE TABLE subscriptions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            product_id TEXT NOT NULL REFERENCES products (id),
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            marketplace_id TEXT NOT NULL REFERENCES marketplaces (id),
            contract_id TEXT NOT NULL REFERENCES contracts (id),
            customer_id TEXT NOT NULL REFERENCES customers (id),
            tier1_id TEXT REFERENCES resellers (id),
            tier2_id TEXT REFERENCES resellers (id),
            external_id TEXT NOT NULL,
            external_uid TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'terminated')),
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX subscriptions_vendor ON subscriptions (vendor_id);
        CREATE INDEX subscriptions_distributor ON subscriptions (distributor_id);
        CREATE INDEX subscriptions_product ON subscriptions (product_id);
        CREATE INDEX subscriptions_customer ON subscriptions (customer_id);
        CREATE INDEX subscriptions_tier1 ON subscriptions (tier1_id);
        CREATE INDEX subscriptions_tier2 ON subscriptions (tier2_id);
        CREATE INDEX subscriptions_status ON subscriptions (status);
        CREATE INDEX subscriptions_external ON subscriptions (external_id);
        CREATE UNIQUE INDEX subscriptions_distributor_external ON subscriptions (distributor_id, external_id)
            WHERE external_id != '';

        CREATE TABLE subscription_history (
            subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0),
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (subscription_id, position)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE subscription_parameters (
            subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0),
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            reconciliation INTEGER NOT NULL CHECK (reconciliation IN (0, 1)),
            PRIMARY KEY (subscription_id, position),
            UNIQUE (subscription_id, name)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX subscription_parameters_name_value ON subscription_parameters (name, value);
        CREATE UNIQUE INDEX subscription_parameters_one_reconciliation ON subscription_parameters (subscription_id)
            WHERE reconciliation = 1;
        CREATE INDEX subscription_parameters_reconciliation ON subscription_parameters (value)
            WHERE reconciliation = 1;

        CREATE TABLE service_identities (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            subject TEXT,
            sha256_fingerprint TEXT,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        ) STRICT;
        CREATE INDEX service_identities_distributor ON service_identities (distributor_id);
        CREATE UNIQUE INDEX service_identities_valid_subject ON service_identities (subject)
            WHERE revoked_at IS NULL;
        CREATE UNIQUE INDEX service_identities_valid_fingerprint ON service_identities (sha256_fingerprint)
            WHERE revoked_at IS NULL;
        """
}
