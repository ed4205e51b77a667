// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A reseller, `TA-d-dddd-dddd-dddd`: tier 1 under a distributor, or tier 2 under a tier-1 reseller.
public struct Reseller: Sendable, Hashable {
    public var id: String
    public var distributorID: String
    /// 1 or 2.
    public var tier: Int
    /// The tier-1 reseller above a tier-2 one; nil for tier 1.
    public var parentID: String?
    public var name: String
    /// A tier-1 reseller the distributor allows to create tier-2 resellers.
    public var allowTier2: Bool
    public var createdAt: Timestamp

    public init(
        id: String, distributorID: String, tier: Int, parentID: String?, name: String, allowTier2: Bool,
        createdAt: Timestamp
    ) {
        self.id = id
        self.distributorID = distributorID
        self.tier = tier
        self.parentID = parentID
        self.name = name
        self.allowTier2 = allowTier2
        self.createdAt = createdAt
    }

    /// The tenant a key of this reseller authenticates as.
    public var tenant: ResellerTenant {
        ResellerTenant(id: id, distributorID: distributorID, tier: tier, parentID: parentID, allowTier2: allowTier2)
    }
}
