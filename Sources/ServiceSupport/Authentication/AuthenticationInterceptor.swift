// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Authorization
import Crypto
import Domain
import ProtoWire
import RPCCore

/// Turns each call's credential into a `Principal`, applies the method's `Policy`, and hands the
/// principal to the handler (`context.principal`, `context.tenant()`).
///
/// For every routed method outside `publicServices`:
/// 1. no policy for the method: PERMISSION_DENIED — a method someone forgot to declare is closed,
///    not open;
/// 2. `authorization: Bearer KEY-dddd-dddd.<secret>` (scheme in any case): the key must exist,
///    be valid and match its stored hash; anything else is UNAUTHENTICATED with one message that
///    never says whether the key id exists;
/// 3. no `authorization` header but a client certificate: the valid service identity pinned to
///    the leaf's SHA-256 fingerprint, or bound to its subject when the chain was verified
///    against the server's client CA, acting as its distributor with full scope;
/// 4. `policy.authorize`: no credential is UNAUTHENTICATED, a wrong role or a read-only key on
///    a write is PERMISSION_DENIED.
///
/// Verified credentials are cached for `cacheLifetime` (a few seconds), so steady traffic costs
/// one SHA-256 and no database read per call; a revocation through this server's handlers
/// (`ServerContext.credentialRevoked`) takes effect at once. A key's `last_used_at` is written at
/// most once per `lastUseInterval`, and only for calls the policy admits: a refused call changes
/// nothing, not even when the key was last used.
public struct AuthenticationInterceptor: ServerInterceptor {
    /// Services every client may call without a credential: health checks and reflection.
    public static let standardPublicServices: Set<String> = [
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
    ]

    public let policies: [String: Policy]
    public let publicServices: Set<String>
    /// Whether a client certificate's subject may be trusted: true when the server verifies every
    /// presented chain against its client CA (the TLS configuration's `.optional` or `.required`
    /// client-certificate verification). Pinned fingerprints match either way.
    public let clientCertificatesVerified: Bool
    private let operations: CredentialOperations
    private let cache: CredentialCache
    /// `policies` by method names, each with its path: found on every call without building the path.
    private let policiesByName: [MethodName: (path: String, policy: Policy)]

    /// - Parameters:
    ///   - environment: the store and clock credentials are checked against.
    ///   - policies: every role service's `policies`, merged (see `mergingPolicies`).
    ///   - publicServices: fully-qualified service names that need no credential.
    ///   - clientCertificatesVerified: see the property; pass true when the server has a client CA.
    ///   - hashing: the credentials' cryptography.
    ///   - cacheLifetime: how long a verified credential is trusted without a database read.
    ///   - cacheCapacity: the most keys, and the most certificates, cached at once; 0 disables caching.
    ///   - lastUseInterval: the shortest time between two writes of one key's last-use time.
    public init(
        environment: DomainEnvironment,
        policies: [String: Policy],
        publicServices: Set<String> = AuthenticationInterceptor.standardPublicServices,
        clientCertificatesVerified: Bool,
        hashing: any SecretHashing = CryptoSecretHashing(),
        cacheLifetime: Duration = .seconds(5),
        cacheCapacity: Int = 10_000,
        lastUseInterval: Duration = .seconds(60)
    ) {
        self.policies = policies
        var policiesByName: [MethodName: (path: String, policy: Policy)] = [:]
        for (path, policy) in policies {
            if let name = MethodName(path: path) { policiesByName[name] = (path, policy) }
        }
        self.policiesByName = policiesByName
        self.publicServices = publicServices
        self.clientCertificatesVerified = clientCertificatesVerified
        self.operations = CredentialOperations(environment: environment, hashing: hashing)
        self.cache = CredentialCache(
            lifetime: Self.microseconds(cacheLifetime), capacity: cacheCapacity,
            lastUseInterval: Self.microseconds(lastUseInterval))
    }

    /// One policy table from the role services' tables. Two tables stating different policies
    /// for one method is a wiring bug, stopped at start-up.
    public static func mergingPolicies(_ tables: [String: Policy]...) -> [String: Policy] {
        tables.reduce(into: [:]) { merged, table in
            merged.merge(table) { old, new in
                precondition(old == new, "two different policies for one method")
                return old
            }
        }
    }

    public func intercept(
        _ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata
    ) async throws -> Metadata {
        let method = call.context.method
        if publicServices.contains(method.service) { return try await next(call) }
        guard let (path, policy) = policiesByName[MethodName(method)] else {
            throw AuthorizationError.permissionDenied(
                "\(method.path) has no access policy; it is closed to every caller")
        }
        let (principal, use) = try await authenticate(call.context)
        try policy.authorize(principal, method: path)
        if let use { await record(use) }
        var call = call
        call.context.values[PrincipalKey.self] = principal
        // Only writes revoke credentials; reads skip the second context value (a dictionary
        // insertion on every call).
        if policy.access == .write { call.context.values[CredentialCacheKey.self] = cache }
        return try await next(call)
    }

    // MARK: Credentials

    static let invalidKeyMessage = "the API key is not valid: it is unknown, revoked, or its secret is wrong"
    static let malformedKeyMessage =
        "the authorization header is malformed: expected `Bearer KEY-dddd-dddd.<secret>` with the key as issued"

    /// A verified API key's use, recorded once the policy has admitted the call.
    private struct KeyUse {
        let keyID: String
        /// The last-use time the key had when it was read, for deciding whether to write again.
        let stored: Timestamp?
        let time: Timestamp
    }

    /// The caller's principal (nil when it sent no credential) and, for an API key, the use to
    /// record if the call is admitted; or UNAUTHENTICATED for a bad credential.
    private func authenticate(_ context: ServerContext) async throws -> (Principal?, KeyUse?) {
        // One pass, no array: this runs on every call.
        var header: Metadata.Element?
        var count = 0
        for entry in context.requestMetadata where entry.key == "authorization" {
            count += 1
            if header == nil { header = entry }
        }
        if count > 1 {
            throw AuthorizationError.unauthenticated("send one authorization header, not \(count)")
        }
        if let header {
            guard case .string(let value) = header.value else {
                throw AuthorizationError.unauthenticated(Self.malformedKeyMessage)
            }
            switch BearerCredential(headerValue: value) {
            case .token(let token): return try await principal(for: token)
            case .malformed: throw AuthorizationError.unauthenticated(Self.malformedKeyMessage)
            case .unsupportedScheme:
                throw AuthorizationError.unauthenticated("unsupported authorization scheme: send `Bearer <key>`")
            }
        }
        if let leaf = context.peer.certificateChain.first {
            return (try await principal(for: leaf), nil)
        }
        return (nil, nil)
    }

    private func principal(for token: APIKeyToken) async throws -> (Principal, KeyUse) {
        let clock = operations.environment.clock
        let now = clock.now()
        let authenticated: CredentialOperations.AuthenticatedKey
        if let (cached, verifiedSecret) = cache.keyEntry(token.keyID, now: now) {
            let secret = Array(token.secret.utf8)
            if let verifiedSecret, operations.hashing.constantTimeEquals(secret, verifiedSecret) {
                // The same secret already matched this cached hash: equal bytes need no SHA-256.
                guard cached.key.id == token.keyID, !cached.key.isRevoked else {
                    throw AuthorizationError.unauthenticated(Self.invalidKeyMessage)
                }
            } else {
                // The cached hash is the stored one: a wrong secret fails here without a read.
                guard token.matches(cached.key, using: operations.hashing) else {
                    throw AuthorizationError.unauthenticated(Self.invalidKeyMessage)
                }
                cache.verified(secret, for: token.keyID)
            }
            authenticated = cached
        } else {
            let generation = cache.generation
            guard let found = try await operations.authenticate(token) else {
                throw AuthorizationError.unauthenticated(Self.invalidKeyMessage)
            }
            cache.insert(found, generation: generation, now: now)
            authenticated = found
        }
        let principal = Principal(
            tenant: authenticated.tenant, credential: .apiKey(id: authenticated.key.id), scope: authenticated.key.scope)
        return (principal, KeyUse(keyID: token.keyID, stored: authenticated.key.lastUsedAt, time: now))
    }

    /// Writes a key's last-use time, at most once per `lastUseInterval`.
    private func record(_ use: KeyUse) async {
        guard cache.claimUse(of: use.keyID, stored: use.stored, now: use.time) else { return }
        // Advice for people, not a rule: a failed write must not fail the call.
        try? await operations.recordUse(keyID: use.keyID, at: use.time)
    }

    private func principal(for leaf: PeerCertificate) async throws -> Principal {
        let fingerprint = Hex.encode(leaf.sha256Fingerprint)
        let cacheKey = fingerprint + "\n" + leaf.subject
        let now = operations.environment.clock.now()
        let identity: ServiceIdentity
        if let cached = cache.identity(cacheKey, now: now) {
            identity = cached
        } else {
            let generation = cache.generation
            guard
                let found = try await operations.serviceIdentity(
                    fingerprint: fingerprint, subject: leaf.subject, subjectVerified: clientCertificatesVerified)
            else {
                throw AuthorizationError.unauthenticated(
                    "the client certificate is not registered as a valid service identity")
            }
            cache.insert(found, for: cacheKey, generation: generation, now: now)
            identity = found
        }
        return Principal(
            tenant: .distributor(id: identity.distributorID), credential: .serviceIdentity(id: identity.id),
            scope: .full)
    }

    private static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

/// Where the interceptor leaves its cache for the handlers that revoke credentials.
enum CredentialCacheKey: ContextKey {
    typealias Value = CredentialCache
}
