// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A distributor's market, `MP-ddddd`, with one ISO 4217 currency.
public struct Marketplace: Sendable, Hashable {
    public var id: String
    public var distributorID: String
    public var name: String
    public var currency: String
    public var createdAt: Timestamp

    public init(id: String, distributorID: String, name: String, currency: String, createdAt: Timestamp) {
        self.id = id
        self.distributorID = distributorID
        self.name = name
        self.currency = currency
        self.createdAt = createdAt
    }
}
