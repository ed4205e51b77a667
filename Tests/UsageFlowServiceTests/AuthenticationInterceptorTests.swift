// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import AdminAPI
import Authorization
import Contracts
import DistributorAPI
import Domain
import ProtoWire
import RPCCore
import ResellerAPI
import ServiceSupport
import Testing

// The authentication interceptor in front of the real services, over SQLite: every kind of
// credential (none, malformed, unknown, wrong, revoked, wrong role, read-only) answered with its
// exact status, principals as handlers see them, service identities by certificate, the cache's
// revocation and expiry, and last-use times.

private let invalidKey = "the API key is not valid: it is unknown, revoked, or its secret is wrong"
private let malformed =
    "the authorization header is malformed: expected `Bearer KEY-dddd-dddd.<secret>` with the key as issued"
private let unknownCertificate = "the client certificate is not registered as a valid service identity"
private let secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

@Suite struct AuthenticationInterceptorTests {
    /// What a cell calls.
    enum Call: Sendable {
        case listAccounts, createAccount, listMarketplaces, listCustomersAsReseller, whoami, write, undeclared, health

        var path: String {
            switch self {
            case .listAccounts: Usageflow_V1_AdminService.ListAccounts.schema.path
            case .createAccount: Usageflow_V1_AdminService.CreateAccount.schema.path
            case .listMarketplaces: Usageflow_V1_DistributorService.ListMarketplaces.schema.path
            case .listCustomersAsReseller: Usageflow_V1_ResellerService.ListCustomers.schema.path
            case .whoami: AuthProbe.whoami.path
            case .write: AuthProbe.write.path
            case .undeclared: AuthProbe.undeclared.path
            case .health: AuthProbe.health.path
            }
        }

        func run(_ clients: AuthClients, _ metadata: Metadata) async throws {
            let options = CallOptions(metadata: metadata)
            switch self {
            case .listAccounts: _ = try await clients.admin.listAccounts(.init(), options: options)
            case .createAccount:
                var request = Usageflow_V1_CreateAccountRequest()
                request.role = .vendor
                request.name = "New Vendor"
                _ = try await clients.admin.createAccount(request, options: options)
            case .listMarketplaces: _ = try await clients.distributor.listMarketplaces(.init(), options: options)
            case .listCustomersAsReseller: _ = try await clients.reseller.listCustomers(.init(), options: options)
            case .whoami: _ = try await clients.whoami(AuthProbe.whoami, metadata: metadata)
            case .write: _ = try await clients.whoami(AuthProbe.write, metadata: metadata)
            case .undeclared: _ = try await clients.whoami(AuthProbe.undeclared, metadata: metadata)
            case .health: _ = try await clients.whoami(AuthProbe.health, metadata: metadata)
            }
        }
    }

    struct Cell: Sendable, CustomTestStringConvertible {
        var label: String
        /// The `authorization` header values to send (none, one, or several).
        var headers: @Sendable (AuthWorld) async throws -> [String]
        var call: Call
        var code: Status.Code
        var message: (@Sendable (Call) -> String)?
        var testDescription: String { label }
    }

    static func key(_ pick: @escaping @Sendable (AuthWorld) -> CredentialOperations.IssuedKey)
        -> @Sendable (AuthWorld) async throws -> [String]
    {
        { world in ["Bearer " + pick(world).token.text] }
    }

    static let cells: [Cell] = [
        Cell(
            label: "no credential", headers: { _ in [] }, call: .listAccounts, code: .unauthenticated,
            message: { "\($0.path) requires a credential: send `authorization: Bearer <key>`" }),
        Cell(
            label: "empty header", headers: { _ in [""] }, call: .listAccounts, code: .unauthenticated,
            message: { _ in malformed }),
        Cell(
            label: "scheme only", headers: { _ in ["Bearer"] }, call: .listAccounts, code: .unauthenticated,
            message: { _ in malformed }),
        Cell(
            label: "no dot", headers: { _ in ["Bearer KEY-1234-5678" + secret] }, call: .listAccounts,
            code: .unauthenticated, message: { _ in malformed }),
        Cell(
            label: "bad key id", headers: { _ in ["Bearer KEY-12-5678." + secret] }, call: .listAccounts,
            code: .unauthenticated, message: { _ in malformed }),
        Cell(
            label: "short secret", headers: { _ in ["Bearer KEY-1234-5678." + secret.dropLast()] }, call: .listAccounts,
            code: .unauthenticated, message: { _ in malformed }),
        Cell(
            label: "space inside the token",
            headers: { ["Bearer " + $0.operatorKey.token.keyID + ". " + $0.operatorKey.token.secret] },
            call: .listAccounts, code: .unauthenticated, message: { _ in malformed }),
        Cell(
            label: "a token without a scheme", headers: { [$0.operatorKey.token.text] }, call: .listAccounts,
            code: .unauthenticated, message: { _ in malformed }),
        Cell(
            label: "another scheme", headers: { _ in ["Basic dXNlcjpwYXNzd29yZA=="] }, call: .listAccounts,
            code: .unauthenticated, message: { _ in "unsupported authorization scheme: send `Bearer <key>`" }),
        Cell(
            label: "two headers",
            headers: { ["Bearer " + $0.operatorKey.token.text, "Bearer " + $0.vendorKey.token.text] },
            call: .listAccounts, code: .unauthenticated, message: { _ in "send one authorization header, not 2" }),
        Cell(
            label: "unknown key", headers: { _ in ["Bearer KEY-0000-0000." + secret] }, call: .listAccounts,
            code: .unauthenticated, message: { _ in invalidKey }),
        Cell(
            label: "wrong secret", headers: { ["Bearer " + $0.operatorKey.token.keyID + "." + secret] },
            call: .listAccounts, code: .unauthenticated, message: { _ in invalidKey }),
        Cell(
            label: "another key's secret",
            headers: { ["Bearer " + $0.operatorKey.token.keyID + "." + $0.vendorKey.token.secret] },
            call: .listAccounts, code: .unauthenticated, message: { _ in invalidKey }),
        Cell(
            label: "revoked key",
            headers: { world in
                _ = try await world.credentials.revokeKey(.operator, id: world.vendorKey.key.id)
                return ["Bearer " + world.vendorKey.token.text]
            }, call: .whoami, code: .unauthenticated, message: { _ in invalidKey }),
        Cell(
            label: "vendor key on AdminService", headers: key(\.vendorKey), call: .listAccounts,
            code: .permissionDenied,
            message: { "\($0.path) is for operator credentials, not vendor" }),
        Cell(
            label: "distributor key on AdminService", headers: key(\.distributorKey), call: .createAccount,
            code: .permissionDenied, message: { "\($0.path) is for operator credentials, not distributor" }),
        Cell(
            label: "reseller key on AdminService", headers: key(\.resellerKey), call: .listAccounts,
            code: .permissionDenied, message: { "\($0.path) is for operator credentials, not reseller" }),
        Cell(
            label: "operator key on DistributorService", headers: key(\.operatorKey), call: .listMarketplaces,
            code: .permissionDenied, message: { "\($0.path) is for distributor credentials, not operator" }),
        Cell(
            label: "distributor key on ResellerService", headers: key(\.distributorKey), call: .listCustomersAsReseller,
            code: .permissionDenied),
        Cell(
            label: "read-only key on a write", headers: key(\.readOnlyOperatorKey), call: .createAccount,
            code: .permissionDenied, message: { "\($0.path) changes data; a read-only key cannot call it" }),
        Cell(label: "read-only key on a read", headers: key(\.readOnlyOperatorKey), call: .listAccounts, code: .ok),
        Cell(label: "operator key on a write", headers: key(\.operatorKey), call: .createAccount, code: .ok),
        Cell(
            label: "distributor key on its service", headers: key(\.distributorKey), call: .listMarketplaces,
            code: .ok),
        Cell(
            label: "reseller key on its service", headers: key(\.resellerKey), call: .listCustomersAsReseller, code: .ok
        ),
        Cell(
            label: "lower-case scheme", headers: { ["bearer " + $0.operatorKey.token.text] }, call: .listAccounts,
            code: .ok),
        Cell(
            label: "upper-case scheme", headers: { ["BEARER " + $0.operatorKey.token.text] }, call: .listAccounts,
            code: .ok),
        Cell(
            label: "several spaces after the scheme", headers: { ["Bearer    " + $0.operatorKey.token.text] },
            call: .listAccounts, code: .ok),
        Cell(
            label: "no policy, no credential", headers: { _ in [] }, call: .undeclared, code: .permissionDenied,
            message: { "\($0.path) has no access policy; it is closed to every caller" }),
        Cell(
            label: "no policy, operator key", headers: key(\.operatorKey), call: .undeclared, code: .permissionDenied,
            message: { "\($0.path) has no access policy; it is closed to every caller" }),
        Cell(label: "public service, no credential", headers: { _ in [] }, call: .health, code: .ok),
        Cell(label: "public service, a bad credential", headers: { _ in ["Basic x"] }, call: .health, code: .ok),
    ]

    @Test("each credential gets its exact status", arguments: cells)
    func statuses(_ cell: Cell) async throws {
        try await AuthWorld.with { world in
            var metadata = Metadata()
            for value in try await cell.headers(world) { metadata.add("authorization", value) }
            try await world.withClients { clients in
                if cell.code == .ok {
                    try await cell.call.run(clients, metadata)
                } else {
                    await expectRPCError(cell.code, cell.message?(cell.call)) {
                        try await cell.call.run(clients, metadata)
                    }
                }
            }
        }
    }

    @Test("refused calls change nothing")
    func refusedCallsChangeNothing() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let attempts: [(CallOptions, Status.Code)] = [
                    (CallOptions(), .unauthenticated), (bearer("x"), .unauthenticated),
                    (bearer(world.vendorKey), .permissionDenied),
                    (bearer(world.readOnlyOperatorKey), .permissionDenied),
                ]
                var request = Usageflow_V1_CreateAccountRequest()
                request.role = .vendor
                request.name = "Intruder"
                for (options, code) in attempts {
                    await expectRPCError(code) { try await clients.admin.createAccount(request, options: options) }
                }
                let accounts = try await clients.admin.listAccounts(.init(), options: bearer(world.operatorKey))
                    .accounts
                #expect(accounts.map(\.name) == ["Vendor", "Distributor", "Other Distributor"])
            }
        }
    }

    @Test("handlers see the principal of the key, with its tenant and scope")
    func principals() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let cases: [(CredentialOperations.IssuedKey, Principal)] = [
                    (
                        world.operatorKey,
                        Principal(tenant: .operator, credential: .apiKey(id: world.operatorKey.key.id), scope: .full)
                    ),
                    (
                        world.readOnlyOperatorKey,
                        Principal(
                            tenant: .operator, credential: .apiKey(id: world.readOnlyOperatorKey.key.id),
                            scope: .readOnly)
                    ),
                    (
                        world.vendorKey,
                        Principal(
                            tenant: .vendor(id: world.vendorID), credential: .apiKey(id: world.vendorKey.key.id),
                            scope: .full)
                    ),
                    (
                        world.distributorKey,
                        Principal(
                            tenant: .distributor(id: world.distributorID),
                            credential: .apiKey(id: world.distributorKey.key.id),
                            scope: .full)
                    ),
                    (
                        world.resellerKey,
                        Principal(
                            tenant: .reseller(world.resellerTenant), credential: .apiKey(id: world.resellerKey.key.id),
                            scope: .full)
                    ),
                ]
                for (key, principal) in cases {
                    let seen = try await clients.whoami(metadata: bearer(key).metadata)
                    #expect(seen == principal.description)
                }
                let anonymous = try await clients.whoami(AuthProbe.health)
                #expect(anonymous == "nobody")
            }
        }
    }

    // MARK: Service identities

    static let fingerprint: [UInt8] = Array(0..<32)
    static let fingerprintHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

    @Test("a pinned certificate authenticates as its distributor's service identity, with full scope")
    func pinnedCertificate() async throws {
        try await AuthWorld.with { world in
            let identity = try await world.credentials.createServiceIdentity(
                .distributor(id: world.distributorID), name: "billing", subject: nil,
                sha256Fingerprint: Self.fingerprintHex.uppercased())
            let expected = Principal(
                tenant: .distributor(id: world.distributorID), credential: .serviceIdentity(id: identity.id),
                scope: .full)
            try await world.withClients(peer: peer(subject: "CN=anything", fingerprint: Self.fingerprint)) { clients in
                let seen = try await clients.whoami(AuthProbe.serviceOnly)
                #expect(seen == expected.description)
                // Service identities are not distributor keys: the distributor's service refuses them.
                await expectRPCError(.permissionDenied) { try await clients.distributor.listMarketplaces(.init()) }
                // A key sent with the certificate wins.
                let withKey = try await clients.whoami(metadata: bearer(world.operatorKey).metadata)
                #expect(withKey.hasPrefix("operator operator"))
            }
        }
    }

    @Test("a subject matches only when the server verifies client certificates against its CA")
    func subjectCertificate() async throws {
        try await AuthWorld.with { world in
            let identity = try await world.credentials.createServiceIdentity(
                .distributor(id: world.otherDistributorID), name: "recon", subject: "CN=recon,O=Other",
                sha256Fingerprint: nil)
            let certificate = peer(subject: "CN=recon,O=Other", fingerprint: Array(repeating: 7, count: 32))
            let expected = Principal(
                tenant: .distributor(id: world.otherDistributorID), credential: .serviceIdentity(id: identity.id),
                scope: .full)
            try await world.withClients(peer: certificate) { clients in
                let seen = try await clients.whoami(AuthProbe.serviceOnly)
                #expect(seen == expected.description)
            }
            let unverified = world.router(interceptor: world.interceptor(clientCertificatesVerified: false))
            try await world.withClients(router: unverified, peer: certificate) { clients in
                await expectRPCError(.unauthenticated, unknownCertificate) {
                    try await clients.whoami(AuthProbe.serviceOnly)
                }
            }
        }
    }

    @Test("unknown and revoked certificates are unauthenticated; a key cannot call a service-identity method")
    func certificateRefusals() async throws {
        try await AuthWorld.with { world in
            let identity = try await world.credentials.createServiceIdentity(
                .distributor(id: world.distributorID), name: "billing", subject: nil,
                sha256Fingerprint: Self.fingerprintHex)
            try await world.withClients(peer: peer(subject: "CN=x", fingerprint: Array(repeating: 1, count: 32))) {
                clients in
                await expectRPCError(.unauthenticated, unknownCertificate) {
                    try await clients.whoami(AuthProbe.serviceOnly)
                }
            }
            _ = try await world.credentials.revokeServiceIdentity(
                .distributor(id: world.distributorID), id: identity.id)
            try await world.withClients(peer: peer(subject: "CN=x", fingerprint: Self.fingerprint)) { clients in
                await expectRPCError(.unauthenticated, unknownCertificate) {
                    try await clients.whoami(AuthProbe.serviceOnly)
                }
            }
            try await world.withClients { clients in
                await expectRPCError(.permissionDenied) {
                    try await clients.whoami(AuthProbe.serviceOnly, metadata: bearer(world.distributorKey).metadata)
                }
            }
        }
    }

    // MARK: Cache

    @Test("a key revoked through the server is refused at once")
    func revokeThroughAdmin() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let vendor = bearer(world.vendorKey).metadata
                #expect(try await clients.whoami(metadata: vendor).hasPrefix("vendor"))
                var request = Usageflow_V1_IdRequest()
                request.id = world.vendorKey.key.id
                _ = try await clients.admin.revokeApiKey(request, options: bearer(world.operatorKey))
                await expectRPCError(.unauthenticated, invalidKey) { try await clients.whoami(metadata: vendor) }
            }
        }
    }

    @Test("a reseller key and a service identity revoked through the distributor are refused at once")
    func revokeThroughDistributor() async throws {
        try await AuthWorld.with { world in
            let identity = try await world.credentials.createServiceIdentity(
                .distributor(id: world.distributorID), name: "billing", subject: nil,
                sha256Fingerprint: Self.fingerprintHex)
            let router = world.router()
            try await world.withClients(router: router, peer: peer(subject: "CN=x", fingerprint: Self.fingerprint)) {
                clients in
                let reseller = bearer(world.resellerKey).metadata
                #expect(try await clients.whoami(metadata: reseller).hasPrefix("reseller"))
                #expect(try await clients.whoami(AuthProbe.serviceOnly).hasPrefix("service identity"))
                var request = Usageflow_V1_IdRequest()
                request.id = world.resellerKey.key.id
                _ = try await clients.distributor.revokeResellerKey(request, options: bearer(world.distributorKey))
                await expectRPCError(.unauthenticated, invalidKey) { try await clients.whoami(metadata: reseller) }
                request.id = identity.id
                _ = try await clients.distributor.revokeServiceIdentity(request, options: bearer(world.distributorKey))
                await expectRPCError(.unauthenticated, unknownCertificate) {
                    try await clients.whoami(AuthProbe.serviceOnly)
                }
            }
        }
    }

    @Test("a key revoked behind the server's back is trusted until its cache entry expires")
    func cacheExpiry() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let vendor = bearer(world.vendorKey).metadata
                #expect(try await clients.whoami(metadata: vendor).hasPrefix("vendor"))
                _ = try await world.credentials.revokeKey(.operator, id: world.vendorKey.key.id)
                world.clock.advance(seconds: 4)
                #expect(try await clients.whoami(metadata: vendor).hasPrefix("vendor"))
                world.clock.advance(seconds: 1)
                await expectRPCError(.unauthenticated, invalidKey) { try await clients.whoami(metadata: vendor) }
            }
        }
    }

    @Test("a cached key still proves its secret on every call")
    func cachedKeyChecksTheSecret() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let seen = try await clients.whoami(metadata: bearer(world.vendorKey).metadata)
                #expect(seen.hasPrefix("vendor"))
                let forged = bearer(world.vendorKey.token.keyID + "." + secret).metadata
                await expectRPCError(.unauthenticated, invalidKey) { try await clients.whoami(metadata: forged) }
            }
        }
    }

    @Test("without a cache, a revocation anywhere takes effect at once")
    func noCache() async throws {
        try await AuthWorld.with { world in
            let router = world.router(interceptor: world.interceptor(cacheCapacity: 0))
            try await world.withClients(router: router) { clients in
                let vendor = bearer(world.vendorKey).metadata
                #expect(try await clients.whoami(metadata: vendor).hasPrefix("vendor"))
                _ = try await world.credentials.revokeKey(.operator, id: world.vendorKey.key.id)
                await expectRPCError(.unauthenticated, invalidKey) { try await clients.whoami(metadata: vendor) }
            }
        }
    }

    @Test("a key's last use is written on first use, then at most once a minute")
    func lastUse() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let vendor = bearer(world.vendorKey).metadata
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == nil)
                let first = world.clock.now()
                _ = try await clients.whoami(metadata: vendor)
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == first)
                world.clock.advance(seconds: 30)
                _ = try await clients.whoami(metadata: vendor)
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == first)
                world.clock.advance(seconds: 30)
                let minuteLater = world.clock.now()
                _ = try await clients.whoami(metadata: vendor)
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == minuteLater)
                // A refused call changes nothing, not even the last use; the next admitted one records it.
                world.clock.advance(seconds: 120)
                _ = await expectRPCError(.permissionDenied) {
                    try await clients.admin.listAccounts(.init(), options: bearer(world.vendorKey))
                }
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == minuteLater)
                let admitted = world.clock.now()
                _ = try await clients.whoami(metadata: vendor)
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == admitted)
            }
        }
    }

    @Test("a refused call records no use of its key, not even the key's first", arguments: [100, 0])
    func refusedCallRecordsNoUse(cacheCapacity: Int) async throws {
        try await AuthWorld.with { world in
            let router = world.router(interceptor: world.interceptor(cacheCapacity: cacheCapacity))
            try await world.withClients(router: router) { clients async throws in
                // The wrong kind of key, then a read-only key on a write.
                _ = await expectRPCError(.permissionDenied) {
                    try await clients.admin.listAccounts(.init(), options: bearer(world.vendorKey))
                }
                var create = Usageflow_V1_CreateAccountRequest()
                create.role = .vendor
                create.name = "Refused"
                _ = await expectRPCError(.permissionDenied) {
                    try await clients.admin.createAccount(create, options: bearer(world.readOnlyOperatorKey))
                }
                world.clock.advance(seconds: 120)
                _ = await expectRPCError(.permissionDenied) {
                    try await clients.admin.listAccounts(.init(), options: bearer(world.vendorKey))
                }
                #expect(try await world.key(world.vendorKey.key.id)?.lastUsedAt == nil)
                #expect(try await world.key(world.readOnlyOperatorKey.key.id)?.lastUsedAt == nil)
            }
        }
    }
}
