// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A reconciliation file, `RC-dddd-dddd-dddd`: a spreadsheet of `record_id, external_billing_id,
/// external_billing_note` rows a distributor uploaded to close records of one accepted usage file
/// (SPEC §4).
///
/// It is read and applied within its upload; its rows' outcomes are stored with it
/// (`ReconciliationRow`). The transitions below are the only way its status moves, so their
/// rules are tested without a store.
public struct Reconciliation: Sendable, Hashable {
    public var id: String
    public var distributorID: String
    /// The usage file whose records the rows close.
    public var fileID: String
    public var format: ReconciliationFormat
    public var status: ReconciliationStatus
    public var counts: ReconciliationCounts
    /// Why the file is `invalid` or `failed`; "" otherwise.
    public var errorDetail: String
    /// The account or key that uploaded it.
    public var actor: String
    public var createdAt: Timestamp
    /// When it reached its final status; nil while processing.
    public var completedAt: Timestamp?

    public init(
        id: String, distributorID: String, fileID: String, format: ReconciliationFormat,
        status: ReconciliationStatus = .processing, counts: ReconciliationCounts = .zero, errorDetail: String = "",
        actor: String, createdAt: Timestamp, completedAt: Timestamp? = nil
    ) {
        self.id = id
        self.distributorID = distributorID
        self.fileID = fileID
        self.format = format
        self.status = status
        self.counts = counts
        self.errorDetail = errorDetail
        self.actor = actor
        self.createdAt = createdAt
        self.completedAt = completedAt
    }

    // MARK: Transitions

    /// processing → completed, or completed_with_errors when a row failed.
    public mutating func complete(at time: Timestamp) throws(DomainError) {
        try checkProcessing("complete")
        status = counts.failed == 0 ? .completed : .completedWithErrors
        completedAt = time
    }

    /// processing → invalid with `detail`: the file cannot be read, so no row may have been applied.
    public mutating func markInvalid(_ detail: String, at time: Timestamp) throws(DomainError) {
        try checkProcessing("mark invalid")
        guard counts.rows == 0 else {
            throw DomainError.internalFailure(
                "reconciliation \(id) has \(counts.rows) rows applied and cannot become invalid")
        }
        status = .invalid
        errorDetail = detail
        completedAt = time
    }

    /// processing → failed with `detail`: applying stopped part way; the rows applied stay.
    public mutating func fail(_ detail: String, at time: Timestamp) throws(DomainError) {
        try checkProcessing("fail")
        status = .failed
        errorDetail = detail
        completedAt = time
    }

    private func checkProcessing(_ action: String) throws(DomainError) {
        guard status == .processing else {
            throw DomainError.wrongState("reconciliation \(id) is \(status.rawValue); only a processing one can \(action)")
        }
    }
}
