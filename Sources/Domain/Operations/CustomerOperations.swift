// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Customers: accounts that own subscriptions and never log in, created by a distributor (direct
/// or under one of its resellers) or by a reseller (its own).
public struct CustomerOperations: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// Creates a customer.
    ///
    /// A distributor passes nil for a direct customer or one of its resellers; a reseller passes
    /// nil or its own id (a tier-1 reseller does not create customers for its tier-2 resellers:
    /// they create their own).
    public func create(_ tenant: Tenant, name: String, resellerID: String?, externalID: String) async throws
        -> Customer
    {
        var validation = Validation()
        validation.name("name", name)
        validation.text("external_id", externalID, maxLength: Limits.externalIDLength)
        switch tenant {
        case .distributor:
            break
        case .reseller(let caller):
            if let resellerID, resellerID != caller.id {
                validation.fail("reseller_id", "must be empty or the caller's own id \(caller.id)")
            }
        default:
            throw DomainError.permissionDenied("only distributors and resellers can create customers")
        }
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let distributorID: String
            let owner: String?
            switch tenant {
            case .distributor(let id):
                distributorID = id
                owner = try resellerID.map { try ChannelOperations.reseller($0, visibleTo: tenant, in: tx).id }
            case .reseller(let caller):
                (distributorID, owner) = (caller.distributorID, caller.id)
            default:
                throw DomainError.permissionDenied("only distributors and resellers can create customers")
            }
            let customer = Customer(
                id: try environment.newID(.tierAccount, in: tx), distributorID: distributorID, resellerID: owner,
                name: name, externalID: externalID, createdAt: now)
            try tx.insert(customer)
            return customer
        }
    }

    public func get(_ tenant: Tenant, id: String) async throws -> Customer {
        try await environment.store.read { tx in
            try ChannelOperations.customer(id, visibleTo: tenant, in: tx)
        }
    }

    /// The customers the caller sees, optionally only those of one reseller. A distributor sees
    /// all its customers; a tier-1 reseller its own and its tier-2 resellers'; a tier-2 reseller
    /// its own. A reseller filter naming someone the caller cannot see gives an empty page.
    public func list(_ tenant: Tenant, resellerID: String? = nil, page: PageRequest) async throws -> Page<Customer> {
        switch tenant {
        case .distributor(let id):
            let filter = CustomerFilter(distributorID: id, resellerIDs: resellerID.map { [$0] })
            return try await environment.store.read { tx in try tx.customers(filter, page: page) }
        case .reseller(let caller):
            return try await environment.store.read { tx in
                var visible = [caller.id]
                if caller.tier == 1 {
                    let children = ResellerFilter(distributorID: caller.distributorID, tier: 2, parentID: caller.id)
                    visible += try ChannelOperations.all { try tx.resellers(children, page: $0) }.map(\.id)
                }
                if let resellerID {
                    guard visible.contains(resellerID) else { return ChannelOperations.emptyPage() }
                    visible = [resellerID]
                }
                let filter = CustomerFilter(distributorID: caller.distributorID, resellerIDs: visible)
                return try tx.customers(filter, page: page)
            }
        default:
            throw DomainError.permissionDenied("only distributors and resellers have customers")
        }
    }
}
