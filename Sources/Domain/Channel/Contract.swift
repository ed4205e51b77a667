// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A contract's life: the distributor offers (`pending`), the vendor accepts (`active`), either
/// side terminates.
public enum ContractStatus: String, Sendable, Hashable, CaseIterable {
    case pending, active, terminated
}

/// A distribution contract, `CRD-ddddd-ddddd-ddddd`, between a vendor and a distributor for one marketplace.
public struct Contract: Sendable, Hashable {
    public var id: String
    public var vendorID: String
    public var distributorID: String
    public var marketplaceID: String
    public var status: ContractStatus
    public var history: [StatusChange]
    public var createdAt: Timestamp

    public init(
        id: String, vendorID: String, distributorID: String, marketplaceID: String, status: ContractStatus,
        history: [StatusChange], createdAt: Timestamp
    ) {
        self.id = id
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.marketplaceID = marketplaceID
        self.status = status
        self.history = history
        self.createdAt = createdAt
    }

    /// pending → active (the vendor).
    public mutating func accept(at time: Timestamp, by actor: String) throws(DomainError) {
        guard status == .pending else {
            throw .wrongState("contract \(id) is \(status.rawValue); only pending contracts can be accepted")
        }
        change(to: .active, at: time, by: actor, reason: "")
    }

    /// pending or active → terminated (either side).
    public mutating func terminate(at time: Timestamp, by actor: String, reason: String) throws(DomainError) {
        guard status != .terminated else {
            throw .wrongState("contract \(id) is already terminated")
        }
        change(to: .terminated, at: time, by: actor, reason: reason)
    }

    private mutating func change(to new: ContractStatus, at time: Timestamp, by actor: String, reason: String) {
        history.append(StatusChange(from: status.rawValue, to: new.rawValue, at: time, actor: actor, reason: reason))
        status = new
    }
}
