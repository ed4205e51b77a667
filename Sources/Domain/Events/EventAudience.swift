// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The tenants that see an event: vendor, distributor and reseller ids (`VA-…`, `PA-…`, `TA-…`).
///
/// Why a list of ids fixed when the event is written: who may see a change is decided by the
/// object as it was then (a usage file is the distributor's only once submitted), and a stream
/// per tenant must be one indexed range scan, never a join through today's objects. The rules
/// for each kind of object live here, next to each other, so they can be read and tested as one.
public struct EventAudience: Sendable, Hashable {
    /// Distinct ids, sorted, so equal audiences compare equal.
    public private(set) var tenantIDs: [String]

    public init<S: Sequence>(_ tenantIDs: S) where S.Element == String {
        self.tenantIDs = Array(Set(tenantIDs.filter { !$0.isEmpty })).sorted()
    }

    public init(_ tenantIDs: String?...) {
        self.init(tenantIDs.compactMap { $0 })
    }

    /// No tenant: the change is kept in the trail only.
    public static let none = EventAudience([String]())

    public var isEmpty: Bool { tenantIDs.isEmpty }

    public func contains(_ tenantID: String) -> Bool { tenantIDs.contains(tenantID) }

    /// The id under which `tenant`'s events are filed; nil for the operator, who has no events.
    public static func tenantID(of tenant: Tenant) -> String? {
        switch tenant {
        case .operator: nil
        case .vendor(let id), .distributor(let id): id
        case .reseller(let reseller): reseller.id
        }
    }

    // MARK: Rules

    /// A product: its vendor.
    public static func product(_ product: Product) -> EventAudience { EventAudience(product.vendorID) }

    /// An item: its vendor.
    public static func item(_ item: Item) -> EventAudience { EventAudience(item.vendorID) }

    /// A contract: both parties.
    public static func contract(_ contract: Contract) -> EventAudience {
        EventAudience(contract.vendorID, contract.distributorID)
    }

    /// A listing: both parties of its contract.
    public static func listing(_ listing: Listing) -> EventAudience {
        EventAudience(listing.vendorID, listing.distributorID)
    }

    /// A subscription: its distributor and the resellers it is billed through (a tier-1 reseller
    /// sees its tier-2 resellers' customers' subscriptions, as the reseller service lists them).
    public static func subscription(_ subscription: Subscription) -> EventAudience {
        EventAudience(subscription.distributorID, subscription.tiers.tier1ID, subscription.tiers.tier2ID)
    }

    /// A change of a usage file: always its vendor; its distributor when the file is production
    /// and the change enters or leaves a state the distributor sees the file in (the submission
    /// and everything after it, including the vendor taking a rejected file back to re-upload).
    /// A preview file, or a production file never submitted, stays the vendor's own.
    public static func usageFile(_ file: UsageFile, change: StatusChange) -> EventAudience {
        guard file.environment == .production else { return EventAudience(file.vendorID) }
        let seen = UsageFileStatus.reviewed.map(\.rawValue)
        let distributorSees = seen.contains(change.to) || seen.contains(change.from)
        return EventAudience(file.vendorID, distributorSees ? file.distributorID : nil)
    }

    /// A record of a submitted file changed on its own (a close): the distributor that reviews it.
    public static func usageRecord(of file: UsageFile) -> EventAudience { EventAudience(file.distributorID) }

    /// A reconciliation file: the distributor that uploaded it.
    public static func reconciliation(distributorID: String) -> EventAudience { EventAudience(distributorID) }

    /// A reseller's billing mark: that reseller only; the distributor's own status is unchanged.
    public static func resellerBilling(resellerID: String) -> EventAudience { EventAudience(resellerID) }

    /// An API key: the account it acts for, and the distributor that manages a reseller's keys.
    /// The operator's own keys are in the trail only (the operator has no events).
    public static func apiKey(_ key: APIKey, managedBy manager: Tenant) -> EventAudience {
        EventAudience(key.role == .operator ? nil : key.accountID, tenantID(of: manager))
    }

    /// A service identity: its distributor.
    public static func serviceIdentity(_ identity: ServiceIdentity) -> EventAudience {
        EventAudience(identity.distributorID)
    }
}
