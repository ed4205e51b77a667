// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A customer account, `TA-d-dddd-dddd-dddd`: owns subscriptions and never logs in.
public struct Customer: Sendable, Hashable {
    public var id: String
    public var distributorID: String
    /// The reseller the customer buys through; nil for a distributor's direct customer.
    public var resellerID: String?
    public var name: String
    public var externalID: String
    public var createdAt: Timestamp

    public init(
        id: String, distributorID: String, resellerID: String?, name: String, externalID: String, createdAt: Timestamp
    ) {
        self.id = id
        self.distributorID = distributorID
        self.resellerID = resellerID
        self.name = name
        self.externalID = externalID
        self.createdAt = createdAt
    }
}
