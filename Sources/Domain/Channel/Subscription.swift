// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A subscription's life: `active → suspended ↔ active → terminated`.
public enum SubscriptionStatus: String, Sendable, Hashable, CaseIterable {
    case active, suspended, terminated
}

/// The accounts a subscription is billed through.
public struct Tiers: Sendable, Hashable {
    public var customerID: String
    /// Nil for a distributor's direct customer.
    public var tier1ID: String?
    /// Set only when the customer buys through a tier-2 reseller.
    public var tier2ID: String?

    public init(customerID: String, tier1ID: String?, tier2ID: String?) {
        self.customerID = customerID
        self.tier1ID = tier1ID
        self.tier2ID = tier2ID
    }
}

/// A named subscription parameter; at most one per subscription is the reconciliation id.
public struct Parameter: Sendable, Hashable {
    public var name: String
    public var value: String
    public var reconciliation: Bool

    public init(name: String, value: String, reconciliation: Bool = false) {
        self.name = name
        self.value = value
        self.reconciliation = reconciliation
    }
}

/// A customer's subscription, `AS-dddd-dddd-dddd`, to a listed product in a marketplace.
public struct Subscription: Sendable, Hashable {
    public var id: String
    public var productID: String
    public var vendorID: String
    public var distributorID: String
    public var marketplaceID: String
    public var contractID: String
    public var tiers: Tiers
    public var externalID: String
    public var externalUID: String
    public var parameters: [Parameter]
    public var status: SubscriptionStatus
    /// Oldest first; the first entry is the creation, so usage validation can tell when it was active.
    public var history: [StatusChange]
    public var createdAt: Timestamp

    public init(
        id: String, productID: String, vendorID: String, distributorID: String, marketplaceID: String,
        contractID: String, tiers: Tiers, externalID: String, externalUID: String, parameters: [Parameter],
        status: SubscriptionStatus, history: [StatusChange], createdAt: Timestamp
    ) {
        self.id = id
        self.productID = productID
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.marketplaceID = marketplaceID
        self.contractID = contractID
        self.tiers = tiers
        self.externalID = externalID
        self.externalUID = externalUID
        self.parameters = parameters
        self.status = status
        self.history = history
        self.createdAt = createdAt
    }

    /// The reconciliation parameter's value, if one is marked.
    public var reconciliationID: String? { parameters.first { $0.reconciliation }?.value }

    /// active → suspended.
    public mutating func suspend(at time: Timestamp, by actor: String, reason: String) throws(DomainError) {
        guard status == .active else {
            throw .wrongState("subscription \(id) is \(status.rawValue); only active subscriptions can be suspended")
        }
        change(to: .suspended, at: time, by: actor, reason: reason)
    }

    /// suspended → active.
    public mutating func resume(at time: Timestamp, by actor: String, reason: String) throws(DomainError) {
        guard status == .suspended else {
            throw .wrongState("subscription \(id) is \(status.rawValue); only suspended subscriptions can be resumed")
        }
        change(to: .active, at: time, by: actor, reason: reason)
    }

    /// active or suspended → terminated.
    public mutating func terminate(at time: Timestamp, by actor: String, reason: String) throws(DomainError) {
        guard status != .terminated else {
            throw .wrongState("subscription \(id) is already terminated")
        }
        change(to: .terminated, at: time, by: actor, reason: reason)
    }

    /// The intervals during which the subscription was active, from its history; the last one is
    /// open (`end == nil`) while it is still active.
    public var activeIntervals: [(start: Timestamp, end: Timestamp?)] {
        var intervals: [(start: Timestamp, end: Timestamp?)] = []
        var openSince: Timestamp?
        for change in history {
            if change.to == SubscriptionStatus.active.rawValue {
                if openSince == nil { openSince = change.at }
            } else if let start = openSince {
                intervals.append((start, change.at))
                openSince = nil
            }
        }
        if let start = openSince { intervals.append((start, nil)) }
        return intervals
    }

    private mutating func change(to new: SubscriptionStatus, at time: Timestamp, by actor: String, reason: String) {
        history.append(StatusChange(from: status.rawValue, to: new.rawValue, at: time, actor: actor, reason: reason))
        status = new
    }
}
