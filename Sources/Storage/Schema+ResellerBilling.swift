// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// Resellers' own billing marks on records.
    ///
    /// Why this shape: a mark belongs to a record and a reseller, and a record can carry one mark
    /// per tier (its tier-1 and its tier-2 reseller bill separately), so the pair is the key. The
    /// distributor's close lives on the record itself and is never touched by a mark. The record is
    /// named by its row (`usage_records.seq`), like every reference into that table, and the
    /// reseller index serves "what did I bill" lists.
    static let version5 = """
        CREATE TABLE reseller_billing_marks (
            record_seq INTEGER NOT NULL,
            reseller_id TEXT NOT NULL REFERENCES resellers (id),
            external_billing_id TEXT NOT NULL,
            external_billing_note TEXT NOT NULL,
            billed_at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            PRIMARY KEY (record_seq, reseller_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX reseller_billing_marks_reseller ON reseller_billing_marks (reseller_id, record_seq);
        """

    /// The tables `version5` creates, in creation order.
    static let resellerBillingTables: [String] = ["reseller_billing_marks"]
}
