// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Resellers' billing marks (`reseller_billing_marks`, schema version 5).
//
// A mark refers to its record by the record's row (`usage_records.seq`), found here from the
// file and position the domain names records by. A record's row changes only when its file's
// record set is replaced, which an accepted or closed file — the only kind whose records can be
// marked — never is, so a mark always points at the record it was put on.

extension StoreReadTransaction {
    func resellerBillingMark(fileID: String, position: Int, resellerID: String) throws -> ResellerBillingMark? {
        guard let file = try fileKeys(fileID) else { return nil }
        return try perform { connection in
            try connection.queryOne(
                "SELECT m.reseller_id, m.external_billing_id, m.external_billing_note, m.billed_at, m.actor "
                    + "FROM usage_records r JOIN reseller_billing_marks m ON m.record_seq = r.seq "
                    + "WHERE r.file_seq = ? AND r.position = ? AND m.reseller_id = ?",
                [.integer(file.seq), .integer(Int64(position)), .text(resellerID)]
            ) { row in
                ResellerBillingMark(
                    resellerID: try row.text(0), externalBillingID: try row.text(1),
                    externalBillingNote: try row.text(2), billedAt: try row.timestamp(3), actor: try row.text(4))
            }
        }
    }
}

extension StoreWriteTransaction {
    func insert(_ mark: ResellerBillingMark, fileID: String, position: Int) throws {
        let noun = "record at position \(position) of usage file"
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound(noun, fileID) }
        let inserted = try run(
            "INSERT INTO reseller_billing_marks (record_seq, reseller_id, external_billing_id, external_billing_note, "
                + "billed_at, actor) SELECT seq, ?, ?, ?, ?, ? FROM usage_records WHERE file_seq = ? AND position = ?",
            [
                .text(mark.resellerID), .text(mark.externalBillingID), .text(mark.externalBillingNote),
                SQLiteValue(mark.billedAt), .text(mark.actor), .integer(file.seq), .integer(Int64(position)),
            ],
            uniqueness: [
                StorageFailure.Uniqueness(
                    columns: "reseller_billing_marks.record_seq, reseller_billing_marks.reseller_id",
                    message: "the \(noun) \(fileID) is already marked billed by reseller \(mark.resellerID)",
                    field: "external_billing_id")
            ])
        if inserted == 0 { throw DomainError.notFound(noun, fileID) }
    }
}
