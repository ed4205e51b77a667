// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reconciliation (SPEC §4): the distributor of an accepted usage file closes its approved
/// records with the ids its billing system gave them, one record, a list, or the whole file.
///
/// A record is named by its file and the vendor's `record_id` within it: both parties see that
/// pair on every record, a file never holds a record id twice, and a reconciliation spreadsheet
/// of a file lists record ids. Closing is idempotent per billing id (`UsageRecord.close`), and
/// the file follows its records: its counts move from `approved` to `closed`, and once no
/// approved record is left it becomes `closed`, with the distributor and the time in its history.
///
/// Visibility is the review's: only the distributor of a file that it sees (a production file
/// from `pending` on) may close its records; any other file is NOT_FOUND like a missing one.
public struct UsageReconciliationOperations: Sendable {
    /// The most records one `closeRecords` call takes, so one call's transaction stays short.
    public static let maximumRecordsPerCall = 1000

    /// One record to close: the vendor's record id within the file, the billing id and a note.
    public struct Close: Sendable, Hashable {
        public var recordID: String
        /// Required, 1–255 characters.
        public var externalBillingID: String
        /// 0–200 characters.
        public var note: String

        public init(recordID: String, externalBillingID: String, note: String = "") {
            self.recordID = recordID
            self.externalBillingID = externalBillingID
            self.note = note
        }
    }

    /// What became of one record of a `closeRecords` call.
    public struct Outcome: Sendable {
        public var recordID: String
        /// The record as closed (now or before), or why it was not.
        public var result: Result<UsageRecord, DomainError>

        public init(recordID: String, result: Result<UsageRecord, DomainError>) {
            self.recordID = recordID
            self.result = result
        }
    }

    /// The reply of a `closeRecords` call: one outcome per requested record, in order, and the
    /// file after them.
    public struct BulkOutcome: Sendable {
        public var outcomes: [Outcome]
        public var file: UsageFile

        public init(outcomes: [Outcome], file: UsageFile) {
            self.outcomes = outcomes
            self.file = file
        }
    }

    /// What the store did with one close of `closeUsageRecords(fileID:_:at:)`.
    public enum CloseAttempt: Sendable {
        /// The record was approved and is now closed with the close's billing id and note.
        case closed
        /// The record is not approved; it is returned as stored, so the caller can tell a replay
        /// from a conflict or a record in the wrong state.
        case notApproved(UsageRecord)
        /// The file holds no record with this record id.
        case missing
    }

    /// The history reason of a file closed because its last approved record was.
    public static let allRecordsClosedReason = "every approved record is closed"

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    // MARK: Operations

    /// approved → closed for one record of an accepted file of the distributor's.
    ///
    /// The same billing id again returns the record unchanged; another one is ALREADY_EXISTS; a
    /// record in another state is FAILED_PRECONDITION naming it; a record id the file does not
    /// hold is NOT_FOUND.
    public func closeRecord(_ tenant: Tenant, fileID: String, _ close: Close) async throws -> UsageRecord {
        _ = try ChannelOperations.distributorID(tenant, "close usage records")
        var validation = Validation()
        Self.validate(close, prefix: "", into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var file = try Self.closableFile(fileID, visibleTo: tenant, in: tx)
            let before = file
            let record = try Self.close(close, in: &file, at: now, by: tenant.actor, tx: tx)
            if file != before { try tx.update(file) }
            return record
        }
    }

    /// Closes up to `maximumRecordsPerCall` records of one file, each on its own: a record that
    /// cannot be closed gets its error as its outcome and never undoes the others.
    ///
    /// Only what concerns the call as a whole throws: no records or too many, a file the caller
    /// cannot see or that is not accepted, and storage failures (which commit nothing, so nothing
    /// was acknowledged). The records close in one transaction, so the file's counts and status
    /// always agree with its records.
    public func closeRecords(_ tenant: Tenant, fileID: String, _ closes: [Close]) async throws -> BulkOutcome {
        _ = try ChannelOperations.distributorID(tenant, "close usage records")
        if closes.isEmpty {
            throw DomainError.invalid(field: "records", "is required: name at least one record to close")
        }
        if closes.count > Self.maximumRecordsPerCall {
            throw DomainError.invalid(
                field: "records",
                "must hold at most \(Self.maximumRecordsPerCall) records (got \(closes.count)); split the list")
        }
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var file = try Self.closableFile(fileID, visibleTo: tenant, in: tx)
            let before = file
            var outcomes: [Outcome] = []
            outcomes.reserveCapacity(closes.count)
            for (index, close) in closes.enumerated() {
                do {
                    var validation = Validation()
                    Self.validate(close, prefix: "records[\(index)].", into: &validation)
                    try validation.check()
                    let record = try Self.close(close, in: &file, at: now, by: tenant.actor, tx: tx)
                    outcomes.append(Outcome(recordID: close.recordID, result: .success(record)))
                } catch let error as DomainError where Self.isRecordRefusal(error) {
                    outcomes.append(Outcome(recordID: close.recordID, result: .failure(error)))
                }
            }
            if file != before { try tx.update(file) }
            return BulkOutcome(outcomes: outcomes, file: file)
        }
    }

    /// accepted → closed: every approved record of the file closed with one billing id and note;
    /// records closed before keep their own ids.
    ///
    /// On a closed file the same call again succeeds and changes nothing when the file was closed
    /// with this billing id, or every record of it was; otherwise it is ALREADY_EXISTS naming a
    /// record closed with another id.
    public func closeFile(
        _ tenant: Tenant, id: String, externalBillingID: String, note: String
    ) async throws -> UsageFile {
        _ = try ChannelOperations.distributorID(tenant, "close usage files")
        var validation = Validation()
        Self.validate(Close(recordID: "-", externalBillingID: externalBillingID, note: note), prefix: "",
            into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var file = try Self.closableFile(id, visibleTo: tenant, in: tx)
            let reason = Self.fileCloseReason(externalBillingID)
            guard file.status == .accepted else {
                // Closed: a replay of this close, or of closes that all used this id, is a no-op.
                let closing = file.history.last { $0.to == UsageFileStatus.closed.rawValue }
                if closing?.reason == reason { return file }
                if let other = try tx.closedUsageRecord(fileID: file.id, billedOtherThan: externalBillingID) {
                    throw DomainError.alreadyExists(
                        "usage file \(file.id) is already closed; its record \(other.recordID) has "
                            + "external_billing_id \(other.externalBillingID ?? "")",
                        field: "external_billing_id")
                }
                return file
            }
            let closed = try tx.closeApprovedUsageRecords(
                fileID: file.id, externalBillingID: externalBillingID, note: note, at: now)
            file.counts.approved = max(0, file.counts.approved - closed)
            file.counts.closed += closed
            try file.close(at: now, by: tenant.actor, reason: reason)
            try tx.update(file)
            return file
        }
    }

    // MARK: Internals

    /// The history reason of a file closed as a whole: names the billing id, so a replay of the
    /// same close can be told from a conflicting one.
    static func fileCloseReason(_ externalBillingID: String) -> String {
        "closed with external_billing_id \(externalBillingID)"
    }

    /// The file as its distributor sees it, accepted or closed (closed files still answer a
    /// replayed close); FAILED_PRECONDITION naming any other state.
    static func closableFile(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> UsageFile {
        let file = try UsageFileOperations.file(id, visibleTo: tenant, in: tx)
        guard file.status == .accepted || file.status == .closed else {
            throw DomainError.wrongState(
                "usage file \(file.id) is \(file.status.rawValue); only the records of accepted files can be closed")
        }
        return file
    }

    /// Closes one record of `file` and makes the file follow: counts, and `closed` once no
    /// approved record is left. The caller stores the file.
    static func close(
        _ close: Close, in file: inout UsageFile, at now: Timestamp, by actor: String, tx: any StoreWriter
    ) throws -> UsageRecord {
        guard var record = try tx.usageRecord(fileID: file.id, recordID: close.recordID) else {
            throw DomainError.notFound("record \(close.recordID) of usage file", file.id)
        }
        guard try record.close(externalBillingID: close.externalBillingID, note: close.note, at: now) else {
            return record
        }
        try tx.updateReconciliation(of: record)
        try recordClosed(close, of: file, at: now, by: actor, tx: tx)
        file.counts.approved = max(0, file.counts.approved - 1)
        file.counts.closed += 1
        file.updatedAt = now
        if file.counts.approved == 0 && file.status == .accepted {
            try file.close(at: now, by: actor, reason: allRecordsClosedReason)
        }
        return record
    }

    /// Appends the audit event of a record closed now, in the transaction that closes it; replays
    /// and refusals change nothing and record nothing. The record is named `<file id>/<record id>`,
    /// and only the file's distributor sees it.
    static func recordClosed(
        _ close: Close, of file: UsageFile, at now: Timestamp, by actor: String, tx: any StoreWriter
    ) throws {
        try tx.appendEvent(closeEvent(close, fileID: file.id, audience: .usageRecord(of: file), at: now, by: actor))
    }

    /// The audit event of one record closed now.
    static func closeEvent(
        _ close: Close, fileID: String, audience: EventAudience, at now: Timestamp, by actor: String
    ) -> EventDraft {
        EventDraft(
            objectType: .usageRecord, objectID: "\(fileID)/\(close.recordID)",
            from: UsageRecordStatus.approved.rawValue, to: UsageRecordStatus.closed.rawValue, reason: close.note,
            actor: actor, at: now, audience: audience)
    }

    /// Whether `error` concerns one record of a bulk close (its outcome) rather than the call.
    static func isRecordRefusal(_ error: DomainError) -> Bool {
        [.invalidArgument, .notFound, .alreadyExists, .failedPrecondition].contains(error.kind)
    }

    /// The record id is required; the billing id is 1–255 characters, the note 0–200.
    static func validate(_ close: Close, prefix: String, into validation: inout Validation) {
        validation.name(prefix + "record_id", close.recordID, maxLength: Limits.externalIDLength)
        validation.name(prefix + "external_billing_id", close.externalBillingID, maxLength: Limits.externalIDLength)
        validation.text(
            prefix + "external_billing_note", close.note, maxLength: Limits.noteLength, allowNewlines: true)
    }
}
