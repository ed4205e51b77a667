// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reads of reconciliation files and their rows.
///
/// As with the other readers, lookups return nil for a missing object and tenant scoping is the
/// caller's job. Reconciliations page by insertion position; a reconciliation's rows page by their
/// row number in the file (`ReconciliationRow.position`), so `PageRequest.after` is one there.
public protocol ReconciliationReader {
    func reconciliation(id: String) throws -> Reconciliation?
    func reconciliations(_ filter: ReconciliationFilter, page: PageRequest) throws -> Page<Reconciliation>
    /// The rows applied so far, in file order; only the failed ones when `failedOnly`.
    func reconciliationRows(reconciliationID: String, failedOnly: Bool, page: PageRequest) throws
        -> Page<ReconciliationRow>
    /// The first row of the reconciliation that names `recordID`, if any: how a record named twice
    /// in one file is told apart from a replay of an earlier file.
    func firstReconciliationRow(reconciliationID: String, recordID: String) throws -> ReconciliationRow?
}

/// The writes of reconciliation files, inside the caller's write transaction.
public protocol ReconciliationWriter: ReconciliationReader {
    func insert(_ reconciliation: Reconciliation) throws
    /// Stores the status, counts, detail and completion time; a missing one is `notFound`.
    func update(_ reconciliation: Reconciliation) throws
    /// Stores rows' outcomes; a position stored twice for one reconciliation is `alreadyExists`.
    func appendReconciliationRows(_ rows: [ReconciliationRow]) throws
}

/// Which reconciliations a list returns: every field that is not nil must match.
public struct ReconciliationFilter: Sendable, Hashable {
    public var distributorID: String?
    public var fileID: String?
    public var statuses: Set<ReconciliationStatus>?

    public init(distributorID: String? = nil, fileID: String? = nil, statuses: Set<ReconciliationStatus>? = nil) {
        self.distributorID = distributorID
        self.fileID = fileID
        self.statuses = statuses
    }
}
