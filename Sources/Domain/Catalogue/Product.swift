// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A vendor's product, `PRD-ddd-ddd-ddd`.
public struct Product: Sendable, Hashable {
    public var id: String
    public var vendorID: String
    public var name: String
    public var description: String
    public var capabilities: Capabilities
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, vendorID: String, name: String, description: String, capabilities: Capabilities,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.vendorID = vendorID
        self.name = name
        self.description = description
        self.capabilities = capabilities
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
