// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The reads of resellers' billing marks: a record's mark by one reseller.
///
/// A record is named by its file and position, as everywhere else in usage storage; records are
/// found by their `record_id` through `UsageReconciliationReader`. Tenant scoping is the
/// caller's job.
public protocol ResellerBillingReader {
    /// The mark `resellerID` put on the record at `position` of the file, if any.
    func resellerBillingMark(fileID: String, position: Int, resellerID: String) throws -> ResellerBillingMark?
}

/// The writes of resellers' billing marks, inside the caller's write transaction.
public protocol ResellerBillingWriter: ResellerBillingReader {
    /// Stores a new mark on the record at `position` of the file; a missing record is `notFound`,
    /// and a record the reseller marked already is `alreadyExists` (a mark is never replaced).
    func insert(_ mark: ResellerBillingMark, fileID: String, position: Int) throws
}
