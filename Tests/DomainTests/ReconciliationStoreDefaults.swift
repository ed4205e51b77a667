// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain

/// Reconciliation-file storage for the in-memory stores of tests that never upload one: reads
/// find nothing and writes fail, as `UsageStoreDefaults.swift` does for the rest of usage storage.
extension ReconciliationWriter {
    func reconciliation(id: String) throws -> Reconciliation? { nil }
    func reconciliations(_ filter: ReconciliationFilter, page: PageRequest) throws -> Page<Reconciliation> {
        Page(items: [], nextAfter: nil)
    }
    func reconciliationRows(reconciliationID: String, failedOnly: Bool, page: PageRequest) throws
        -> Page<ReconciliationRow>
    {
        Page(items: [], nextAfter: nil)
    }
    func firstReconciliationRow(reconciliationID: String, recordID: String) throws -> ReconciliationRow? { nil }
    func insert(_ reconciliation: Reconciliation) throws { throw UsageStorageUnsupported() }
    func update(_ reconciliation: Reconciliation) throws { throw UsageStorageUnsupported() }
    func appendReconciliationRows(_ rows: [ReconciliationRow]) throws { throw UsageStorageUnsupported() }
}
