// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

import Synchronization

/// Reconciliation files: a spreadsheet of `record_id, external_billing_id, external_billing_note`
/// rows, each closing one record of an accepted usage file exactly as `closeRecord` would.
///
/// ```
/// reconcile   (read every row once: unreadable or too many → invalid, nothing applied)
///             → processing → rows applied in batches → completed | completed_with_errors
/// a failure part way, or a restart
///             processing → failed (the rows stored were applied; the rest were not)
/// ```
///
/// Why batches: one transaction per batch keeps the store's only writer free for other callers
/// during a million-row file, and each batch stores its closes, its rows' outcomes and the
/// reconciliation's counts together, so a crash never leaves a close without its row or counts
/// that disagree with the rows. Reading the whole file once before applying anything is what lets
/// an unreadable file (a workbook truncated half way) apply nothing at all.
///
/// Failures never undo successes: a row that cannot close its record stores its refusal as its
/// outcome, the status a `CloseRecord` of it would have answered.
extension UsageReconciliationOperations {
    /// Rows applied per write transaction.
    public static let reconciliationBatchSize = 1000

    /// The usage file a reconciliation would close records of, checked before its bytes arrive:
    /// NOT_FOUND for a file the distributor cannot see, FAILED_PRECONDITION for one not accepted.
    public func reconcilableFile(_ tenant: Tenant, fileID: String) async throws -> UsageFile {
        _ = try ChannelOperations.distributorID(tenant, "upload reconciliation files")
        return try await environment.store.read { tx in try Self.closableFile(fileID, visibleTo: tenant, in: tx) }
    }

    /// Stores a reconciliation that is `invalid` from the start: its file could not be read or
    /// broke a limit, so no row is applied; `detail` says why.
    public func rejectReconciliation(
        _ tenant: Tenant, fileID: String, format: ReconciliationFormat, detail: String
    ) async throws -> Reconciliation {
        let distributorID = try ChannelOperations.distributorID(tenant, "upload reconciliation files")
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let file = try Self.closableFile(fileID, visibleTo: tenant, in: tx)
            var reconciliation = Reconciliation(
                id: try environment.newID(.reconciliation, in: tx), distributorID: distributorID, fileID: file.id,
                format: format, actor: tenant.actor, createdAt: now)
            try reconciliation.markInvalid(detail, at: now)
            try tx.insert(reconciliation)
            try tx.appendEvent(Self.event(reconciliation, from: nil, reason: detail, by: tenant.actor, at: now))
            return reconciliation
        }
    }

    /// Reads a reconciliation file's rows and applies each to the file's records.
    ///
    /// `rows` makes a fresh source of the file's rows; it is called twice, each time inside a
    /// store transaction (on the store's threads): once to read every row before anything is
    /// applied, then once to apply them. A source that throws `.invalidArgument`, or more than
    /// `maximumRows` rows, make the reconciliation `invalid` with nothing applied. A failure while
    /// applying (the store's) marks it `failed` with the rows applied so far, and is rethrown.
    public func reconcile(
        _ tenant: Tenant, fileID: String, format: ReconciliationFormat, maximumRows: Int,
        rows: @escaping @Sendable () throws -> any ReconciliationEntrySource
    ) async throws -> Reconciliation {
        let distributorID = try ChannelOperations.distributorID(tenant, "upload reconciliation files")
        let problem = try await environment.store.read { _ in try Self.readability(of: rows, maximumRows: maximumRows) }
        if let problem {
            return try await rejectReconciliation(tenant, fileID: fileID, format: format, detail: problem)
        }

        let created = environment.clock.now()
        var reconciliation = try await environment.store.write { tx in
            let file = try Self.closableFile(fileID, visibleTo: tenant, in: tx)
            let reconciliation = Reconciliation(
                id: try environment.newID(.reconciliation, in: tx), distributorID: distributorID, fileID: file.id,
                format: format, actor: tenant.actor, createdAt: created)
            try tx.insert(reconciliation)
            try tx.appendEvent(Self.event(reconciliation, from: nil, by: tenant.actor, at: created))
            return reconciliation
        }

        let source = EntrySourceBox(rows)
        let clock = environment.clock
        do {
            while reconciliation.status == .processing {
                reconciliation = try await environment.store.write { [reconciliation] tx in
                    var reconciliation = reconciliation
                    // The file cannot leave accepted or closed, but a batch trusts no earlier transaction.
                    _ = try Self.closableFile(fileID, visibleTo: tenant, in: tx)
                    let now = clock.now()
                    var entries: [ReconciliationEntry] = []
                    entries.reserveCapacity(Self.reconciliationBatchSize)
                    var finished = false
                    while entries.count < Self.reconciliationBatchSize {
                        guard let entry = try source.next() else {
                            finished = true
                            break
                        }
                        entries.append(entry)
                    }
                    let rows = try Self.apply(
                        entries, to: fileID, reconciliationID: reconciliation.id, tenant: tenant, at: now, tx: tx)
                    for row in rows { reconciliation.counts.add(row.outcome) }
                    try tx.appendReconciliationRows(rows)
                    if finished {
                        try reconciliation.complete(at: now)
                        try tx.appendEvent(Self.event(reconciliation, from: .processing, by: tenant.actor, at: now))
                    }
                    try tx.update(reconciliation)
                    return reconciliation
                }
            }
            return reconciliation
        } catch {
            let reason = (error as? DomainError).map { "\($0.message)" } ?? "an internal failure"
            _ = try? await failReconciliation(
                reconciliation.id,
                detail: "applying stopped after \(reconciliation.counts.rows) rows (\(reason)); the rows listed were "
                    + "applied, the others were not: upload the file again to finish it",
                by: tenant.actor)
            throw error
        }
    }

    /// One reconciliation of the distributor's.
    public func reconciliation(_ tenant: Tenant, id: String) async throws -> Reconciliation {
        try await environment.store.read { tx in try Self.reconciliation(id, visibleTo: tenant, in: tx) }
    }

    /// The distributor's reconciliations, oldest first; only one usage file's when `fileID` is set
    /// (NOT_FOUND for a file it cannot see).
    public func reconciliations(_ tenant: Tenant, fileID: String?, page: PageRequest) async throws
        -> Page<Reconciliation>
    {
        let distributorID = try ChannelOperations.distributorID(tenant, "list reconciliations")
        return try await environment.store.read { tx in
            if let fileID { _ = try UsageFileOperations.file(fileID, visibleTo: tenant, in: tx) }
            return try tx.reconciliations(ReconciliationFilter(distributorID: distributorID, fileID: fileID), page: page)
        }
    }

    /// A reconciliation's rows in file order, only the failed ones when `failedOnly`.
    public func reconciliationRows(
        _ tenant: Tenant, id: String, failedOnly: Bool, page: PageRequest
    ) async throws -> Page<ReconciliationRow> {
        try await environment.store.read { tx in
            let reconciliation = try Self.reconciliation(id, visibleTo: tenant, in: tx)
            return try tx.reconciliationRows(reconciliationID: reconciliation.id, failedOnly: failedOnly, page: page)
        }
    }

    /// Marks every reconciliation a crash or restart left `processing` as `failed`, as the
    /// `system`: the rows stored with it were applied (each batch commits its closes and rows
    /// together), the rest were not, and its spooled file is gone. Run once at startup.
    ///
    /// - Returns: the reconciliations it changed.
    @discardableResult
    public func recoverInterruptedReconciliations() async throws -> [Reconciliation] {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let stuck = try ChannelOperations.all {
                try tx.reconciliations(ReconciliationFilter(statuses: [.processing]), page: $0)
            }
            var recovered: [Reconciliation] = []
            for var reconciliation in stuck {
                try reconciliation.fail(Self.interruptedDetail(after: reconciliation.counts.rows), at: now)
                try tx.update(reconciliation)
                try tx.appendEvent(
                    Self.event(reconciliation, from: .processing, reason: reconciliation.errorDetail, by: "system", at: now))
                recovered.append(reconciliation)
            }
            return recovered
        }
    }

    // MARK: Internals

    /// The error detail of a reconciliation a restart cut short.
    static func interruptedDetail(after rows: Int) -> String {
        "the server stopped after applying \(rows) rows; the rows listed were applied, the others were not: "
            + "upload the file again to finish it (rows already applied answer unchanged)"
    }

    /// The audit event of a reconciliation's move to its current status, seen by its distributor.
    static func event(
        _ reconciliation: Reconciliation, from: ReconciliationStatus?, reason: String = "", by actor: String,
        at time: Timestamp
    ) -> EventDraft {
        EventDraft(
            objectType: .reconciliation, objectID: reconciliation.id, from: from?.rawValue ?? "",
            to: reconciliation.status.rawValue, reason: reason, actor: actor, at: time,
            audience: .reconciliation(distributorID: reconciliation.distributorID))
    }

    /// Why the rows cannot be applied at all, or nil when every row reads and there are few enough.
    static func readability(
        of rows: () throws -> any ReconciliationEntrySource, maximumRows: Int
    ) throws -> String? {
        do {
            var source = try rows()
            var count = 0
            while try source.next() != nil {
                count += 1
                if count > maximumRows {
                    return "the file has more than \(maximumRows) rows, the most one reconciliation file may have; "
                        + "split it into several files"
                }
            }
            return nil
        } catch let error as DomainError where error.kind == .invalidArgument {
            return error.message
        }
    }

    /// processing → failed with `detail`, after applying broke off; a final one stays as it is.
    private func failReconciliation(_ id: String, detail: String, by actor: String) async throws -> Reconciliation {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            guard var reconciliation = try tx.reconciliation(id: id) else {
                throw DomainError.notFound("reconciliation", id)
            }
            guard reconciliation.status == .processing else { return reconciliation }
            try reconciliation.fail(detail, at: now)
            try tx.update(reconciliation)
            try tx.appendEvent(Self.event(reconciliation, from: .processing, reason: detail, by: actor, at: now))
            return reconciliation
        }
    }

    /// The reconciliation `id` as the caller may see it, or NOT_FOUND with one message for a
    /// malformed, missing or other distributor's id.
    static func reconciliation(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws
        -> Reconciliation
    {
        let distributorID = try ChannelOperations.distributorID(tenant, "read reconciliations")
        guard IdentifierKind.reconciliation.matches(id), let reconciliation = try tx.reconciliation(id: id),
            reconciliation.distributorID == distributorID
        else {
            throw DomainError.notFound("reconciliation", id)
        }
        return reconciliation
    }

    /// One batch of rows applied in the caller's write transaction, as the same closes sent through
    /// `closeRecord` one by one would be (`applyGroup` does the closing and keeps the file's counts
    /// and status), except that a row naming a record an earlier row of the file named with another
    /// billing id is refused: one file closes a record with one billing id. Returns each row's
    /// outcome, in order.
    static func apply(
        _ entries: [ReconciliationEntry], to fileID: String, reconciliationID: String, tenant: Tenant,
        at now: Timestamp, tx: any StoreWriter
    ) throws -> [ReconciliationRow] {
        var rows = entries.map { entry in
            ReconciliationRow(
                reconciliationID: reconciliationID, position: entry.position, recordID: entry.recordID,
                externalBillingID: entry.externalBillingID, note: entry.note, outcome: .closed)
        }
        var firstInBatch: [String: (position: Int, billingID: String)] = [:]
        var group: [StreamClose] = []
        var groupRows: [Int] = []
        group.reserveCapacity(entries.count)
        groupRows.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if !entry.recordID.isEmpty {
                // Rows of earlier batches are stored; rows of this one are not yet.
                let stored = try tx.firstReconciliationRow(reconciliationID: reconciliationID, recordID: entry.recordID)
                let earlier = stored.map { (position: $0.position, billingID: $0.externalBillingID) }
                    ?? firstInBatch[entry.recordID]
                if firstInBatch[entry.recordID] == nil {
                    firstInBatch[entry.recordID] = (entry.position, entry.externalBillingID)
                }
                if let earlier, earlier.billingID != entry.externalBillingID {
                    rows[index].outcome = .invalidArgument
                    rows[index].message = DomainError.invalid(
                        field: "record_id",
                        "record \(entry.recordID) is on row \(earlier.position) too, with external_billing_id "
                            + "\(earlier.billingID); a file may close a record with one billing id only"
                    ).message
                    continue
                }
            }
            group.append(
                StreamClose(
                    fileID: fileID,
                    close: Close(recordID: entry.recordID, externalBillingID: entry.externalBillingID, note: entry.note)))
            groupRows.append(index)
        }
        let outcomes = try applyGroup(group, tenant: tenant, at: now, tx: tx)
        for (outcome, index) in zip(outcomes, groupRows) {
            switch outcome.result {
            case .success(let closed):
                rows[index].outcome = closed.changed ? .closed : .unchanged
            case .failure(let error):
                guard let refusal = ReconciliationRow.Outcome(refusal: error.kind) else { throw error }
                rows[index].outcome = refusal
                rows[index].message = error.message
            }
        }
        return rows
    }
}

/// A row source pulled by several write transactions in turn: made on first use and advanced
/// only inside the write closures of one `reconcile` call, which awaits each before the next; the
/// mutex lets the compiler check that rather than take it on trust.
final class EntrySourceBox: Sendable {
    private let make: @Sendable () throws -> any ReconciliationEntrySource
    private let source = Mutex<(any ReconciliationEntrySource)?>(nil)

    init(_ make: @escaping @Sendable () throws -> any ReconciliationEntrySource) {
        self.make = make
    }

    func next() throws -> ReconciliationEntry? {
        try source.withLock { source in
            if source == nil { source = try make() }
            return try source!.next()
        }
    }
}
