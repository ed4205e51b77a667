// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// Service identities: a distributor registers client certificates by subject or pinned
// fingerprint, lists and revokes them; authentication matches a presented certificate.

@Suite struct CredentialServiceIdentityTests {
    static let fingerprint = String(repeating: "ab", count: 32)
    static let otherFingerprint = String(repeating: "0f", count: 32)

    @Test("registers by subject or by fingerprint; fingerprints are stored lower case")
    func creates() async throws {
        let world = try await CredentialWorld()
        let distributor = Tenant.distributor(id: world.distributorID)
        let bySubject = try await world.credentials.createServiceIdentity(
            distributor, name: "billing", subject: "CN=billing,O=Acme", sha256Fingerprint: nil)
        #expect(IdentifierKind.serviceIdentity.matches(bySubject.id))
        #expect(bySubject.distributorID == world.distributorID)
        #expect(bySubject.name == "billing")
        #expect(bySubject.subject == "CN=billing,O=Acme")
        #expect(bySubject.sha256Fingerprint == nil)
        #expect(bySubject.createdAt == world.clock.current)
        #expect(bySubject.revokedAt == nil)
        let pinned = try await world.credentials.createServiceIdentity(
            distributor, name: "pinned", subject: nil, sha256Fingerprint: Self.fingerprint.uppercased())
        #expect(pinned.sha256Fingerprint == Self.fingerprint)
        #expect(pinned.subject == nil)
        let stored = try await world.store.read { try $0.serviceIdentity(id: pinned.id) }
        #expect(stored == pinned)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var name = "billing"
        var subject: String?
        var fingerprint: String?
        var fields: [String]
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(label: "neither", fields: ["subject", "sha256_fingerprint"]),
        Refusal(label: "both", subject: "CN=a", fingerprint: fingerprint, fields: ["sha256_fingerprint"]),
        Refusal(label: "63 digits", fingerprint: String(fingerprint.dropLast()), fields: ["sha256_fingerprint"]),
        Refusal(label: "65 digits", fingerprint: fingerprint + "a", fields: ["sha256_fingerprint"]),
        Refusal(label: "not hex", fingerprint: String(fingerprint.dropLast()) + "g", fields: ["sha256_fingerprint"]),
        Refusal(
            label: "colon separated",
            fingerprint: (0..<32).map { _ in "AB" }.joined(separator: ":"), fields: ["sha256_fingerprint"]),
        Refusal(label: "blank subject", subject: "   ", fields: ["subject"]),
        Refusal(label: "subject of 256", subject: String(repeating: "s", count: 256), fields: ["subject"]),
        Refusal(label: "subject with a control character", subject: "CN=a\u{0}", fields: ["subject"]),
        Refusal(label: "no name", name: "", subject: "CN=a", fields: ["name"]),
        Refusal(label: "name of 256", name: String(repeating: "n", count: 256), subject: "CN=a", fields: ["name"]),
        Refusal(label: "everything wrong", name: "", fields: ["name", "subject", "sha256_fingerprint"]),
    ]

    @Test("invalid requests name every wrong field and store nothing", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        let world = try await CredentialWorld()
        try await world.refuses(.invalidArgument, fields: refusal.fields) {
            try await world.credentials.createServiceIdentity(
                .distributor(id: world.distributorID), name: refusal.name, subject: refusal.subject,
                sha256Fingerprint: refusal.fingerprint)
        }
    }

    @Test("a subject of 255 characters is fine")
    func longestSubject() async throws {
        let world = try await CredentialWorld()
        let subject = "CN=" + String(repeating: "s", count: 252)
        let identity = try await world.credentials.createServiceIdentity(
            .distributor(id: world.distributorID), name: "n", subject: subject, sha256Fingerprint: nil)
        #expect(identity.subject == subject)
    }

    @Test("only distributors register, list and revoke service identities")
    func onlyDistributors() async throws {
        let world = try await CredentialWorld()
        for tenant in [Tenant.operator, .vendor(id: world.vendorID), world.resellerTenant] {
            try await world.refuses(.permissionDenied) {
                try await world.credentials.createServiceIdentity(
                    tenant, name: "n", subject: "CN=a", sha256Fingerprint: nil)
            }
            try await world.refuses(.permissionDenied) {
                try await world.credentials.listServiceIdentities(tenant, page: PageRequest())
            }
            try await world.refuses(.permissionDenied) {
                try await world.credentials.revokeServiceIdentity(tenant, id: "SI-123-456")
            }
        }
    }

    @Test("a certificate already bound to a valid identity cannot be bound again, by anyone")
    func duplicates() async throws {
        let world = try await CredentialWorld()
        let mine = Tenant.distributor(id: world.distributorID)
        let theirs = Tenant.distributor(id: world.otherDistributorID)
        let pinned = try await world.credentials.createServiceIdentity(
            mine, name: "a", subject: nil, sha256Fingerprint: Self.fingerprint)
        _ = try await world.credentials.createServiceIdentity(
            mine, name: "b", subject: "CN=billing", sha256Fingerprint: nil)
        for tenant in [mine, theirs] {
            try await world.refuses(
                .alreadyExists, "a valid service identity already pins this fingerprint", fields: ["sha256_fingerprint"]
            ) {
                try await world.credentials.createServiceIdentity(
                    tenant, name: "c", subject: nil, sha256Fingerprint: Self.fingerprint.uppercased())
            }
            try await world.refuses(
                .alreadyExists, "a valid service identity already has subject CN=billing", fields: ["subject"]
            ) {
                try await world.credentials.createServiceIdentity(
                    tenant, name: "c", subject: "CN=billing", sha256Fingerprint: nil)
            }
        }
        _ = try await world.credentials.revokeServiceIdentity(mine, id: pinned.id)
        let again = try await world.credentials.createServiceIdentity(
            theirs, name: "c", subject: nil, sha256Fingerprint: Self.fingerprint)
        #expect(again.distributorID == world.otherDistributorID)
    }

    @Test("lists the distributor's own identities, revoked ones included unless told otherwise")
    func lists() async throws {
        let world = try await CredentialWorld()
        let mine = Tenant.distributor(id: world.distributorID)
        let first = try await world.credentials.createServiceIdentity(
            mine, name: "a", subject: "CN=a", sha256Fingerprint: nil)
        let second = try await world.credentials.createServiceIdentity(
            mine, name: "b", subject: nil, sha256Fingerprint: Self.fingerprint)
        _ = try await world.credentials.createServiceIdentity(
            .distributor(id: world.otherDistributorID), name: "c", subject: "CN=c", sha256Fingerprint: nil)
        let revoked = try await world.credentials.revokeServiceIdentity(mine, id: first.id)
        #expect(
            try await world.credentials.listServiceIdentities(mine, page: PageRequest()).items == [revoked, second])
        #expect(
            try await world.credentials.listServiceIdentities(mine, includeRevoked: false, page: PageRequest()).items
                == [second])
        let firstPage = try await world.credentials.listServiceIdentities(mine, page: PageRequest(size: 1))
        #expect(firstPage.items == [revoked])
        let after = try #require(firstPage.nextAfter)
        let secondPage = try await world.credentials.listServiceIdentities(
            mine, page: PageRequest(size: 1, after: after))
        #expect(secondPage.items == [second])
        #expect(secondPage.nextAfter == nil)
    }

    @Test("revoking is immediate and idempotent; another distributor's identity is not found")
    func revokes() async throws {
        let world = try await CredentialWorld()
        let mine = Tenant.distributor(id: world.distributorID)
        let identity = try await world.credentials.createServiceIdentity(
            mine, name: "a", subject: "CN=a", sha256Fingerprint: nil)
        world.clock.advance(seconds: 5)
        let revoked = try await world.credentials.revokeServiceIdentity(mine, id: identity.id)
        #expect(revoked.revokedAt == world.clock.current)
        world.clock.advance(seconds: 5)
        let before = await world.snapshot()
        #expect(try await world.credentials.revokeServiceIdentity(mine, id: identity.id) == revoked)
        #expect(await world.snapshot() == before)
        for id in [identity.id, "SI-000-000", "SI-1", ""] {
            try await world.refuses(.notFound, "service identity \(id) not found") {
                try await world.credentials.revokeServiceIdentity(.distributor(id: world.otherDistributorID), id: id)
            }
        }
    }

    @Test("a certificate matches by pinned fingerprint, or by subject only when its chain was verified")
    func matches() async throws {
        let world = try await CredentialWorld()
        let mine = Tenant.distributor(id: world.distributorID)
        let pinned = try await world.credentials.createServiceIdentity(
            mine, name: "pinned", subject: nil, sha256Fingerprint: Self.fingerprint)
        let bySubject = try await world.credentials.createServiceIdentity(
            .distributor(id: world.otherDistributorID), name: "subject", subject: "CN=billing,O=Acme",
            sha256Fingerprint: nil)
        let match = { (fingerprint: String, subject: String, verified: Bool) in
            try await world.credentials.serviceIdentity(
                fingerprint: fingerprint, subject: subject, subjectVerified: verified)
        }
        #expect(try await match(Self.fingerprint, "CN=whatever", false) == pinned)
        #expect(try await match(Self.fingerprint.uppercased(), "CN=whatever", true) == pinned)
        #expect(try await match(Self.otherFingerprint, "CN=billing,O=Acme", true) == bySubject)
        #expect(try await match(Self.otherFingerprint, "CN=billing,O=Acme", false) == nil)
        #expect(try await match(Self.otherFingerprint, "CN=billing,O=Other", true) == nil)
        #expect(try await match(Self.otherFingerprint, "cn=billing,o=acme", true) == nil)
        #expect(try await match(Self.otherFingerprint, "", true) == nil)
        // A pinned fingerprint wins over a subject bound by another distributor.
        #expect(try await match(Self.fingerprint, "CN=billing,O=Acme", true) == pinned)
        _ = try await world.credentials.revokeServiceIdentity(mine, id: pinned.id)
        #expect(try await match(Self.fingerprint, "CN=whatever", true) == nil)
        #expect(try await match(Self.fingerprint, "CN=billing,O=Acme", true) == bySubject)
    }
}
