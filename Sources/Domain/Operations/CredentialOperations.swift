// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Credentials: API keys (issued, listed, revoked, checked) and distributors' service identities.
///
/// Who manages whose keys:
/// - the operator issues keys for itself (account `operator`), vendors and distributors, and
///   sees and revokes only those;
/// - a distributor issues keys for its own resellers, and sees and revokes only those.
///
/// A key of anyone else is NOT_FOUND, with the same message as a missing one. The secret is made
/// here from `hashing`'s random bytes, returned once in `IssuedKey`, and stored only as its
/// SHA-256; nothing in this type logs or returns it otherwise.
public struct CredentialOperations: Sendable {
    public let environment: DomainEnvironment
    public let hashing: any SecretHashing

    /// The account id of the operator's own keys.
    public static let operatorAccountID = "operator"

    public init(environment: DomainEnvironment, hashing: any SecretHashing) {
        self.environment = environment
        self.hashing = hashing
    }

    /// A new key and its bearer token, which exists only in this value: show it once, then drop it.
    public struct IssuedKey: Sendable {
        public let key: APIKey
        public let token: APIKeyToken
    }

    /// A key that authenticated, and the tenant it acts for.
    public struct AuthenticatedKey: Sendable, Hashable {
        public let key: APIKey
        public let tenant: Tenant

        public init(key: APIKey, tenant: Tenant) {
            self.key = key
            self.tenant = tenant
        }
    }

    // MARK: API keys

    /// Issues a key for `accountID`: for the operator, `operator` or a vendor or distributor
    /// account; for a distributor, one of its resellers. The key's role is its account's.
    public func issueKey(_ tenant: Tenant, accountID: String, scope: KeyScope, name: String) async throws -> IssuedKey {
        try Self.requireKeyManager(tenant)
        var validation = Validation()
        if accountID.isEmpty { validation.fail("account_id", "is required") }
        validation.text("name", name, maxLength: Limits.nameLength)
        try validation.check()
        let secretBytes: [UInt8]
        do {
            secretBytes = try hashing.randomBytes(APIKeyToken.secretByteCount)
        } catch {
            throw DomainError.internalFailure("no random bytes for a key secret: \(error)")
        }
        guard secretBytes.count == APIKeyToken.secretByteCount else {
            throw DomainError.internalFailure("the random source gave \(secretBytes.count) bytes, not 32")
        }
        let now = environment.clock.now()
        return try await environment.store.write { [hashing] tx in
            let role = try Self.keyOwnerRole(accountID, managedBy: tenant, in: tx)
            let token = APIKeyToken(keyID: try environment.newID(.apiKey, in: tx), secretBytes: secretBytes)
            let key = APIKey(
                id: token.keyID, accountID: accountID, role: role, scope: scope, name: name,
                secretHash: token.secretHash(using: hashing), createdAt: now)
            try tx.insert(key)
            try tx.appendEvent(.apiKey(key, from: nil, managedBy: tenant, at: now))
            return IssuedKey(key: key, token: token)
        }
    }

    /// The keys of an account the caller manages, oldest first, without revoked ones unless asked.
    public func listKeys(
        _ tenant: Tenant, accountID: String, includeRevoked: Bool, page: PageRequest
    ) async throws -> Page<APIKey> {
        try Self.requireKeyManager(tenant)
        var validation = Validation()
        if accountID.isEmpty { validation.fail("account_id", "is required") }
        try validation.check()
        return try await environment.store.read { tx in
            _ = try Self.keyOwnerRole(accountID, managedBy: tenant, in: tx)
            return try tx.apiKeys(accountID: accountID, includeRevoked: includeRevoked, page: page)
        }
    }

    /// Revokes a key the caller manages, at once. Revoking a revoked key changes nothing and
    /// returns it as it is, so a retried revoke succeeds.
    public func revokeKey(_ tenant: Tenant, id: String) async throws -> APIKey {
        try Self.requireKeyManager(tenant)
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            guard IdentifierKind.apiKey.matches(id), var key = try tx.apiKey(id: id),
                try Self.manages(tenant, key, in: tx)
            else { throw DomainError.notFound("API key", id) }
            guard !key.isRevoked else { return key }
            key.revokedAt = now
            try tx.update(key)
            try tx.appendEvent(.apiKey(key, from: "active", managedBy: tenant, at: now))
            return key
        }
    }

    /// The key `token` proves, with the tenant it acts for; nil when the key is unknown or
    /// revoked, the secret is wrong, or its account is gone — one answer for all, so a caller
    /// cannot tell which. Throws only when the store fails.
    ///
    /// A reseller key's tenant is read from the reseller's row, so it carries the reseller's
    /// current tier, parent and permissions.
    public func authenticate(_ token: APIKeyToken) async throws -> AuthenticatedKey? {
        let presented = token.secretHash(using: hashing)
        return try await environment.store.read { [hashing] tx in
            guard let key = try tx.apiKey(id: token.keyID) else {
                // Compare anyway, so an unknown id takes as long as a wrong secret.
                _ = hashing.constantTimeEquals(presented, presented.map { ~$0 })
                return nil
            }
            guard token.matches(key, using: hashing), let tenant = try Self.tenant(of: key, in: tx) else { return nil }
            return AuthenticatedKey(key: key, tenant: tenant)
        }
    }

    /// Records that `keyID` was used at `time`. Never moves the time backwards; a missing key is
    /// ignored (the last-use time is advice for people, not a rule). Callers throttle this, since
    /// it is a write.
    public func recordUse(keyID: String, at time: Timestamp) async throws {
        try await environment.store.write { tx in
            guard var key = try tx.apiKey(id: keyID) else { return }
            if let last = key.lastUsedAt, last >= time { return }
            key.lastUsedAt = time
            try tx.update(key)
        }
    }

    /// The tenant a stored key acts for, or nil when its account no longer matches it.
    static func tenant(of key: APIKey, in tx: any StoreReader) throws -> Tenant? {
        switch key.role {
        case .operator:
            return key.accountID == operatorAccountID ? .operator : nil
        case .vendor:
            guard let account = try tx.account(id: key.accountID), account.role == .vendor else { return nil }
            return .vendor(id: account.id)
        case .distributor:
            guard let account = try tx.account(id: key.accountID), account.role == .distributor else { return nil }
            return .distributor(id: account.id)
        case .reseller:
            return try tx.reseller(id: key.accountID).map { .reseller($0.tenant) }
        }
    }

    // MARK: Who manages which keys

    /// PERMISSION_DENIED for callers that manage no keys.
    static func requireKeyManager(_ tenant: Tenant) throws(DomainError) {
        switch tenant {
        case .operator, .distributor: return
        case .vendor, .reseller:
            throw .permissionDenied("only the operator and distributors can manage API keys")
        }
    }

    /// The role of a key for `accountID` issued by `tenant`, or NOT_FOUND when `tenant` manages no
    /// such account: the operator manages itself, vendors and distributors; a distributor its resellers.
    static func keyOwnerRole(_ accountID: String, managedBy tenant: Tenant, in tx: any StoreReader) throws -> Role {
        switch tenant {
        case .operator:
            if accountID == operatorAccountID { return .operator }
            return try AccountOperations.account(accountID, in: tx).role
        case .distributor(let distributorID):
            guard IdentifierKind.tierAccount.matches(accountID), let reseller = try tx.reseller(id: accountID),
                reseller.distributorID == distributorID
            else { throw DomainError.notFound("reseller", accountID) }
            return .reseller
        case .vendor, .reseller:
            throw DomainError.permissionDenied("only the operator and distributors can manage API keys")
        }
    }

    /// Whether `tenant` manages the stored `key`.
    static func manages(_ tenant: Tenant, _ key: APIKey, in tx: any StoreReader) throws -> Bool {
        switch tenant {
        case .operator:
            return key.role == .operator || key.role == .vendor || key.role == .distributor
        case .distributor(let distributorID):
            guard key.role == .reseller else { return false }
            return try tx.reseller(id: key.accountID)?.distributorID == distributorID
        case .vendor, .reseller:
            return false
        }
    }
}
