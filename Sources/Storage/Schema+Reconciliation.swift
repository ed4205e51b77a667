// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// Uploaded reconciliation files and their rows.
    ///
    /// Why these shapes:
    /// - `reconciliations` follows the other object tables (`seq`, `id`, STRICT, enums checked),
    ///   with its counts as columns so a status call never counts rows; indexes serve a
    ///   distributor's list, one file's list and the startup search for `processing` ones.
    /// - `reconciliation_rows` grows by a row per spreadsheet row, so it is keyed by the
    ///   reconciliation's `seq` and the row's number in the file (`WITHOUT ROWID`, one B-tree), which
    ///   is also the order its pages are read in. A partial index holds only failed rows, so
    ///   "failed only" pages skip the successes; the (reconciliation, record id) index finds a record
    ///   named twice in one file. The outcome is a fixed list; a failure's message is kept as the
    ///   row answered it.
    static let version4 = """
        CREATE TABLE reconciliations (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            distributor_id TEXT NOT NULL REFERENCES accounts (id),
            file_id TEXT NOT NULL REFERENCES usage_files (id),
            format TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
            status TEXT NOT NULL
                CHECK (status IN ('processing', 'completed', 'completed_with_errors', 'invalid', 'failed')),
            count_rows INTEGER NOT NULL CHECK (count_rows >= 0),
            count_closed INTEGER NOT NULL CHECK (count_closed >= 0),
            count_unchanged INTEGER NOT NULL CHECK (count_unchanged >= 0),
            count_failed INTEGER NOT NULL CHECK (count_failed >= 0),
            error_detail TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            completed_at INTEGER
        ) STRICT;
        CREATE INDEX reconciliations_distributor ON reconciliations (distributor_id);
        CREATE INDEX reconciliations_file ON reconciliations (file_id);
        CREATE INDEX reconciliations_processing ON reconciliations (status) WHERE status = 'processing';

        CREATE TABLE reconciliation_rows (
            reconciliation_seq INTEGER NOT NULL REFERENCES reconciliations (seq),
            position INTEGER NOT NULL CHECK (position >= 0),
            record_id TEXT NOT NULL,
            external_billing_id TEXT NOT NULL,
            external_billing_note TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('closed', 'unchanged', 'invalid_argument', 'not_found',
                'already_exists', 'failed_precondition')),
            message TEXT NOT NULL,
            PRIMARY KEY (reconciliation_seq, position)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX reconciliation_rows_record ON reconciliation_rows (reconciliation_seq, record_id, position);
        CREATE INDEX reconciliation_rows_failed ON reconciliation_rows (reconciliation_seq, position)
            WHERE outcome NOT IN ('closed', 'unchanged');
        """

    /// The tables `version4` creates, in creation order.
    static let reconciliationTables: [String] = ["reconciliations", "reconciliation_rows"]
}
