// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Who sees which channel object, and the lookups the channel operations share.
///
/// Tenant scoping is a security rule, so it lives in one place instead of being re-derived by
/// each operation: every lookup here answers `DomainError.notFound(noun, id)` for an object that
/// is missing, malformed or another tenant's, with the same message in all three cases, so a
/// caller can never learn that someone else's object exists.
///
/// Visibility:
/// - a distributor sees its own marketplaces, contracts, listings, resellers, customers and
///   subscriptions;
/// - a vendor sees contracts and listings it is party to, and subscriptions to its products;
/// - a tier-1 reseller sees itself, its tier-2 resellers, and the customers and subscriptions of
///   both; a tier-2 reseller sees itself and its own customers and subscriptions.
enum ChannelOperations {
    // MARK: Roles

    /// The distributor acting, or PERMISSION_DENIED for any other party. The interceptor's
    /// policies already keep other roles out; this keeps an operation safe when called directly.
    static func distributorID(_ tenant: Tenant, _ action: String) throws(DomainError) -> String {
        guard case .distributor(let id) = tenant else {
            throw .permissionDenied("only a distributor can \(action)")
        }
        return id
    }

    /// The vendor acting, or PERMISSION_DENIED.
    static func vendorID(_ tenant: Tenant, _ action: String) throws(DomainError) -> String {
        guard case .vendor(let id) = tenant else {
            throw .permissionDenied("only a vendor can \(action)")
        }
        return id
    }

    /// A required id field: empty is INVALID_ARGUMENT naming the field; any other value, even
    /// malformed, is looked up and answered NOT_FOUND when it names nothing visible.
    static func require(_ field: String, _ value: String, into validation: inout Validation) {
        if value.isEmpty { validation.fail(field, "is required") }
    }

    // MARK: Visible objects

    static func marketplace(
        _ id: String, ofDistributor distributorID: String, in tx: any StoreReader
    ) throws -> Marketplace {
        guard IdentifierKind.marketplace.matches(id), let marketplace = try tx.marketplace(id: id),
            marketplace.distributorID == distributorID
        else { throw DomainError.notFound("marketplace", id) }
        return marketplace
    }

    /// A contract the vendor or distributor acting is party to.
    static func contract(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> Contract {
        guard IdentifierKind.distributionContract.matches(id), let contract = try tx.contract(id: id) else {
            throw DomainError.notFound("contract", id)
        }
        switch tenant {
        case .vendor(let vendorID) where contract.vendorID == vendorID: return contract
        case .distributor(let distributorID) where contract.distributorID == distributorID: return contract
        default: throw DomainError.notFound("contract", id)
        }
    }

    /// A listing of the vendor's products or in the distributor's marketplaces.
    static func listing(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> Listing {
        guard IdentifierKind.listing.matches(id), let listing = try tx.listing(id: id) else {
            throw DomainError.notFound("listing", id)
        }
        switch tenant {
        case .vendor(let vendorID) where listing.vendorID == vendorID: return listing
        case .distributor(let distributorID) where listing.distributorID == distributorID: return listing
        default: throw DomainError.notFound("listing", id)
        }
    }

    /// A reseller of the distributor acting; for a reseller, itself or (tier 1) one of its tier-2 resellers.
    static func reseller(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> Reseller {
        guard IdentifierKind.tierAccount.matches(id), let reseller = try tx.reseller(id: id) else {
            throw DomainError.notFound("reseller", id)
        }
        switch tenant {
        case .distributor(let distributorID) where reseller.distributorID == distributorID:
            return reseller
        case .reseller(let caller) where reseller.id == caller.id || reseller.parentID == caller.id:
            return reseller
        default:
            throw DomainError.notFound("reseller", id)
        }
    }

    /// A customer of the distributor acting; for a reseller, its own customers and (tier 1) those
    /// of its tier-2 resellers.
    static func customer(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> Customer {
        guard IdentifierKind.tierAccount.matches(id), let customer = try tx.customer(id: id),
            try isVisible(customer, to: tenant, in: tx)
        else { throw DomainError.notFound("customer", id) }
        return customer
    }

    static func isVisible(_ customer: Customer, to tenant: Tenant, in tx: any StoreReader) throws -> Bool {
        switch tenant {
        case .distributor(let distributorID):
            return customer.distributorID == distributorID
        case .reseller(let caller):
            guard let resellerID = customer.resellerID, customer.distributorID == caller.distributorID else {
                return false
            }
            if resellerID == caller.id { return true }
            guard caller.tier == 1 else { return false }
            return try tx.reseller(id: resellerID)?.parentID == caller.id
        case .vendor, .operator:
            return false
        }
    }

    /// A subscription of the distributor acting, to the vendor's products, or billed through the
    /// reseller acting (a tier-1 reseller is on the subscriptions of its tier-2 resellers' customers).
    static func subscription(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> Subscription {
        guard IdentifierKind.subscription.matches(id), let subscription = try tx.subscription(id: id) else {
            throw DomainError.notFound("subscription", id)
        }
        let visible: Bool
        switch tenant {
        case .distributor(let distributorID): visible = subscription.distributorID == distributorID
        case .vendor(let vendorID): visible = subscription.vendorID == vendorID
        case .reseller(let caller):
            let billedThrough = caller.tier == 1 ? subscription.tiers.tier1ID : subscription.tiers.tier2ID
            visible = subscription.distributorID == caller.distributorID && billedThrough == caller.id
        case .operator: visible = false
        }
        guard visible else { throw DomainError.notFound("subscription", id) }
        return subscription
    }

    // MARK: Lists

    /// Every element of a paged list, for checks that must see all matches; the lists read this
    /// way are small by construction (one party's listings of one product, a reseller's children).
    static func all<T>(_ list: (PageRequest) throws -> Page<T>) throws -> [T] {
        var items: [T] = []
        var page = try list(PageRequest(size: Limits.maxPageSize))
        items += page.items
        while let after = page.nextAfter {
            page = try list(PageRequest(size: Limits.maxPageSize, after: after))
            items += page.items
        }
        return items
    }

    /// The first element of a list, if any.
    static func first<T>(_ list: (PageRequest) throws -> Page<T>) throws -> T? {
        try list(PageRequest(size: 1)).items.first
    }

    /// An empty page, for a filter that can match nothing the caller may see.
    static func emptyPage<T>() -> Page<T> { Page(items: [], nextAfter: nil) }
}
