// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// API keys and service identities: what authentication looks up.

private let apiKeyColumns =
    "seq, id, account_id, role, scope, name, secret_hash, created_at, last_used_at, revoked_at"

private func decodeAPIKey(_ row: borrowing SQLiteRow) throws -> APIKey {
    APIKey(
        id: try row.text(1), accountID: try row.text(2), role: try row.enumeration(Role.self, 3),
        scope: try row.enumeration(KeyScope.self, 4), name: try row.text(5), secretHash: try row.blob(6),
        createdAt: try row.timestamp(7), lastUsedAt: try row.optionalTimestamp(8),
        revokedAt: try row.optionalTimestamp(9))
}

private let identityColumns = "seq, id, distributor_id, name, subject, sha256_fingerprint, created_at, revoked_at"

private func decodeIdentity(_ row: borrowing SQLiteRow) throws -> ServiceIdentity {
    ServiceIdentity(
        id: try row.text(1), distributorID: try row.text(2), name: try row.text(3), subject: try row.optionalText(4),
        sha256Fingerprint: try row.optionalText(5), createdAt: try row.timestamp(6),
        revokedAt: try row.optionalTimestamp(7))
}

/// The rules a service identity can break besides its id.
private func identityUniqueness(_ identity: ServiceIdentity) -> [StorageFailure.Uniqueness] {
    [
        StorageFailure.Uniqueness(
            columns: "service_identities.subject",
            message: "a valid service identity with subject \(identity.subject ?? "") already exists",
            field: "subject"),
        StorageFailure.Uniqueness(
            columns: "service_identities.sha256_fingerprint",
            message: "a valid service identity with this fingerprint already exists", field: "sha256_fingerprint"),
    ]
}

extension StoreReadTransaction {
    func apiKey(id: String) throws -> APIKey? {
        try fetch("api_keys", apiKeyColumns, id: id, decode: decodeAPIKey)
    }

    func apiKeys(accountID: String, includeRevoked: Bool, page: PageRequest) throws -> Page<APIKey> {
        var filter = RowFilter("account_id", equals: accountID)
        if !includeRevoked { filter.add("revoked_at IS NULL") }
        return try self.page("api_keys", apiKeyColumns, filter, page, decode: decodeAPIKey)
    }

    func serviceIdentity(id: String) throws -> ServiceIdentity? {
        try fetch("service_identities", identityColumns, id: id, decode: decodeIdentity)
    }

    func serviceIdentities(distributorID: String, includeRevoked: Bool, page: PageRequest) throws
        -> Page<ServiceIdentity>
    {
        var filter = RowFilter("distributor_id", equals: distributorID)
        if !includeRevoked { filter.add("revoked_at IS NULL") }
        return try self.page("service_identities", identityColumns, filter, page, decode: decodeIdentity)
    }

    func serviceIdentities(fingerprint: String, subject: String) throws -> [ServiceIdentity] {
        var filter = RowFilter()
        filter.add("revoked_at IS NULL")
        filter.add("(sha256_fingerprint = ? OR subject = ?)", .text(fingerprint), .text(subject))
        return try fetchAll("service_identities", identityColumns, filter, decode: decodeIdentity)
    }
}

extension StoreWriteTransaction {
    func insert(_ key: APIKey) throws {
        try run(
            "INSERT INTO api_keys (id, account_id, role, scope, name, secret_hash, created_at, last_used_at, "
                + "revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(key.id)] + apiKeyValues(key), noun: "API key", id: key.id)
    }

    func update(_ key: APIKey) throws {
        try update(
            "UPDATE api_keys SET account_id = ?, role = ?, scope = ?, name = ?, secret_hash = ?, created_at = ?, "
                + "last_used_at = ?, revoked_at = ? WHERE id = ?",
            apiKeyValues(key) + [.text(key.id)], noun: "API key", id: key.id)
    }

    func insert(_ identity: ServiceIdentity) throws {
        try run(
            "INSERT INTO service_identities (id, distributor_id, name, subject, sha256_fingerprint, created_at, "
                + "revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(identity.id)] + identityValues(identity), noun: "service identity", id: identity.id,
            uniqueness: identityUniqueness(identity))
    }

    func update(_ identity: ServiceIdentity) throws {
        try update(
            "UPDATE service_identities SET distributor_id = ?, name = ?, subject = ?, sha256_fingerprint = ?, "
                + "created_at = ?, revoked_at = ? WHERE id = ?",
            identityValues(identity) + [.text(identity.id)], noun: "service identity", id: identity.id,
            uniqueness: identityUniqueness(identity))
    }

    /// Every column but the id, in the order the statements above list them.
    private func apiKeyValues(_ key: APIKey) -> [SQLiteValue] {
        [
            .text(key.accountID), SQLiteValue(key.role), SQLiteValue(key.scope), .text(key.name),
            .blob(key.secretHash), SQLiteValue(key.createdAt), SQLiteValue(key.lastUsedAt),
            SQLiteValue(key.revokedAt),
        ]
    }

    private func identityValues(_ identity: ServiceIdentity) -> [SQLiteValue] {
        [
            .text(identity.distributorID), .text(identity.name), SQLiteValue(identity.subject),
            SQLiteValue(identity.sha256Fingerprint), SQLiteValue(identity.createdAt), SQLiteValue(identity.revokedAt),
        ]
    }
}
