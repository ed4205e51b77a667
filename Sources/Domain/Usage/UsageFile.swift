// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A usage file, `UF-yyyy-mm-dddd-dddd`: one product's usage under one distribution contract for
/// one period, in the marketplace's currency (SPEC §3).
///
/// The state machine lives here as `mutating` transitions, so its rules are tested without a
/// store; each transition checks the current state (FAILED_PRECONDITION naming it otherwise) and
/// appends who did what, when, to `history`. Operations add the checks that need the store.
public struct UsageFile: Sendable, Hashable {
    public var id: String
    public var vendorID: String
    public var distributorID: String
    public var productID: String
    public var contractID: String
    public var marketplaceID: String
    /// ISO 4217, the marketplace's.
    public var currency: String
    /// Copied from the product when the file is created.
    public var schema: PPUSchema
    public var environment: UsageEnvironment
    public var name: String
    public var description: String
    /// The vendor's internal note: never shown to distributors.
    public var note: String
    /// The vendor's reference; unique per vendor, product and contract among files not deleted.
    public var externalID: String?
    /// The first day of the period: records from 00:00:00 UTC on.
    public var periodFrom: CivilDate
    /// The last day of the period: records up to 23:59:59 UTC.
    public var periodTo: CivilDate
    public var status: UsageFileStatus
    public var acceptanceNote: String
    public var rejectionNote: String
    /// A file-level error, such as a limit exceeded or an unreadable upload; "" when none.
    public var errorDetail: String
    public var counts: UsageFileCounts
    /// The header of the last upload, for the processed file.
    public var columns: [String]
    /// Oldest first; the first entry is the creation.
    public var history: [StatusChange]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, vendorID: String, distributorID: String, productID: String, contractID: String,
        marketplaceID: String, currency: String, schema: PPUSchema, environment: UsageEnvironment, name: String,
        description: String = "", note: String = "", externalID: String? = nil, periodFrom: CivilDate,
        periodTo: CivilDate, status: UsageFileStatus = .draft, acceptanceNote: String = "",
        rejectionNote: String = "", errorDetail: String = "", counts: UsageFileCounts = .zero,
        columns: [String] = [], history: [StatusChange] = [], createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.productID = productID
        self.contractID = contractID
        self.marketplaceID = marketplaceID
        self.currency = currency
        self.schema = schema
        self.environment = environment
        self.name = name
        self.description = description
        self.note = note
        self.externalID = externalID
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.status = status
        self.acceptanceNote = acceptanceNote
        self.rejectionNote = rejectionNote
        self.errorDetail = errorDetail
        self.counts = counts
        self.columns = columns
        self.history = history
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The first instant of the period: `periodFrom` 00:00:00 UTC.
    public var periodStart: Timestamp { periodFrom.startOfDay }

    /// The last instant of the period: `periodTo` 23:59:59 UTC.
    public var periodEnd: Timestamp { periodTo.endOfDay }

    /// Whether the file's distributor may see it: production files from `pending` on.
    public var isVisibleToDistributor: Bool {
        environment == .production && UsageFileStatus.reviewed.contains(status)
    }

    /// The status the file had before its current upload began, while one is under way: where an
    /// interrupted upload returns to.
    public var statusBeforeUpload: UsageFileStatus? {
        guard status.isTransient,
            let entry = history.last(where: { $0.to == UsageFileStatus.uploading.rawValue }),
            let previous = UsageFileStatus(rawValue: entry.from)
        else { return nil }
        return previous
    }

    // MARK: Transitions

    /// draft → draft: name, description, note, external id and period change only before the
    /// first upload, because records are validated against the period.
    public func checkEditable() throws(DomainError) {
        guard status == .draft else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only draft files can be changed")
        }
    }

    /// draft | invalid | ready | rejected → uploading.
    public mutating func beginUpload(at time: Timestamp, by actor: String) throws(DomainError) {
        guard UsageFileStatus.uploadable.contains(status) else {
            throw .wrongState(
                "usage file \(id) is \(status.rawValue); files can be uploaded only when draft, invalid, ready or "
                    + "rejected")
        }
        change(to: .uploading, at: time, by: actor)
    }

    /// uploading → processing: the upload is complete and validation starts.
    public mutating func beginProcessing(at time: Timestamp, by actor: String) throws(DomainError) {
        guard status == .uploading else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only an uploading file can be processed")
        }
        change(to: .processing, at: time, by: actor)
    }

    /// processing → ready, or → invalid when any record is invalid or `errorDetail` names a
    /// file-level error; the counts and columns are the new record set's.
    public mutating func finishProcessing(
        counts: UsageFileCounts, columns: [String], errorDetail: String, at time: Timestamp, by actor: String
    ) throws(DomainError) {
        guard status == .processing else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only a processing file can finish processing")
        }
        self.counts = counts
        self.columns = columns
        self.errorDetail = errorDetail
        let isValid = errorDetail.isEmpty && counts.invalid == 0
        change(to: isValid ? .ready : .invalid, at: time, by: actor, reason: errorDetail)
    }

    /// uploading | processing → the status before the upload: the upload failed or was
    /// interrupted, and the previous record set stands.
    public mutating func abandonUpload(at time: Timestamp, by actor: String, reason: String) throws(DomainError) {
        guard let previous = statusBeforeUpload else {
            throw .wrongState("usage file \(id) is \(status.rawValue); no upload is under way")
        }
        change(to: previous, at: time, by: actor, reason: reason)
    }

    /// ready → pending. Preview files are submitted too, but distributors never see them.
    public mutating func submit(at time: Timestamp, by actor: String) throws(DomainError) {
        guard status == .ready else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only ready files can be submitted")
        }
        change(to: .pending, at: time, by: actor)
    }

    /// pending → accepted: every valid record becomes approved.
    public mutating func accept(note: String, at time: Timestamp, by actor: String) throws(DomainError) {
        guard status == .pending else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only pending files can be accepted")
        }
        acceptanceNote = note
        counts.approved += counts.valid
        counts.valid = 0
        change(to: .accepted, at: time, by: actor, reason: note)
    }

    /// pending → rejected: every valid record becomes rejected, and the vendor may upload again.
    public mutating func reject(note: String, at time: Timestamp, by actor: String) throws(DomainError) {
        guard status == .pending else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only pending files can be rejected")
        }
        rejectionNote = note
        counts.valid = 0
        change(to: .rejected, at: time, by: actor, reason: note)
    }

    /// accepted → closed: every approved record is reconciled.
    public mutating func close(at time: Timestamp, by actor: String, reason: String = "") throws(DomainError) {
        guard status == .accepted else {
            throw .wrongState("usage file \(id) is \(status.rawValue); only accepted files can be closed")
        }
        change(to: .closed, at: time, by: actor, reason: reason)
    }

    /// draft | invalid | ready | rejected → deleted.
    public mutating func delete(at time: Timestamp, by actor: String) throws(DomainError) {
        guard UsageFileStatus.deletable.contains(status) else {
            throw .wrongState(
                "usage file \(id) is \(status.rawValue); only draft, invalid, ready or rejected files can be deleted")
        }
        change(to: .deleted, at: time, by: actor)
    }

    private mutating func change(to new: UsageFileStatus, at time: Timestamp, by actor: String, reason: String = "") {
        history.append(StatusChange(from: status.rawValue, to: new.rawValue, at: time, actor: actor, reason: reason))
        status = new
        updatedAt = time
    }
}
