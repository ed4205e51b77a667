// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

extension CredentialOperations {
    /// Registers a service identity for the distributor acting: a client certificate matched by
    /// exactly one of its RFC 2253 `subject` (a certificate the server's client CA issued) or the
    /// SHA-256 `sha256Fingerprint` of its DER bytes (64 hex digits, either case; stored lower case).
    ///
    /// A subject or fingerprint that a valid identity already uses is ALREADY_EXISTS: one
    /// certificate must never stand for two identities, or the caller behind it would be ambiguous.
    public func createServiceIdentity(
        _ tenant: Tenant, name: String, subject: String?, sha256Fingerprint: String?
    ) async throws -> ServiceIdentity {
        let distributorID = try ChannelOperations.distributorID(tenant, "register service identities")
        var validation = Validation()
        validation.name("name", name)
        var normalized: String?
        switch (subject, sha256Fingerprint) {
        case (nil, nil):
            validation.fail("subject", "set subject or sha256_fingerprint")
            validation.fail("sha256_fingerprint", "set subject or sha256_fingerprint")
        case (.some, .some):
            validation.fail("sha256_fingerprint", "set subject or sha256_fingerprint, not both")
        case (let subject?, nil):
            validation.name("subject", subject)
        case (nil, let value?):
            normalized = Self.normalizedFingerprint(value)
            if normalized == nil {
                validation.fail(
                    "sha256_fingerprint", "must be 64 hex digits, the SHA-256 of the certificate's DER bytes")
            }
        }
        try validation.check()
        let fingerprint = normalized
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let matching = try tx.serviceIdentities(fingerprint: fingerprint ?? "", subject: subject ?? "")
            if let fingerprint, matching.contains(where: { !$0.isRevoked && $0.sha256Fingerprint == fingerprint }) {
                throw DomainError.alreadyExists(
                    "a valid service identity already pins this fingerprint", field: "sha256_fingerprint")
            }
            if let subject, matching.contains(where: { !$0.isRevoked && $0.subject == subject }) {
                throw DomainError.alreadyExists(
                    "a valid service identity already has subject \(subject)", field: "subject")
            }
            let identity = ServiceIdentity(
                id: try environment.newID(.serviceIdentity, in: tx), distributorID: distributorID, name: name,
                subject: subject, sha256Fingerprint: fingerprint, createdAt: now)
            try tx.insert(identity)
            try tx.appendEvent(.serviceIdentity(identity, from: nil, by: tenant.actor, at: now))
            return identity
        }
    }

    /// The distributor's service identities, oldest first; revoked ones too unless told otherwise.
    public func listServiceIdentities(
        _ tenant: Tenant, includeRevoked: Bool = true, page: PageRequest
    ) async throws -> Page<ServiceIdentity> {
        let distributorID = try ChannelOperations.distributorID(tenant, "list service identities")
        return try await environment.store.read { tx in
            try tx.serviceIdentities(distributorID: distributorID, includeRevoked: includeRevoked, page: page)
        }
    }

    /// Revokes one of the distributor's service identities at once; revoking a revoked one
    /// changes nothing and returns it as it is.
    public func revokeServiceIdentity(_ tenant: Tenant, id: String) async throws -> ServiceIdentity {
        let distributorID = try ChannelOperations.distributorID(tenant, "revoke service identities")
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            guard IdentifierKind.serviceIdentity.matches(id), var identity = try tx.serviceIdentity(id: id),
                identity.distributorID == distributorID
            else { throw DomainError.notFound("service identity", id) }
            guard !identity.isRevoked else { return identity }
            identity.revokedAt = now
            try tx.update(identity)
            try tx.appendEvent(.serviceIdentity(identity, from: "active", by: tenant.actor, at: now))
            return identity
        }
    }

    /// The valid service identity a client certificate stands for, or nil.
    ///
    /// A pinned fingerprint matches any certificate with those DER bytes and wins over a subject.
    /// A subject matches only when `subjectVerified`: the chain was verified against the server's
    /// client CA, since anyone can put any subject in a certificate of their own. Two different
    /// identities matching (which creation refuses, but a fingerprint and a subject can meet in one
    /// certificate) is no match: an ambiguous caller is not authenticated.
    ///
    /// - Parameters:
    ///   - fingerprint: SHA-256 of the leaf certificate's DER bytes, as hex (either case).
    ///   - subject: the leaf certificate's subject, RFC 2253.
    public func serviceIdentity(
        fingerprint: String, subject: String, subjectVerified: Bool
    ) async throws -> ServiceIdentity? {
        let fingerprint = fingerprint.lowercased()
        let candidates = try await environment.store.read { tx in
            try tx.serviceIdentities(fingerprint: fingerprint, subject: subjectVerified ? subject : "")
        }.filter { !$0.isRevoked }
        let pinned = candidates.filter { $0.sha256Fingerprint == fingerprint }
        if !pinned.isEmpty { return pinned.count == 1 ? pinned[0] : nil }
        guard subjectVerified, !subject.isEmpty else { return nil }
        let bySubject = candidates.filter { $0.subject == subject }
        return bySubject.count == 1 ? bySubject[0] : nil
    }

    /// `value` as 64 lower-case hex digits, or nil when it is not 64 hex digits.
    static func normalizedFingerprint(_ value: String) -> String? {
        guard value.utf8.count == 64, value.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        return value.lowercased()
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }
}
