// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain

/// Reconciliation storage for the in-memory stores of tests that never close records: reads find
/// nothing and writes fail, as `UsageStoreDefaults.swift` does for the rest of usage storage.
extension UsageReconciliationWriter {
    func usageRecord(fileID: String, recordID: String) throws -> UsageRecord? { nil }
    func closedUsageRecord(fileID: String, billedOtherThan externalBillingID: String) throws -> UsageRecord? { nil }
    func updateReconciliation(of record: UsageRecord) throws { throw UsageStorageUnsupported() }
    func closeApprovedUsageRecords(
        fileID: String, externalBillingID: String, note: String, at time: Timestamp
    ) throws -> Int {
        throw UsageStorageUnsupported()
    }
}
