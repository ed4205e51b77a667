// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// Usage files, their histories, categories and records.
    ///
    /// Why these shapes:
    /// - `usage_files` follows the other object tables (`seq`, `id`, STRICT, enums checked); its
    ///   external id is unique per vendor, product and contract among files not deleted, as SPEC §3
    ///   says, through a partial unique index that backs up the domain's own check.
    /// - `usage_records` is the one table that grows by a million rows per upload, so it is shaped
    ///   for bulk insert: a plain `INTEGER PRIMARY KEY` (no AUTOINCREMENT bookkeeping), integer
    ///   references to the file and product rows instead of their text ids, and only two indexes:
    ///   (file, position) for reading a file's records in upload order, and (product, record id)
    ///   for the cross-file duplicate check of SPEC §3.2. No foreign key: every record is written by
    ///   the record-set replacement, which has just read its file, and a per-row parent lookup would
    ///   slow every insert. Lists (parameters, the row as uploaded, errors) are one TEXT column each
    ///   in a compact length-prefixed encoding (`UsageEncoding`) rather than child tables.
    /// - Decimals are TEXT in their exact decimal form, never REAL; times INTEGER microseconds;
    ///   period days TEXT `YYYY-MM-DD`, which sorts and compares like the dates.
    static let version2 = """
        CREATE TABLE usage_files (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            vendor_id TEXT NOT NULL REFERENCES accounts (id),
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            product_id TEXT NOT NULL REFERENCES products (id),
            contract_id TEXT NOT NULL REFERENCES contracts (id),
            marketplace_id TEXT NOT NULL REFERENCES marketplaces (id),
            currency TEXT NOT NULL,
            ppu_schema TEXT NOT NULL CHECK (ppu_schema IN ('qt', 'tr', 'pr', 'cr')),
            environment TEXT NOT NULL CHECK (environment IN ('production', 'preview')),
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            note TEXT NOT NULL,
            external_id TEXT,
            period_from TEXT NOT NULL CHECK (period_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            period_to TEXT NOT NULL CHECK (period_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            status TEXT NOT NULL CHECK (status IN ('draft', 'uploading', 'processing', 'invalid', 'ready', 'pending',
                'accepted', 'rejected', 'closed', 'deleted')),
            acceptance_note TEXT NOT NULL,
            rejection_note TEXT NOT NULL,
            error_detail TEXT NOT NULL,
            count_uploaded INTEGER NOT NULL CHECK (count_uploaded >= 0),
            count_valid INTEGER NOT NULL CHECK (count_valid >= 0),
            count_invalid INTEGER NOT NULL CHECK (count_invalid >= 0),
            count_approved INTEGER NOT NULL CHECK (count_approved >= 0),
            count_closed INTEGER NOT NULL CHECK (count_closed >= 0),
            columns TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX usage_files_vendor ON usage_files (vendor_id);
        CREATE INDEX usage_files_distributor ON usage_files (distributor_id);
        CREATE INDEX usage_files_product ON usage_files (product_id);
        CREATE INDEX usage_files_contract ON usage_files (contract_id);
        CREATE INDEX usage_files_marketplace ON usage_files (marketplace_id);
        CREATE INDEX usage_files_status ON usage_files (status);
        CREATE UNIQUE INDEX usage_files_external ON usage_files (vendor_id, product_id, contract_id, external_id)
            WHERE external_id IS NOT NULL AND status != 'deleted';

        CREATE TABLE usage_file_history (
            file_id TEXT NOT NULL REFERENCES usage_files (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0),
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (file_id, position)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE usage_categories (
            file_seq INTEGER NOT NULL REFERENCES usage_files (seq),
            position INTEGER NOT NULL CHECK (position >= 0),
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            PRIMARY KEY (file_seq, position),
            UNIQUE (file_seq, id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE usage_records (
            seq INTEGER PRIMARY KEY,
            file_seq INTEGER NOT NULL,
            product_seq INTEGER NOT NULL,
            position INTEGER NOT NULL,
            record_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('valid', 'invalid', 'approved', 'rejected', 'closed')),
            note TEXT NOT NULL,
            item_id TEXT,
            subscription_id TEXT,
            quantity TEXT,
            amount TEXT,
            tier INTEGER,
            start_at INTEGER,
            end_at INTEGER,
            category_id TEXT,
            asset_recon_id TEXT,
            parameters TEXT NOT NULL,
            raw_values TEXT NOT NULL,
            errors TEXT NOT NULL,
            external_billing_id TEXT,
            external_billing_note TEXT,
            closed_at INTEGER
        ) STRICT;
        CREATE UNIQUE INDEX usage_records_file_position ON usage_records (file_seq, position);
        CREATE INDEX usage_records_product_record ON usage_records (product_seq, record_id);
        """
}
