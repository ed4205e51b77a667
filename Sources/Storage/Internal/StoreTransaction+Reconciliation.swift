// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Reconciliation: records found by their record id within a file, and their close written.
//
// A record is found through the (product, record id) index, narrowed to the file: a product's
// live files never share a record id, so the index leads to a handful of rows at most. The
// record itself is then read by its position, which keeps one decoder for records.

extension StoreReadTransaction {
    /// The position of a record by product, record id and file. No ORDER BY: a file never holds a
    /// record id twice, and ordering by position would lead SQLite to the (file, position) index
    /// and a scan of the whole file per lookup instead of one probe of (product, record id).
    static let recordPositionSQL =
        "SELECT position FROM usage_records WHERE product_seq = ? AND record_id = ? AND file_seq = ? LIMIT 1"

    func usageRecord(fileID: String, recordID: String) throws -> UsageRecord? {
        guard let file = try fileKeys(fileID) else { return nil }
        let position = try perform { connection in
            try connection.queryOne(
                Self.recordPositionSQL,
                [.integer(file.productSeq), .text(recordID), .integer(file.seq)]
            ) { row in try row.int(0) }
        }
        guard let position else { return nil }
        return try usageRecord(fileID: fileID, position: position)
    }

    func closedUsageRecord(fileID: String, billedOtherThan externalBillingID: String) throws -> UsageRecord? {
        guard let file = try fileKeys(fileID) else { return nil }
        let position = try perform { connection in
            try connection.queryOne(
                "SELECT position FROM usage_records WHERE file_seq = ? AND status = ? "
                    + "AND external_billing_id IS NOT ? ORDER BY position LIMIT 1",
                [.integer(file.seq), SQLiteValue(UsageRecordStatus.closed), .text(externalBillingID)]
            ) { row in try row.int(0) }
        }
        guard let position else { return nil }
        return try usageRecord(fileID: fileID, position: position)
    }
}

extension StoreWriteTransaction {
    /// One UPDATE per close through one prepared statement, the file looked up once: a close that
    /// finds its record approved costs a single indexed update. Only a close that changes nothing
    /// (a replay, a conflict, a record in another state or none) reads the record.
    func closeUsageRecords(
        fileID: String, _ closes: [UsageReconciliationOperations.Close], at time: Timestamp
    ) throws -> [UsageReconciliationOperations.CloseAttempt] {
        guard !closes.isEmpty else { return [] }
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound("usage file", fileID) }
        // Per close: nil when closed now, else the position of the record left alone (-1: none).
        let positions: [Int?] = try perform(noun: "usage record") { connection in
            let update = try connection.prepareStatement(
                "UPDATE usage_records SET status = ?1, external_billing_id = ?2, external_billing_note = ?3, "
                    + "closed_at = ?4 WHERE product_seq = ?5 AND record_id = ?6 AND file_seq = ?7 AND status = ?8")
            try update.bind(1, UsageRecordStatus.closed.rawValue)
            try update.bind(4, time.microsecondsSinceEpoch)
            try update.bind(5, file.productSeq)
            try update.bind(7, file.seq)
            try update.bind(8, UsageRecordStatus.approved.rawValue)
            var positions: [Int?] = []
            positions.reserveCapacity(closes.count)
            for close in closes {
                try update.bind(2, close.externalBillingID)
                try update.bind(3, close.note)
                try update.bind(6, close.recordID)
                if try update.execute() > 0 {
                    positions.append(nil)
                    continue
                }
                let position = try connection.queryOne(
                    Self.recordPositionSQL,
                    [.integer(file.productSeq), .text(close.recordID), .integer(file.seq)]
                ) { row in try row.int(0) }
                positions.append(position ?? -1)
            }
            return positions
        }
        // Records left alone are read whole, through the one record decoder.
        return try positions.map { position in
            guard let position else { return .closed }
            guard position >= 0, let record = try usageRecord(fileID: fileID, position: position) else {
                return .missing
            }
            return .notApproved(record)
        }
    }

    /// The same rows `appendEvent` writes, through two prepared statements for the whole list.
    func appendCloseEvents(_ drafts: [EventDraft]) throws {
        guard !drafts.isEmpty else { return }
        let last: Int64 = try perform { connection in
            let event = try connection.prepareStatement(
                "INSERT INTO events (object_type, object_id, from_status, to_status, reason, actor, at) "
                    + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            let audience = try connection.prepareStatement(
                "INSERT INTO event_audience (tenant_id, position) VALUES (?1, ?2)")
            var position: Int64 = 0
            for draft in drafts {
                try event.bind(1, draft.objectType.rawValue)
                try event.bind(2, draft.objectID)
                try event.bind(3, draft.from)
                try event.bind(4, draft.to)
                try event.bind(5, draft.reason)
                try event.bind(6, draft.actor)
                try event.bind(7, draft.at.microsecondsSinceEpoch)
                try event.execute()
                position = connection.lastInsertRowID
                for tenantID in draft.audience.tenantIDs {
                    try audience.bind(1, tenantID)
                    try audience.bind(2, position)
                    try audience.execute()
                }
            }
            return position
        }
        lastEventPosition = last
    }

    func updateReconciliation(of record: UsageRecord) throws {
        guard let file = try fileKeys(record.fileID) else { throw DomainError.notFound("usage file", record.fileID) }
        let changed = try run(
            "UPDATE usage_records SET status = ?, external_billing_id = ?, external_billing_note = ?, closed_at = ? "
                + "WHERE file_seq = ? AND position = ?",
            [
                SQLiteValue(record.status), SQLiteValue(record.externalBillingID),
                SQLiteValue(record.externalBillingNote), SQLiteValue(record.closedAt), .integer(file.seq),
                .integer(Int64(record.position)),
            ])
        if changed == 0 {
            throw DomainError.notFound("record \(record.recordID) of usage file", record.fileID)
        }
    }

    @discardableResult
    func closeApprovedUsageRecords(
        fileID: String, externalBillingID: String, note: String, at time: Timestamp
    ) throws -> Int {
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound("usage file", fileID) }
        return try run(
            "UPDATE usage_records SET status = ?, external_billing_id = ?, external_billing_note = ?, closed_at = ? "
                + "WHERE file_seq = ? AND status = ?",
            [
                SQLiteValue(UsageRecordStatus.closed), .text(externalBillingID), .text(note), SQLiteValue(time),
                .integer(file.seq), SQLiteValue(UsageRecordStatus.approved),
            ])
    }
}
