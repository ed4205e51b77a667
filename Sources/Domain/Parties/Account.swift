// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A vendor (`VA-ddd-ddd`) or distributor (`PA-ddd-ddd`) account, created by the operator.
public struct Account: Sendable, Hashable {
    public var id: String
    /// `.vendor` or `.distributor`.
    public var role: Role
    public var name: String
    public var createdAt: Timestamp

    public init(id: String, role: Role, name: String, createdAt: Timestamp) {
        self.id = id
        self.role = role
        self.name = name
        self.createdAt = createdAt
    }
}
