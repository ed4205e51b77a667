// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain

/// Reseller billing storage for the in-memory stores of tests that never mark records: reads find
/// nothing and writes fail, as `UsageStoreDefaults.swift` does for the rest of usage storage.
extension ResellerBillingWriter {
    func resellerBillingMark(fileID: String, position: Int, resellerID: String) throws -> ResellerBillingMark? { nil }
    func insert(_ mark: ResellerBillingMark, fileID: String, position: Int) throws { throw UsageStorageUnsupported() }
}
