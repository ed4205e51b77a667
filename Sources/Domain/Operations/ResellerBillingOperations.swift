// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reseller billing (SPEC §4): a reseller marks the accepted usage of its own customers billed
/// with the ids its billing system gave the records, without touching the distributor's status.
///
/// A record is named by its file and the vendor's `record_id`, as in reconciliation. A reseller
/// may mark an approved or closed record of a subscription it sells: a tier-1 reseller those
/// whose tier 1 it is (its tier-2 resellers' customers included), a tier-2 reseller those whose
/// tier 2 it is. Anything else — a missing file, another distributor's, a file the distributor
/// does not see, a record of another reseller's or a direct customer — is NOT_FOUND with one
/// message, so a reseller learns nothing about records that are not its own.
///
/// Marking is idempotent per billing id, like a close: the same id again returns the stored mark
/// unchanged; another id is ALREADY_EXISTS naming the one the record was marked with. Each new
/// mark is an event in the reseller's audit trail, committed with the mark.
public struct ResellerBillingOperations: Sendable {
    /// The most records one `markRecordsBilled` call takes, so one call's transaction stays short.
    public static let maximumRecordsPerCall = 1000

    /// One record to mark: its file, the vendor's record id within it, the billing id and a note.
    public struct Mark: Sendable, Hashable {
        public var fileID: String
        public var recordID: String
        /// Required, 1–255 characters.
        public var externalBillingID: String
        /// 0–200 characters.
        public var note: String

        public init(fileID: String, recordID: String, externalBillingID: String, note: String = "") {
            self.fileID = fileID
            self.recordID = recordID
            self.externalBillingID = externalBillingID
            self.note = note
        }
    }

    /// What became of one requested mark.
    public struct Outcome: Sendable {
        public var fileID: String
        public var recordID: String
        /// The mark as stored (now, or first for a replay), or why there is none.
        public var result: Result<ResellerBillingMark, DomainError>

        public init(fileID: String, recordID: String, result: Result<ResellerBillingMark, DomainError>) {
            self.fileID = fileID
            self.recordID = recordID
            self.result = result
        }
    }

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    // MARK: Operations

    /// Marks up to `maximumRecordsPerCall` records billed, each on its own: a mark that fails
    /// gets its error as its outcome and never undoes the others.
    ///
    /// Only what concerns the call as a whole throws: a caller that is not a reseller, no marks
    /// or too many, and storage failures (which commit nothing, so nothing was acknowledged).
    /// The outcomes come in the order of `marks`.
    public func markRecordsBilled(_ tenant: Tenant, _ marks: [Mark]) async throws -> [Outcome] {
        guard case .reseller(let caller) = tenant else {
            throw DomainError.permissionDenied("only a reseller can mark records billed")
        }
        if marks.isEmpty {
            throw DomainError.invalid(field: "records", "is required: name at least one record to mark billed")
        }
        if marks.count > Self.maximumRecordsPerCall {
            throw DomainError.invalid(
                field: "records",
                "must hold at most \(Self.maximumRecordsPerCall) records (got \(marks.count)); split the list")
        }
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var scope = Scope(caller: caller)
            var outcomes: [Outcome] = []
            outcomes.reserveCapacity(marks.count)
            for (index, mark) in marks.enumerated() {
                do {
                    var validation = Validation()
                    Self.validate(mark, prefix: "records[\(index)].", into: &validation)
                    try validation.check()
                    let stored = try Self.mark(mark, by: caller, at: now, scope: &scope, tx: tx)
                    outcomes.append(Outcome(fileID: mark.fileID, recordID: mark.recordID, result: .success(stored)))
                } catch let error as DomainError where Self.isRecordRefusal(error) {
                    outcomes.append(Outcome(fileID: mark.fileID, recordID: mark.recordID, result: .failure(error)))
                }
            }
            return outcomes
        }
    }

    // MARK: Internals

    /// What one call has learnt about files and subscriptions, so a thousand marks of one file
    /// read it once.
    struct Scope {
        let caller: ResellerTenant
        var files: [String: Bool] = [:]
        var subscriptions: [String: Bool] = [:]

        /// Whether the caller's distributor sees the file: a production file of it from `pending` on.
        mutating func seesFile(_ id: String, in tx: any StoreReader) throws -> Bool {
            if let known = files[id] { return known }
            var visible = false
            if IdentifierKind.usageFile.matches(id), let file = try tx.usageFile(id: id) {
                visible = file.distributorID == caller.distributorID && file.isVisibleToDistributor
            }
            files[id] = visible
            return visible
        }

        /// Whether the subscription is sold through the caller at its tier.
        mutating func sells(_ subscriptionID: String, in tx: any StoreReader) throws -> Bool {
            if let known = subscriptions[subscriptionID] { return known }
            var sells = false
            if let subscription = try tx.subscription(id: subscriptionID), subscription.distributorID == caller.distributorID {
                let tier = caller.tier == 1 ? subscription.tiers.tier1ID : subscription.tiers.tier2ID
                sells = tier == caller.id
            }
            subscriptions[subscriptionID] = sells
            return sells
        }
    }

    /// Marks one record, or returns the caller's mark on it when it holds this billing id already.
    static func mark(
        _ mark: Mark, by caller: ResellerTenant, at now: Timestamp, scope: inout Scope, tx: any StoreWriter
    ) throws -> ResellerBillingMark {
        // One refusal for every record the caller may not see, whatever the reason.
        let notFound = DomainError.notFound("record \(mark.recordID) of usage file", mark.fileID)
        guard try scope.seesFile(mark.fileID, in: tx),
            let record = try tx.usageRecord(fileID: mark.fileID, recordID: mark.recordID),
            let subscriptionID = record.subscriptionID, try scope.sells(subscriptionID, in: tx)
        else { throw notFound }
        guard record.status == .approved || record.status == .closed else {
            throw DomainError.wrongState(
                "record \(record.recordID) of usage file \(record.fileID) is \(record.status.rawValue); only "
                    + "approved or closed records can be marked billed")
        }
        if let existing = try tx.resellerBillingMark(
            fileID: record.fileID, position: record.position, resellerID: caller.id)
        {
            guard existing.externalBillingID == mark.externalBillingID else {
                throw DomainError.alreadyExists(
                    "record \(record.recordID) of usage file \(record.fileID) is already marked billed with "
                        + "external_billing_id \(existing.externalBillingID)",
                    field: "external_billing_id")
            }
            return existing
        }
        let stored = ResellerBillingMark(
            resellerID: caller.id, externalBillingID: mark.externalBillingID, externalBillingNote: mark.note,
            billedAt: now, actor: caller.id)
        try tx.insert(stored, fileID: record.fileID, position: record.position)
        try tx.appendEvent(event(of: stored, on: record))
        return stored
    }

    /// The audit event of a new mark: the record went from not billed to `billed` for this
    /// reseller, seen by that reseller alone (its mark is its own business, and the distributor's
    /// status of the record did not change). A replay records nothing, as nothing changed.
    static func event(of mark: ResellerBillingMark, on record: UsageRecord) -> EventDraft {
        EventDraft(
            objectType: .resellerBilling, objectID: "\(record.fileID)/\(record.recordID)", from: "", to: "billed",
            reason: "external_billing_id \(mark.externalBillingID)", actor: mark.actor, at: mark.billedAt,
            audience: .resellerBilling(resellerID: mark.resellerID))
    }

    /// Whether `error` concerns one mark of the call (its outcome) rather than the call.
    static func isRecordRefusal(_ error: DomainError) -> Bool {
        [.invalidArgument, .notFound, .alreadyExists, .failedPrecondition].contains(error.kind)
    }

    /// The file and record ids are required; the billing id is 1–255 characters, the note 0–200.
    static func validate(_ mark: Mark, prefix: String, into validation: inout Validation) {
        validation.name(prefix + "file_id", mark.fileID, maxLength: Limits.externalIDLength)
        validation.name(prefix + "record_id", mark.recordID, maxLength: Limits.externalIDLength)
        validation.name(prefix + "external_billing_id", mark.externalBillingID, maxLength: Limits.externalIDLength)
        validation.text(
            prefix + "external_billing_note", mark.note, maxLength: Limits.noteLength, allowNewlines: true)
    }
}
