// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A distributor's marketplaces: create, get, list.
public struct MarketplaceOperations: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// Creates a marketplace of the distributor acting, priced in one active ISO 4217 currency.
    public func create(_ tenant: Tenant, name: String, currency: String) async throws -> Marketplace {
        let distributorID = try ChannelOperations.distributorID(tenant, "create marketplaces")
        var validation = Validation()
        validation.name("name", name)
        Currency.validate("currency", currency, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let marketplace = Marketplace(
                id: try environment.newID(.marketplace, in: tx), distributorID: distributorID, name: name,
                currency: currency, createdAt: now)
            try tx.insert(marketplace)
            return marketplace
        }
    }

    public func get(_ tenant: Tenant, id: String) async throws -> Marketplace {
        let distributorID = try ChannelOperations.distributorID(tenant, "read marketplaces")
        return try await environment.store.read { tx in
            try ChannelOperations.marketplace(id, ofDistributor: distributorID, in: tx)
        }
    }

    /// The distributor's marketplaces in creation order.
    public func list(_ tenant: Tenant, page: PageRequest) async throws -> Page<Marketplace> {
        let distributorID = try ChannelOperations.distributorID(tenant, "list marketplaces")
        return try await environment.store.read { tx in
            try tx.marketplaces(distributorID: distributorID, page: page)
        }
    }
}
