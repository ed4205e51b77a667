// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A listing's life: the vendor requests (`pending`), the distributor approves (`listed`) or
/// declines; a listed product can be unlisted.
public enum ListingStatus: String, Sendable, Hashable, CaseIterable {
    case pending, listed, declined, unlisted
}

/// A listing, `LST-ddd-ddd-ddd`: a product offered in a marketplace under an active contract.
public struct Listing: Sendable, Hashable {
    public var id: String
    public var productID: String
    public var contractID: String
    public var vendorID: String
    public var distributorID: String
    public var marketplaceID: String
    public var status: ListingStatus
    public var history: [StatusChange]
    public var createdAt: Timestamp

    public init(
        id: String, productID: String, contractID: String, vendorID: String, distributorID: String,
        marketplaceID: String, status: ListingStatus, history: [StatusChange], createdAt: Timestamp
    ) {
        self.id = id
        self.productID = productID
        self.contractID = contractID
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.marketplaceID = marketplaceID
        self.status = status
        self.history = history
        self.createdAt = createdAt
    }

    /// A listing that still counts: a new request for the same product and contract is refused while one exists.
    public var isLive: Bool { status == .pending || status == .listed }

    /// pending → listed.
    public mutating func approve(at time: Timestamp, by actor: String) throws(DomainError) {
        try move(from: .pending, to: .listed, verb: "approved", at: time, by: actor, reason: "")
    }

    /// pending → declined.
    public mutating func decline(at time: Timestamp, by actor: String, note: String) throws(DomainError) {
        try move(from: .pending, to: .declined, verb: "declined", at: time, by: actor, reason: note)
    }

    /// listed → unlisted.
    public mutating func unlist(at time: Timestamp, by actor: String) throws(DomainError) {
        try move(from: .listed, to: .unlisted, verb: "unlisted", at: time, by: actor, reason: "")
    }

    private mutating func move(
        from expected: ListingStatus, to new: ListingStatus, verb: String, at time: Timestamp, by actor: String,
        reason: String
    ) throws(DomainError) {
        guard status == expected else {
            throw .wrongState("listing \(id) is \(status.rawValue); only \(expected.rawValue) listings can be \(verb)")
        }
        history.append(StatusChange(from: status.rawValue, to: new.rawValue, at: time, actor: actor, reason: reason))
        status = new
    }
}
