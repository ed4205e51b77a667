// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The kind of party an account or a credential belongs to.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case `operator`, vendor, distributor, reseller
}

/// The party a request acts for, as authentication resolved it; every operation scopes its reads
/// and writes to it, so another tenant's objects are simply not found.
public enum Tenant: Sendable, Hashable {
    case `operator`
    case vendor(id: String)
    case distributor(id: String)
    case reseller(ResellerTenant)

    public var role: Role {
        switch self {
        case .operator: .operator
        case .vendor: .vendor
        case .distributor: .distributor
        case .reseller: .reseller
        }
    }

    /// The account id recorded as the actor of changes: `operator`, `VA-…`, `PA-…`, `TA-…`.
    public var actor: String {
        switch self {
        case .operator: "operator"
        case .vendor(let id), .distributor(let id): id
        case .reseller(let reseller): reseller.id
        }
    }
}

/// What authentication knows about a reseller: enough to scope without another lookup.
public struct ResellerTenant: Sendable, Hashable {
    public var id: String
    public var distributorID: String
    /// 1 or 2.
    public var tier: Int
    /// The tier-1 reseller above a tier-2 one.
    public var parentID: String?
    public var allowTier2: Bool

    public init(id: String, distributorID: String, tier: Int, parentID: String?, allowTier2: Bool) {
        self.id = id
        self.distributorID = distributorID
        self.tier = tier
        self.parentID = parentID
        self.allowTier2 = allowTier2
    }
}
