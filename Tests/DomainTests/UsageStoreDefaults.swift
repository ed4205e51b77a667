// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain

/// Usage-file storage for the in-memory stores of tests that never touch usage files: every read
/// finds nothing and every write fails, so a test that reaches usage storage by mistake fails
/// loudly instead of passing on an empty answer.
///
/// Declared here, in the test target, so those stores conform to `StoreWriter` without each
/// spelling out methods they never use; `UsageMemoryStore` implements them for real.
extension UsageWriter {
    func usageFile(id: String) throws -> UsageFile? { nil }
    func usageFiles(_ filter: UsageFileFilter, page: PageRequest) throws -> Page<UsageFile> {
        Page(items: [], nextAfter: nil)
    }
    func usageFile(vendorID: String, productID: String, contractID: String, externalID: String) throws -> UsageFile? {
        nil
    }
    func usageRecords(fileID: String, status: UsageRecordStatus?, page: PageRequest) throws -> Page<UsageRecord> {
        Page(items: [], nextAfter: nil)
    }
    func usageRecord(fileID: String, position: Int) throws -> UsageRecord? { nil }
    func usageCategories(fileID: String) throws -> [UsageCategory] { [] }
    func usageRecordCounts(fileID: String) throws -> UsageFileCounts { .zero }
    func usageFileUsing(recordID: String, productID: String, excludingFileID: String) throws -> String? { nil }
    func subscriptions(
        vendorID: String, criteria: UsageSubscriptionCriteria, value: String, limit: Int
    ) throws -> [Subscription] { [] }

    func insert(_ file: UsageFile) throws { throw UsageStorageUnsupported() }
    func update(_ file: UsageFile) throws { throw UsageStorageUnsupported() }
    func removeUsageRecords(fileID: String) throws { throw UsageStorageUnsupported() }
    func insert(_ categories: [UsageCategory], fileID: String) throws { throw UsageStorageUnsupported() }
    func appendUsageRecords(_ records: [UsageRecord], fileID: String) throws { throw UsageStorageUnsupported() }
    func updateUsageRecordStatus(fileID: String, from: UsageRecordStatus, to: UsageRecordStatus) throws -> Int {
        throw UsageStorageUnsupported()
    }
}

struct UsageStorageUnsupported: Error {}
