// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

// The reconciliation stream (SPEC §4): a distributor's billing system sends closes across any of
// the distributor's files, and the server applies them in groups, one write transaction per group,
// answering each close only once its group has committed.
//
// A group is applied exactly as the same closes sent one by one through `closeRecord` would be, in
// order: the same validation, the same visibility (another distributor's file is NOT_FOUND like a
// missing one), the same replay and conflict rules, and the files' counts and statuses follow
// their records. What differs is the cost: each file of a group is read once and stored once, and
// the records of a file are closed through one store call (`closeUsageRecords`), so a close costs
// one indexed update instead of a file lookup, a record lookup, an update and a file update.

extension UsageReconciliationOperations {
    /// The most closes one group takes: enough to spread a commit's cost thin, small enough that a
    /// group's transaction and its replies stay short.
    public static let maximumStreamGroup = 1000

    /// One close of the stream: a record named by its file and record id, with its billing id.
    public struct StreamClose: Sendable {
        public var fileID: String
        public var close: Close

        public init(fileID: String, close: Close) {
            self.fileID = fileID
            self.close = close
        }
    }

    /// A close that succeeded: what the record is closed with (its first close's, for a replay).
    public struct StreamClosed: Sendable, Hashable {
        public var externalBillingID: String
        public var externalBillingNote: String
        public var closedAt: Timestamp
        /// Whether this close closed the record; false for a replay of an earlier close.
        public var changed: Bool

        public init(externalBillingID: String, externalBillingNote: String, closedAt: Timestamp, changed: Bool) {
            self.externalBillingID = externalBillingID
            self.externalBillingNote = externalBillingNote
            self.closedAt = closedAt
            self.changed = changed
        }
    }

    /// What became of one close of a group; `closeGroup` returns one per close, in order.
    public struct StreamOutcome: Sendable {
        public var fileID: String
        public var recordID: String
        public var result: Result<StreamClosed, DomainError>

        public init(fileID: String, recordID: String, result: Result<StreamClosed, DomainError>) {
            self.fileID = fileID
            self.recordID = recordID
            self.result = result
        }
    }

    /// Applies up to `maximumStreamGroup` closes of the distributor's files in one write
    /// transaction and returns one outcome per close, in order.
    ///
    /// A close that cannot be applied (a bad field, a file the caller cannot see or that is not
    /// accepted, a missing record, another billing id, a record not approved) gets its error as
    /// its outcome and never undoes the others. Only what concerns the group as a whole throws:
    /// a caller that is no distributor, too many closes, and storage failures, which commit
    /// nothing, so no close of the group was acknowledged.
    public func closeGroup(_ tenant: Tenant, _ closes: [StreamClose]) async throws -> [StreamOutcome] {
        _ = try ChannelOperations.distributorID(tenant, "close usage records")
        guard !closes.isEmpty else { return [] }
        if closes.count > Self.maximumStreamGroup {
            throw DomainError.invalid(
                field: "records",
                "a group holds at most \(Self.maximumStreamGroup) closes (got \(closes.count))")
        }
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            try Self.applyGroup(closes, tenant: tenant, at: now, tx: tx)
        }
    }

    /// The body of `closeGroup`, inside the caller's write transaction: for whoever applies many
    /// closes at once (the stream, a reconciliation file).
    static func applyGroup(
        _ closes: [StreamClose], tenant: Tenant, at now: Timestamp, tx: any StoreWriter
    ) throws -> [StreamOutcome] {
        var results: [Result<StreamClosed, DomainError>?] = Array(repeating: nil, count: closes.count)
        // Each file once: its state at the start of the group, or why its closes are refused.
        var files: [String: Result<UsageFile, DomainError>] = [:]
        var fileOrder: [String] = []
        var indicesByFile: [String: [Int]] = [:]
        for (index, item) in closes.enumerated() {
            if let violation = Self.violation(item.close) {
                results[index] = .failure(violation)
                continue
            }
            let file: Result<UsageFile, DomainError>
            if let known = files[item.fileID] {
                file = known
            } else {
                do {
                    file = .success(try Self.closableFile(item.fileID, visibleTo: tenant, in: tx))
                } catch let error as DomainError where Self.isRecordRefusal(error) {
                    file = .failure(error)
                }
                files[item.fileID] = file
                fileOrder.append(item.fileID)
            }
            switch file {
            case .failure(let error): results[index] = .failure(error)
            case .success: indicesByFile[item.fileID, default: []].append(index)
            }
        }

        // Applied file by file; the records' events then follow the stream's order, and each
        // file's own change (and its history event) comes after its records'.
        var closedIndices: [Int] = []
        var changedFiles: [UsageFile] = []
        for fileID in fileOrder {
            guard case .success(var file) = files[fileID], let indices = indicesByFile[fileID] else { continue }
            let attempts = try tx.closeUsageRecords(fileID: fileID, indices.map { closes[$0].close }, at: now)
            guard attempts.count == indices.count else {
                throw DomainError.internalFailure(
                    "the store answered \(attempts.count) closes for \(indices.count) of usage file \(fileID)")
            }
            var closed = 0
            for (attempt, index) in zip(attempts, indices) {
                let close = closes[index].close
                switch attempt {
                case .closed:
                    closed += 1
                    closedIndices.append(index)
                    results[index] = .success(
                        StreamClosed(
                            externalBillingID: close.externalBillingID, externalBillingNote: close.note, closedAt: now,
                            changed: true))
                case .notApproved(var record):
                    // The record's own rule decides: a replay with the same id, or a refusal.
                    do {
                        _ = try record.close(externalBillingID: close.externalBillingID, note: close.note, at: now)
                        results[index] = .success(
                            StreamClosed(
                                externalBillingID: record.externalBillingID ?? "",
                                externalBillingNote: record.externalBillingNote ?? "",
                                closedAt: record.closedAt ?? now, changed: false))
                    } catch {
                        results[index] = .failure(error)
                    }
                case .missing:
                    results[index] = .failure(DomainError.notFound("record \(close.recordID) of usage file", fileID))
                }
            }
            guard closed > 0 else { continue }
            file.counts.approved = max(0, file.counts.approved - closed)
            file.counts.closed += closed
            file.updatedAt = now
            if file.counts.approved == 0 && file.status == .accepted {
                try file.close(at: now, by: tenant.actor, reason: allRecordsClosedReason)
            }
            changedFiles.append(file)
        }
        if !closedIndices.isEmpty {
            var audiences: [String: EventAudience] = [:]
            var events: [EventDraft] = []
            events.reserveCapacity(closedIndices.count)
            for index in closedIndices.sorted() {
                let item = closes[index]
                guard case .success(let file) = files[item.fileID] else { continue }
                let audience = audiences[file.id] ?? EventAudience.usageRecord(of: file)
                audiences[file.id] = audience
                events.append(Self.closeEvent(item.close, fileID: file.id, audience: audience, at: now, by: tenant.actor))
            }
            try tx.appendCloseEvents(events)
        }
        for file in changedFiles {
            try tx.update(file)
        }

        return zip(closes, results).map { item, result in
            StreamOutcome(
                fileID: item.fileID, recordID: item.close.recordID,
                result: result ?? .failure(DomainError.internalFailure("a close of the group got no outcome")))
        }
    }

    /// The close's field violations as `validate` finds them, or nil when there are none.
    ///
    /// Most closes are short ASCII ids, so a byte scan clears them without building a `Validation`
    /// or counting characters; anything it cannot clear goes through `validate`, which decides.
    static func violation(_ close: Close) -> DomainError? {
        if Self.isPlainlyValid(close) { return nil }
        var validation = Validation()
        Self.validate(close, prefix: "", into: &validation)
        do {
            try validation.check()
            return nil
        } catch {
            return error
        }
    }

    /// Whether the close passes `validate` for certain: ids of 1…255 bytes with a byte other than
    /// a space, a note of at most 200 bytes, and no control byte (a note may hold newlines and
    /// tabs). UTF-8 never puts a byte below 0x80 inside a longer character, and a string never has
    /// more characters than bytes, so such a close has no violation.
    static func isPlainlyValid(_ close: Close) -> Bool {
        func plainName(_ text: String) -> Bool {
            var bytes = 0
            var blank = true
            for byte in text.utf8 {
                if byte < 0x20 || byte == 0x7F { return false }
                if byte != 0x20 { blank = false }
                bytes += 1
            }
            return !blank && bytes <= Limits.externalIDLength
        }
        guard plainName(close.recordID), plainName(close.externalBillingID) else { return false }
        var bytes = 0
        for byte in close.note.utf8 {
            if (byte < 0x20 && byte != 0x0A && byte != 0x09 && byte != 0x0D) || byte == 0x7F { return false }
            bytes += 1
        }
        return bytes <= Limits.noteLength
    }
}
