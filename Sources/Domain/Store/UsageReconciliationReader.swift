// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The reads reconciliation needs beyond `UsageReader`: records by the vendor's `record_id`,
/// which is how a distributor's billing system names them.
public protocol UsageReconciliationReader {
    /// The record of the file whose `record_id` is `recordID`, if any (a file never holds a
    /// record id twice).
    func usageRecord(fileID: String, recordID: String) throws -> UsageRecord?
    /// A closed record of the file whose billing id is not `externalBillingID`, if any: what
    /// makes closing a closed file again with that id a conflict rather than a replay.
    func closedUsageRecord(fileID: String, billedOtherThan externalBillingID: String) throws -> UsageRecord?
}

/// The writes of reconciliation, inside the caller's write transaction.
public protocol UsageReconciliationWriter: UsageReconciliationReader {
    /// Stores a record's status, billing id, note and close time; the record is found by its file
    /// and position, and a missing one is `notFound`.
    func updateReconciliation(of record: UsageRecord) throws
    /// Closes every approved record of the file with one billing id and note at `time` in one
    /// statement, so a million-record file closes without a round trip per record; returns how
    /// many closed.
    @discardableResult
    func closeApprovedUsageRecords(
        fileID: String, externalBillingID: String, note: String, at time: Timestamp
    ) throws -> Int
    /// Closes each approved record among `closes` (named by record id within the file) with its
    /// billing id and note at `time`, in order, and says per close what it did; a record that is
    /// not approved is returned as stored and left alone.
    ///
    /// Why a list: the reconciliation stream closes thousands of records per transaction, and a
    /// store can then find the file once and reuse one prepared statement, where a call per record
    /// would pay several lookups each. The default implementation does just that per record, over
    /// `usageRecord(fileID:recordID:)` and `updateReconciliation(of:)`.
    func closeUsageRecords(
        fileID: String, _ closes: [UsageReconciliationOperations.Close], at time: Timestamp
    ) throws -> [UsageReconciliationOperations.CloseAttempt]
    /// Appends the audit events of many record closes, in order, as `appendEvent` would one by
    /// one: a reconciliation stream closes thousands of records per transaction, and a store can
    /// write their events through prepared statements instead of a lookup per event.
    func appendCloseEvents(_ drafts: [EventDraft]) throws
}

extension UsageReconciliationWriter where Self: EventWriter {
    public func appendCloseEvents(_ drafts: [EventDraft]) throws {
        for draft in drafts { try appendEvent(draft) }
    }
}

extension UsageReconciliationWriter {
    public func closeUsageRecords(
        fileID: String, _ closes: [UsageReconciliationOperations.Close], at time: Timestamp
    ) throws -> [UsageReconciliationOperations.CloseAttempt] {
        try closes.map { close in
            guard var record = try usageRecord(fileID: fileID, recordID: close.recordID) else { return .missing }
            guard record.status == .approved else { return .notApproved(record) }
            record.status = .closed
            record.externalBillingID = close.externalBillingID
            record.externalBillingNote = close.note
            record.closedAt = time
            try updateReconciliation(of: record)
            return .closed
        }
    }
}
