// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Listings: a vendor asks to list its product under an active contract; the distributor approves,
/// declines or later unlists it.
public struct ListingOperations: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// Asks to list the vendor's product in the marketplace of the vendor's active contract (`pending`).
    ///
    /// A product has at most one live (pending or listed) listing per contract; after a decline or
    /// an unlisting the vendor may ask again.
    public func request(_ tenant: Tenant, productID: String, contractID: String) async throws -> Listing {
        let vendorID = try ChannelOperations.vendorID(tenant, "request listings")
        var validation = Validation()
        ChannelOperations.require("product_id", productID, into: &validation)
        ChannelOperations.require("contract_id", contractID, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            guard IdentifierKind.product.matches(productID), let product = try tx.product(id: productID),
                product.vendorID == vendorID
            else { throw DomainError.notFound("product", productID) }
            let contract = try ChannelOperations.contract(contractID, visibleTo: tenant, in: tx)
            guard contract.status == .active else {
                throw DomainError.wrongState(
                    "contract \(contract.id) is \(contract.status.rawValue); products can be listed only under an "
                        + "active contract")
            }
            for status in [ListingStatus.pending, .listed] {
                let filter = ListingFilter(productID: product.id, contractID: contract.id, status: status)
                if let live = try ChannelOperations.first({ try tx.listings(filter, page: $0) }) {
                    throw DomainError.alreadyExists(
                        "product \(product.id) already has listing \(live.id) (\(live.status.rawValue)) "
                            + "under contract \(contract.id)")
                }
            }
            let listing = Listing(
                id: try environment.newID(.listing, in: tx), productID: product.id, contractID: contract.id,
                vendorID: vendorID, distributorID: contract.distributorID, marketplaceID: contract.marketplaceID,
                status: .pending,
                history: [StatusChange(from: "", to: ListingStatus.pending.rawValue, at: now, actor: tenant.actor)],
                createdAt: now)
            try tx.insert(listing)
            return listing
        }
    }

    /// pending → listed. The listing's contract must still be active: a terminated contract
    /// leaves its listings alone but takes no new business.
    public func approve(_ tenant: Tenant, id: String) async throws -> Listing {
        _ = try ChannelOperations.distributorID(tenant, "approve listings")
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var listing = try ChannelOperations.listing(id, visibleTo: tenant, in: tx)
            if listing.status == .pending, let contract = try tx.contract(id: listing.contractID),
                contract.status != .active
            {
                throw DomainError.wrongState(
                    "contract \(contract.id) of listing \(listing.id) is \(contract.status.rawValue); "
                        + "listings can be approved only under an active contract")
            }
            try listing.approve(at: now, by: tenant.actor)
            try tx.update(listing)
            return listing
        }
    }

    /// pending → declined, with an optional note of up to 200 characters for the vendor.
    public func decline(_ tenant: Tenant, id: String, note: String) async throws -> Listing {
        _ = try ChannelOperations.distributorID(tenant, "decline listings")
        var validation = Validation()
        validation.text("note", note, maxLength: Limits.noteLength)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var listing = try ChannelOperations.listing(id, visibleTo: tenant, in: tx)
            try listing.decline(at: now, by: tenant.actor, note: note)
            try tx.update(listing)
            return listing
        }
    }

    /// listed → unlisted. Existing subscriptions stay; new ones need a listed product.
    public func unlist(_ tenant: Tenant, id: String) async throws -> Listing {
        _ = try ChannelOperations.distributorID(tenant, "unlist listings")
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var listing = try ChannelOperations.listing(id, visibleTo: tenant, in: tx)
            try listing.unlist(at: now, by: tenant.actor)
            try tx.update(listing)
            return listing
        }
    }

    /// The listings of the vendor's products, or in the distributor's marketplaces, optionally
    /// only those in one status or of one product.
    public func list(
        _ tenant: Tenant, status: ListingStatus? = nil, productID: String? = nil, page: PageRequest
    ) async throws -> Page<Listing> {
        var filter = ListingFilter(productID: productID, status: status)
        switch tenant {
        case .vendor(let id): filter.vendorID = id
        case .distributor(let id): filter.distributorID = id
        default: throw DomainError.permissionDenied("only vendors and distributors have listings")
        }
        return try await environment.store.read { [filter] tx in try tx.listings(filter, page: page) }
    }
}
