// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// What an API key may do.
public enum KeyScope: String, Sendable, Hashable, CaseIterable {
    case full
    case readOnly = "read-only"
}

/// A stored API key: its public id, owner, scope and the SHA-256 hash of its secret — never the secret.
public struct APIKey: Sendable, Hashable {
    /// `KEY-dddd-dddd`; the bearer token begins with it so lookup needs no scan.
    public var id: String
    /// `operator`, a vendor or distributor id, or a reseller id.
    public var accountID: String
    public var role: Role
    public var scope: KeyScope
    public var name: String
    public var secretHash: [UInt8]
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: String, accountID: String, role: Role, scope: KeyScope, name: String, secretHash: [UInt8],
        createdAt: Timestamp, lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.accountID = accountID
        self.role = role
        self.scope = scope
        self.name = name
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}
