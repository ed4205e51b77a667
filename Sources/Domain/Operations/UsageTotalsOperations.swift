// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Usage totals (SPEC §4): consumed and accepted usage per subscription and item over a period,
/// for a vendor (its own products), a distributor (its own marketplaces) and a reseller (its own
/// customers; a tier-1 reseller also its tier-2 resellers').
///
/// Every party computes the same totals over what it may see, so a vendor, its distributor and
/// the subscription's resellers agree on one subscription's numbers. A filter naming something
/// the caller cannot see is NOT_FOUND, exactly like one naming nothing, rather than an empty
/// answer: a total of zero must mean no usage, never a typo in an id.
public struct UsageTotalsOperations: Sendable {
    /// The longest period one call may cover, in days (a leap year).
    public static let maximumPeriodDays = 366

    /// What a caller asks for. The period is text as sent (`YYYY-MM-DD`), so its rules are
    /// checked here with the rest; empty filters do not filter.
    public struct Query: Sendable, Hashable {
        public var periodFrom: String
        public var periodTo: String
        public var productID: String?
        public var marketplaceID: String?
        public var customerID: String?
        public var subscriptionID: String?
        public var itemID: String?

        public init(
            periodFrom: String, periodTo: String, productID: String? = nil, marketplaceID: String? = nil,
            customerID: String? = nil, subscriptionID: String? = nil, itemID: String? = nil
        ) {
            self.periodFrom = periodFrom
            self.periodTo = periodTo
            self.productID = productID
            self.marketplaceID = marketplaceID
            self.customerID = customerID
            self.subscriptionID = subscriptionID
            self.itemID = itemID
        }
    }

    /// One page of totals, in key order, and where the next page starts.
    public struct Page: Sendable {
        public var totals: [UsageTotal]
        /// The key of the last total of this page when another page follows; nil on the last page.
        public var nextAfter: UsageTotal.Key?

        public init(totals: [UsageTotal], nextAfter: UsageTotal.Key?) {
            self.totals = totals
            self.nextAfter = nextAfter
        }
    }

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// One page of at most `size` totals after `after`.
    public func totals(
        _ tenant: Tenant, _ query: Query, size: Int = Limits.defaultPageSize, after: UsageTotal.Key? = nil
    ) async throws -> Page {
        let scope = try Self.scope(of: tenant)
        var validation = Validation()
        let period = Self.period(query, into: &validation)
        try validation.check()
        guard let (from, to) = period else { throw DomainError.invalid(field: "period_from", "is required") }
        let filter = UsageTotalsFilter(
            scope: scope, startsFrom: from.startOfDay,
            startsBefore: Timestamp(secondsSinceEpoch: (to.daysSinceEpoch + 1) * 86_400),
            productID: query.productID, marketplaceID: query.marketplaceID, customerID: query.customerID,
            subscriptionID: query.subscriptionID, itemID: query.itemID)
        let size = max(1, size)
        return try await environment.store.read { tx in
            try Self.checkVisible(query, to: tenant, in: tx)
            let totals = try tx.usageTotals(filter, after: after, limit: size + 1)
            guard totals.count > size else { return Page(totals: totals, nextAfter: nil) }
            let page = Array(totals.prefix(size))
            return Page(totals: page, nextAfter: page.last?.key)
        }
    }

    // MARK: Internals

    static func scope(of tenant: Tenant) throws(DomainError) -> UsageTotalsFilter.Scope {
        switch tenant {
        case .vendor(let id): .vendor(id: id)
        case .distributor(let id): .distributor(id: id)
        case .reseller(let caller): .reseller(id: caller.id, tier: caller.tier, distributorID: caller.distributorID)
        case .operator: throw .permissionDenied("the operator has no usage")
        }
    }

    /// Adds a violation for every bad field of the period: both days required, real dates, in
    /// order, and at most `maximumPeriodDays` apart (both days count).
    public static func validate(_ query: Query, into validation: inout Validation) {
        _ = period(query, into: &validation)
    }

    /// The period's days, or nil after recording why not.
    static func period(_ query: Query, into validation: inout Validation) -> (CivilDate, CivilDate)? {
        func day(_ field: String, _ text: String) -> CivilDate? {
            if text.isEmpty {
                validation.fail(field, "is required (a day, YYYY-MM-DD)")
                return nil
            }
            guard let date = CivilDate(parsing: text) else {
                validation.fail(field, "must be a day that exists, YYYY-MM-DD (got \(text.debugDescription))")
                return nil
            }
            return date
        }
        let from = day("period_from", query.periodFrom)
        let to = day("period_to", query.periodTo)
        guard let from, let to else { return nil }
        if to < from {
            validation.fail("period_to", "the period must not end (\(to)) before it starts (\(from))")
            return nil
        }
        let days = to.daysSinceEpoch - from.daysSinceEpoch + 1
        if days > Int64(maximumPeriodDays) {
            validation.fail(
                "period_to",
                "the period covers \(days) days (\(from) to \(to)); at most \(maximumPeriodDays) are allowed")
            return nil
        }
        return (from, to)
    }

    /// Every filter must name something the caller sees; NOT_FOUND names the first that does not.
    static func checkVisible(_ query: Query, to tenant: Tenant, in tx: any StoreReader) throws {
        if let id = query.productID, !(try isProductVisible(id, to: tenant, in: tx)) {
            throw DomainError.notFound("product", id)
        }
        if let id = query.marketplaceID, !(try isMarketplaceVisible(id, to: tenant, in: tx)) {
            throw DomainError.notFound("marketplace", id)
        }
        if let id = query.customerID, !(try isCustomerVisible(id, to: tenant, in: tx)) {
            throw DomainError.notFound("customer", id)
        }
        if let id = query.subscriptionID {
            _ = try ChannelOperations.subscription(id, visibleTo: tenant, in: tx)
        }
        if let id = query.itemID {
            guard IdentifierKind.item.matches(id), let item = try tx.item(id: id),
                try isProductVisible(item.productID, to: tenant, in: tx)
            else { throw DomainError.notFound("item", id) }
        }
    }

    /// A vendor sees its products; a distributor and its resellers the products listed (in any
    /// state) in the distributor's marketplaces.
    static func isProductVisible(_ id: String, to tenant: Tenant, in tx: any StoreReader) throws -> Bool {
        guard IdentifierKind.product.matches(id), let product = try tx.product(id: id) else { return false }
        let distributorID: String
        switch tenant {
        case .vendor(let vendorID): return product.vendorID == vendorID
        case .distributor(let id): distributorID = id
        case .reseller(let caller): distributorID = caller.distributorID
        case .operator: return false
        }
        let filter = ListingFilter(distributorID: distributorID, productID: product.id)
        return try ChannelOperations.first { try tx.listings(filter, page: $0) } != nil
    }

    /// A distributor and its resellers see the distributor's marketplaces; a vendor those it has
    /// a contract in.
    static func isMarketplaceVisible(_ id: String, to tenant: Tenant, in tx: any StoreReader) throws -> Bool {
        guard IdentifierKind.marketplace.matches(id), let marketplace = try tx.marketplace(id: id) else { return false }
        switch tenant {
        case .distributor(let distributorID): return marketplace.distributorID == distributorID
        case .reseller(let caller): return marketplace.distributorID == caller.distributorID
        case .vendor(let vendorID):
            let filter = ContractFilter(vendorID: vendorID, marketplaceID: marketplace.id)
            return try ChannelOperations.first { try tx.contracts(filter, page: $0) } != nil
        case .operator: return false
        }
    }

    /// A distributor and a reseller see customers as everywhere else; a vendor the customers
    /// subscribed to its products.
    static func isCustomerVisible(_ id: String, to tenant: Tenant, in tx: any StoreReader) throws -> Bool {
        guard IdentifierKind.tierAccount.matches(id), let customer = try tx.customer(id: id) else { return false }
        guard case .vendor(let vendorID) = tenant else {
            return try ChannelOperations.isVisible(customer, to: tenant, in: tx)
        }
        let filter = SubscriptionFilter(vendorID: vendorID, customerID: customer.id)
        return try ChannelOperations.first { try tx.subscriptions(filter, page: $0) } != nil
    }
}
