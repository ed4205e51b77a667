// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Subscriptions: created by a customer's distributor or reseller for a product listed in one of
/// the distributor's marketplaces; suspended, resumed and terminated by the distributor only.
public struct SubscriptionOperations: Sendable {
    /// What a caller asks for when it subscribes a customer.
    public struct Draft: Sendable, Hashable {
        public var customerID: String
        public var productID: String
        public var marketplaceID: String
        /// The caller's own reference; unique per distributor when not empty.
        public var externalID: String
        public var externalUID: String
        public var parameters: [Parameter]

        public init(
            customerID: String, productID: String, marketplaceID: String, externalID: String = "",
            externalUID: String = "", parameters: [Parameter] = []
        ) {
            self.customerID = customerID
            self.productID = productID
            self.marketplaceID = marketplaceID
            self.externalID = externalID
            self.externalUID = externalUID
            self.parameters = parameters
        }
    }

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// Subscribes one of the caller's customers (`active`).
    ///
    /// The product must be listed (status `listed`, contract active) in that marketplace, which
    /// must belong to the customer's distributor; the tiers come from the customer's reseller
    /// chain, and a customer of a tier-2 reseller needs a product with two reseller levels.
    public func create(_ tenant: Tenant, _ draft: Draft) async throws -> Subscription {
        guard tenant.role == .distributor || tenant.role == .reseller else {
            throw DomainError.permissionDenied("only distributors and resellers can create subscriptions")
        }
        try Self.validate(draft)
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let customer = try ChannelOperations.customer(draft.customerID, visibleTo: tenant, in: tx)
            let marketplace = try ChannelOperations.marketplace(
                draft.marketplaceID, ofDistributor: customer.distributorID, in: tx)
            let (product, listing) = try Self.listedProduct(draft.productID, in: marketplace, tx: tx)
            let tiers = try Self.tiers(of: customer, in: tx)
            if tiers.tier2ID != nil && product.capabilities.tierLevels < 2 {
                throw DomainError.wrongState(
                    "product \(product.id) allows \(product.capabilities.tierLevels) reseller level; customer "
                        + "\(customer.id) buys through tier-2 reseller \(tiers.tier2ID ?? "")")
            }
            if !draft.externalID.isEmpty {
                let filter = SubscriptionFilter(distributorID: customer.distributorID, externalID: draft.externalID)
                if try ChannelOperations.first({ try tx.subscriptions(filter, page: $0) }) != nil {
                    throw DomainError.alreadyExists(
                        "a subscription with this external_id already exists", field: "external_id")
                }
            }
            let subscription = Subscription(
                id: try environment.newID(.subscription, in: tx), productID: product.id, vendorID: product.vendorID,
                distributorID: customer.distributorID, marketplaceID: marketplace.id, contractID: listing.contractID,
                tiers: tiers, externalID: draft.externalID, externalUID: draft.externalUID,
                parameters: draft.parameters, status: .active,
                history: [StatusChange(from: "", to: SubscriptionStatus.active.rawValue, at: now, actor: tenant.actor)],
                createdAt: now)
            try tx.insert(subscription)
            return subscription
        }
    }

    /// One subscription the caller sees: the distributor's own, the vendor's products', or one
    /// billed through the reseller acting.
    public func get(_ tenant: Tenant, id: String) async throws -> Subscription {
        try await environment.store.read { tx in
            try ChannelOperations.subscription(id, visibleTo: tenant, in: tx)
        }
    }

    /// The subscriptions the caller sees, narrowed by the filters that are not nil.
    ///
    /// `resellerID` matches subscriptions billed through that reseller at tier 1 or 2. For a
    /// reseller caller it must be itself or (tier 1) one of its tier-2 resellers; any other value
    /// gives an empty page, as does a filter for another tenant's product or customer.
    public func list(
        _ tenant: Tenant, productID: String? = nil, customerID: String? = nil, resellerID: String? = nil,
        status: SubscriptionStatus? = nil, externalID: String? = nil, page: PageRequest
    ) async throws -> Page<Subscription> {
        var filter = SubscriptionFilter(
            productID: productID, customerID: customerID, resellerID: resellerID, status: status,
            externalID: externalID)
        switch tenant {
        case .distributor(let id):
            filter.distributorID = id
        case .vendor(let id):
            filter.vendorID = id
        case .reseller(let caller):
            filter.distributorID = caller.distributorID
            return try await environment.store.read { [filter] tx in
                var filter = filter
                switch resellerID {
                case nil, caller.id?:
                    filter.resellerID = caller.id
                case let other?:
                    // Only a tier-1 reseller may narrow to one of its own tier-2 resellers.
                    guard caller.tier == 1, IdentifierKind.tierAccount.matches(other),
                        try tx.reseller(id: other)?.parentID == caller.id
                    else { return ChannelOperations.emptyPage() }
                }
                return try tx.subscriptions(filter, page: page)
            }
        case .operator:
            throw DomainError.permissionDenied("the operator has no subscriptions")
        }
        return try await environment.store.read { [filter] tx in try tx.subscriptions(filter, page: page) }
    }

    /// active → suspended, by the distributor.
    public func suspend(_ tenant: Tenant, id: String, reason: String) async throws -> Subscription {
        try await change(tenant, id: id, reason: reason, action: "suspend") { subscription, now, actor in
            try subscription.suspend(at: now, by: actor, reason: reason)
        }
    }

    /// suspended → active, by the distributor.
    public func resume(_ tenant: Tenant, id: String, reason: String) async throws -> Subscription {
        try await change(tenant, id: id, reason: reason, action: "resume") { subscription, now, actor in
            try subscription.resume(at: now, by: actor, reason: reason)
        }
    }

    /// active or suspended → terminated, by the distributor.
    public func terminate(_ tenant: Tenant, id: String, reason: String) async throws -> Subscription {
        try await change(tenant, id: id, reason: reason, action: "terminate") { subscription, now, actor in
            try subscription.terminate(at: now, by: actor, reason: reason)
        }
    }

    // MARK: Internals

    private func change(
        _ tenant: Tenant, id: String, reason: String, action: String,
        _ transition: @escaping @Sendable (inout Subscription, Timestamp, String) throws -> Void
    ) async throws -> Subscription {
        _ = try ChannelOperations.distributorID(tenant, "\(action) subscriptions")
        var validation = Validation()
        validation.text("reason", reason, maxLength: Limits.noteLength)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var subscription = try ChannelOperations.subscription(id, visibleTo: tenant, in: tx)
            try transition(&subscription, now, tenant.actor)
            try tx.update(subscription)
            return subscription
        }
    }

    /// Every field rule of a draft, collected at once.
    static func validate(_ draft: Draft) throws(DomainError) {
        var validation = Validation()
        ChannelOperations.require("customer_id", draft.customerID, into: &validation)
        ChannelOperations.require("product_id", draft.productID, into: &validation)
        ChannelOperations.require("marketplace_id", draft.marketplaceID, into: &validation)
        validation.text("external_id", draft.externalID, maxLength: Limits.externalIDLength)
        validation.text("external_uid", draft.externalUID, maxLength: Limits.externalIDLength)
        if draft.parameters.count > Limits.maxParameters {
            validation.fail(
                "parameters", "must have at most \(Limits.maxParameters) entries (got \(draft.parameters.count))")
        }
        var firstIndexByName: [String: Int] = [:]
        var reconciliationIndex: Int?
        for (index, parameter) in draft.parameters.enumerated() {
            let field = "parameters[\(index)]"
            validation.name("\(field).name", parameter.name)
            validation.text("\(field).value", parameter.value, maxLength: Limits.externalIDLength)
            if let first = firstIndexByName[parameter.name] {
                validation.fail("\(field).name", "duplicates parameters[\(first)].name")
            } else {
                firstIndexByName[parameter.name] = index
            }
            if parameter.reconciliation {
                if let first = reconciliationIndex {
                    validation.fail(
                        "\(field).reconciliation",
                        "only one parameter can be the reconciliation id (parameters[\(first)] already is)")
                } else {
                    reconciliationIndex = index
                }
            }
        }
        try validation.check()
    }

    /// The product and its listing in `marketplace`: a listing in status `listed` whose contract
    /// is active.
    ///
    /// No listing at all is NOT_FOUND with the same message whether or not the product exists,
    /// so a distributor cannot probe other vendors' catalogues; a listing that is not (or no
    /// longer) usable is FAILED_PRECONDITION saying why.
    static func listedProduct(
        _ productID: String, in marketplace: Marketplace, tx: any StoreReader
    ) throws -> (Product, Listing) {
        let notListed = DomainError(
            kind: .notFound, message: "product \(productID) is not listed in marketplace \(marketplace.id)")
        guard IdentifierKind.product.matches(productID) else { throw notListed }
        let filter = ListingFilter(
            distributorID: marketplace.distributorID, productID: productID, marketplaceID: marketplace.id)
        let listings = try ChannelOperations.all { try tx.listings(filter, page: $0) }
        guard let latest = listings.last else { throw notListed }
        let listed = listings.filter { $0.status == .listed }
        guard !listed.isEmpty else {
            throw DomainError.wrongState(
                "product \(productID) is not listed in marketplace \(marketplace.id): its listing \(latest.id) is "
                    + latest.status.rawValue)
        }
        for listing in listed.reversed() {
            if try tx.contract(id: listing.contractID)?.status == .active,
                let product = try tx.product(id: productID)
            {
                return (product, listing)
            }
        }
        let contract = try tx.contract(id: listed[listed.count - 1].contractID)
        throw DomainError.wrongState(
            "product \(productID) is listed in marketplace \(marketplace.id) only under contract "
                + "\(contract?.id ?? listed[listed.count - 1].contractID), which is "
                + (contract?.status.rawValue ?? "gone"))
    }

    /// The accounts a customer's subscriptions are billed through, from its reseller chain.
    static func tiers(of customer: Customer, in tx: any StoreReader) throws -> Tiers {
        guard let resellerID = customer.resellerID else {
            return Tiers(customerID: customer.id, tier1ID: nil, tier2ID: nil)
        }
        guard let reseller = try tx.reseller(id: resellerID) else {
            throw DomainError.internalFailure("customer \(customer.id) names missing reseller \(resellerID)")
        }
        if reseller.tier == 2 {
            return Tiers(customerID: customer.id, tier1ID: reseller.parentID, tier2ID: reseller.id)
        }
        return Tiers(customerID: customer.id, tier1ID: reseller.id, tier2ID: nil)
    }
}
