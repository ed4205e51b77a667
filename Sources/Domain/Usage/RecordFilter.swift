// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Which usage records an export or a reseller's list covers: every field optional, all of them
/// combined with AND.
///
/// The ids are checked against what the caller may see before any record is read
/// (`UsageExportOperations.query`), so a filter naming another tenant's object is NOT_FOUND
/// rather than an empty export that would confirm the id exists.
public struct RecordFilter: Sendable, Hashable {
    public var fileID: String?
    public var productID: String?
    public var marketplaceID: String?
    /// Records whose start time falls on or after this day (UTC).
    public var periodFrom: CivilDate?
    /// Records whose start time falls on or before this day (UTC).
    public var periodTo: CivilDate?
    /// A reseller of either tier: records of subscriptions sold through it.
    public var resellerID: String?
    public var customerID: String?
    public var subscriptionID: String?
    public var itemID: String?
    /// Empty means the default, approved and closed.
    public var statuses: Set<UsageRecordStatus>

    public init(
        fileID: String? = nil, productID: String? = nil, marketplaceID: String? = nil, periodFrom: CivilDate? = nil,
        periodTo: CivilDate? = nil, resellerID: String? = nil, customerID: String? = nil,
        subscriptionID: String? = nil, itemID: String? = nil, statuses: Set<UsageRecordStatus> = []
    ) {
        self.fileID = fileID
        self.productID = productID
        self.marketplaceID = marketplaceID
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.resellerID = resellerID
        self.customerID = customerID
        self.subscriptionID = subscriptionID
        self.itemID = itemID
        self.statuses = statuses
    }

    /// The statuses exported when the filter names none: the records a billing system bills.
    public static let defaultStatuses: Set<UsageRecordStatus> = [.approved, .closed]

    /// The statuses the filter selects, the default when it names none.
    public var effectiveStatuses: Set<UsageRecordStatus> {
        statuses.isEmpty ? Self.defaultStatuses : statuses
    }
}
