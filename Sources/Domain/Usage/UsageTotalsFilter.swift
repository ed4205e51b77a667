// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Which records usage totals add up: the caller's scope, a period of record start times, and
/// optional narrowing filters (nil does not filter).
///
/// The store applies the rules of what counts as consumed (`UsageTotal`); the filter says only
/// whose records and which.
public struct UsageTotalsFilter: Sendable, Hashable {
    /// Whose records: what the calling party may see.
    public enum Scope: Sendable, Hashable {
        /// Files of the vendor's products.
        case vendor(id: String)
        /// Files under the distributor's contracts, in its marketplaces.
        case distributor(id: String)
        /// Records of subscriptions sold through the reseller at its tier, in its distributor's files.
        case reseller(id: String, tier: Int, distributorID: String)
    }

    public var scope: Scope
    /// Records starting at or after this instant…
    public var startsFrom: Timestamp
    /// …and before this one.
    public var startsBefore: Timestamp
    public var productID: String?
    public var marketplaceID: String?
    public var customerID: String?
    public var subscriptionID: String?
    public var itemID: String?

    public init(
        scope: Scope, startsFrom: Timestamp, startsBefore: Timestamp, productID: String? = nil,
        marketplaceID: String? = nil, customerID: String? = nil, subscriptionID: String? = nil, itemID: String? = nil
    ) {
        self.scope = scope
        self.startsFrom = startsFrom
        self.startsBefore = startsBefore
        self.productID = productID
        self.marketplaceID = marketplaceID
        self.customerID = customerID
        self.subscriptionID = subscriptionID
        self.itemID = itemID
    }
}
