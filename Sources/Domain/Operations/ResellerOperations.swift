// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Resellers: a distributor creates tier-1 resellers; a tier-1 reseller the distributor allowed
/// to creates tier-2 resellers under itself. Two levels at most.
public struct ResellerOperations: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// A distributor creates a tier-1 reseller (`allowTier2` lets it create tier-2 resellers); a
    /// tier-1 reseller with that permission creates a tier-2 reseller under itself.
    ///
    /// Only a distributor grants `allowTier2`: a reseller asking for it is INVALID_ARGUMENT, since
    /// a tier-2 reseller can never have resellers. A reseller without the permission, or at tier 2,
    /// is FAILED_PRECONDITION saying why.
    public func create(_ tenant: Tenant, name: String, allowTier2: Bool) async throws -> Reseller {
        var validation = Validation()
        validation.name("name", name)
        switch tenant {
        case .distributor: break
        case .reseller:
            if allowTier2 {
                validation.fail("allow_tier2", "only a distributor can set it: tier-2 resellers cannot have resellers")
            }
        default:
            throw DomainError.permissionDenied("only distributors and tier-1 resellers can create resellers")
        }
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let distributorID: String
            let tier: Int
            let parentID: String?
            switch tenant {
            case .distributor(let id):
                (distributorID, tier, parentID) = (id, 1, nil)
            case .reseller(let caller):
                // The stored row, not the credential's snapshot: the permission may have changed.
                guard let parent = try tx.reseller(id: caller.id) else {
                    throw DomainError.notFound("reseller", caller.id)
                }
                guard parent.tier == 1 else {
                    throw DomainError.wrongState(
                        "reseller \(parent.id) is a tier-2 reseller; only tier-1 resellers can create resellers")
                }
                guard parent.allowTier2 else {
                    throw DomainError.wrongState(
                        "reseller \(parent.id) may not create tier-2 resellers: its distributor has not allowed it")
                }
                (distributorID, tier, parentID) = (parent.distributorID, 2, parent.id)
            default:
                throw DomainError.permissionDenied("only distributors and tier-1 resellers can create resellers")
            }
            let reseller = Reseller(
                id: try environment.newID(.tierAccount, in: tx), distributorID: distributorID, tier: tier,
                parentID: parentID, name: name, allowTier2: tier == 1 && allowTier2, createdAt: now)
            try tx.insert(reseller)
            return reseller
        }
    }

    /// One of the distributor's resellers; for a reseller, itself or one of its tier-2 resellers.
    public func get(_ tenant: Tenant, id: String) async throws -> Reseller {
        try await environment.store.read { tx in
            try ChannelOperations.reseller(id, visibleTo: tenant, in: tx)
        }
    }

    /// Adds a violation unless a tier filter is nil (both tiers), 1 or 2; for services that read
    /// it with the request's other fields.
    public static func validate(tierFilter tier: Int?, into validation: inout Validation) {
        if let tier, tier != 1 && tier != 2 {
            validation.fail("tier", "must be 1 or 2, or 0 for both (got \(tier))")
        }
    }

    /// A distributor's resellers, optionally of one tier (1 or 2) or under one tier-1 reseller; for
    /// a reseller, its own tier-2 resellers (filters that cannot match them give an empty page).
    public func list(_ tenant: Tenant, tier: Int? = nil, parentID: String? = nil, page: PageRequest) async throws
        -> Page<Reseller>
    {
        var validation = Validation()
        Self.validate(tierFilter: tier, into: &validation)
        try validation.check()
        let filter: ResellerFilter
        switch tenant {
        case .distributor(let id):
            filter = ResellerFilter(distributorID: id, tier: tier, parentID: parentID)
        case .reseller(let caller):
            guard tier == nil || tier == 2, parentID == nil || parentID == caller.id else {
                return ChannelOperations.emptyPage()
            }
            filter = ResellerFilter(distributorID: caller.distributorID, tier: 2, parentID: caller.id)
        default:
            throw DomainError.permissionDenied("only distributors and resellers have resellers")
        }
        return try await environment.store.read { tx in try tx.resellers(filter, page: page) }
    }
}
