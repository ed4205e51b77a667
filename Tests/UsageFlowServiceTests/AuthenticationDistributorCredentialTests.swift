// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import Testing

// The distributor's credentials through DistributorService: service identities (register, list,
// revoke) and its resellers' keys (issue, list, revoke), each scoped to the distributor acting.

@Suite struct AuthenticationDistributorCredentialTests {
    static let fingerprint = String(repeating: "5a", count: 32)

    static func identity(name: String = "billing", subject: String = "", fingerprint: String = "")
        -> Usageflow_V1_CreateServiceIdentityRequest
    {
        var request = Usageflow_V1_CreateServiceIdentityRequest()
        request.name = name
        request.subject = subject
        request.sha256Fingerprint = fingerprint
        return request
    }

    @Test("registers, lists and revokes service identities")
    func serviceIdentities() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let mine = bearer(world.distributorKey)
                let pinned = try await clients.distributor.createServiceIdentity(
                    Self.identity(fingerprint: Self.fingerprint.uppercased()), options: mine)
                #expect(pinned.distributorId == world.distributorID)
                #expect(pinned.sha256Fingerprint == Self.fingerprint)
                #expect(pinned.subject == "")
                let bySubject = try await clients.distributor.createServiceIdentity(
                    Self.identity(name: "recon", subject: "CN=recon,O=Distributor"), options: mine)
                #expect(bySubject.subject == "CN=recon,O=Distributor")
                #expect(bySubject.sha256Fingerprint == "")
                var list = Usageflow_V1_ListServiceIdentitiesRequest()
                list.pageSize = 1
                let first = try await clients.distributor.listServiceIdentities(list, options: mine)
                #expect(first.identities == [pinned])
                list.pageToken = first.nextPageToken
                let second = try await clients.distributor.listServiceIdentities(list, options: mine)
                #expect(second.identities == [bySubject])
                #expect(second.nextPageToken.isEmpty)
                #expect(
                    try await clients.distributor.listServiceIdentities(
                        .init(), options: bearer(world.otherDistributorKey)
                    ).identities.isEmpty)
                let revoked = try await clients.distributor.revokeServiceIdentity(idRequest(pinned.id), options: mine)
                #expect(revoked.hasRevokedAt)
                #expect(
                    try await clients.distributor.revokeServiceIdentity(idRequest(pinned.id), options: mine) == revoked)
                await expectRPCError(.notFound, "service identity \(bySubject.id) not found") {
                    try await clients.distributor.revokeServiceIdentity(
                        idRequest(bySubject.id), options: bearer(world.otherDistributorKey))
                }
                // Each registration and the one revocation are in the distributor's trail, in order;
                // the replayed revoke changed nothing and added nothing. No other distributor sees them.
                var events = Usageflow_V1_ListEventsRequest()
                events.objectTypes = ["service_identity"]
                let trail = try await clients.distributor.listEvents(events, options: mine).events
                #expect(trail.map { [$0.objectId, $0.from, $0.to, $0.reason] } == [
                    [pinned.id, "", "active", "billing"], [bySubject.id, "", "active", "recon"],
                    [pinned.id, "active", "revoked", "billing"],
                ])
                #expect(
                    try await clients.distributor.listEvents(events, options: bearer(world.otherDistributorKey))
                        .events.isEmpty)
            }
        }
    }

    static let badIdentities: [(Usageflow_V1_CreateServiceIdentityRequest, [String])] = [
        (identity(), ["subject", "sha256_fingerprint"]),
        (identity(subject: "CN=a", fingerprint: fingerprint), ["sha256_fingerprint"]),
        (identity(fingerprint: "abc"), ["sha256_fingerprint"]),
        (identity(name: "", subject: "CN=a"), ["name"]),
        (identity(subject: String(repeating: "s", count: 256)), ["subject"]),
    ]

    @Test("invalid service identities name their fields and store nothing", arguments: badIdentities)
    func invalidIdentities(_ request: Usageflow_V1_CreateServiceIdentityRequest, _ fields: [String]) async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let error = await expectRPCError(.invalidArgument) {
                    try await clients.distributor.createServiceIdentity(request, options: bearer(world.distributorKey))
                }
                let stored = try await clients.distributor.listServiceIdentities(
                    .init(), options: bearer(world.distributorKey))
                #expect(try badRequestViolations(error) == fields)
                #expect(stored.identities.isEmpty)
            }
        }
    }

    @Test("a certificate bound to a valid identity is ALREADY_EXISTS for everyone")
    func duplicateIdentity() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                _ = try await clients.distributor.createServiceIdentity(
                    Self.identity(fingerprint: Self.fingerprint), options: bearer(world.distributorKey))
                let error = await expectRPCError(
                    .alreadyExists, "a valid service identity already pins this fingerprint")
                {
                    try await clients.distributor.createServiceIdentity(
                        Self.identity(fingerprint: Self.fingerprint), options: bearer(world.otherDistributorKey))
                }
                #expect(try badRequestViolations(error) == ["sha256_fingerprint"])
            }
        }
    }

    @Test("issues, lists and revokes keys of the distributor's own resellers")
    func resellerKeys() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let mine = bearer(world.distributorKey)
                var create = Usageflow_V1_CreateApiKeyRequest()
                create.accountId = world.resellerID
                create.scope = .readOnly
                create.name = "portal"
                let issued = try await clients.distributor.createResellerKey(create, options: mine)
                #expect(issued.key.role == .reseller)
                #expect(issued.key.scope == .readOnly)
                #expect(issued.key.accountId == world.resellerID)
                // The key reads as the reseller and cannot write.
                _ = try await clients.reseller.listCustomers(.init(), options: bearer(issued.token))
                var customer = Usageflow_V1_CreateCustomerRequest()
                customer.name = "Acme"
                await expectRPCError(.permissionDenied) {
                    try await clients.reseller.createCustomer(customer, options: bearer(issued.token))
                }
                var list = Usageflow_V1_ListApiKeysRequest()
                list.accountId = world.resellerID
                let keys = try await clients.distributor.listResellerKeys(list, options: mine).keys
                #expect(keys.map(\.id) == [world.resellerKey.key.id, issued.key.id])
                let revoked = try await clients.distributor.revokeResellerKey(idRequest(issued.key.id), options: mine)
                #expect(revoked.hasRevokedAt)
                await expectRPCError(.unauthenticated) {
                    try await clients.reseller.listCustomers(.init(), options: bearer(issued.token))
                }
                #expect(
                    try await clients.distributor.listResellerKeys(list, options: mine).keys.map(\.id) == [
                        world.resellerKey.key.id
                    ])
                // Issue and revoke are in the trail of the distributor that manages the key and of the
                // reseller it acts for, naming the key, never its secret.
                var events = Usageflow_V1_ListEventsRequest()
                events.objectTypes = ["api_key"]
                events.objectId = issued.key.id
                let trail = try await clients.distributor.listEvents(events, options: mine).events
                #expect(trail.map { [$0.from, $0.to, $0.reason] } == [["", "active", "portal"], ["active", "revoked", "portal"]])
                #expect(!trail.contains { $0.reason.contains(issued.token) || $0.actor.contains(issued.token) })
                let asReseller = try await clients.reseller.listEvents(events, options: bearer(world.resellerKey.token.text))
                #expect(asReseller.events.map(\.to) == ["active", "revoked"])
            }
        }
    }

    @Test("another distributor's resellers and keys are not found")
    func othersResellers() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let theirs = bearer(world.otherDistributorKey)
                var create = Usageflow_V1_CreateApiKeyRequest()
                create.accountId = world.resellerID
                await expectRPCError(.notFound, "reseller \(world.resellerID) not found") {
                    try await clients.distributor.createResellerKey(create, options: theirs)
                }
                create.accountId = world.vendorID
                await expectRPCError(.notFound, "reseller \(world.vendorID) not found") {
                    try await clients.distributor.createResellerKey(create, options: bearer(world.distributorKey))
                }
                var list = Usageflow_V1_ListApiKeysRequest()
                list.accountId = world.resellerID
                await expectRPCError(.notFound, "reseller \(world.resellerID) not found") {
                    try await clients.distributor.listResellerKeys(list, options: theirs)
                }
                for id in [world.resellerKey.key.id, world.vendorKey.key.id] {
                    await expectRPCError(.notFound, "API key \(id) not found") {
                        try await clients.distributor.revokeResellerKey(idRequest(id), options: theirs)
                    }
                }
                let resellerKey = try await world.key(world.resellerKey.key.id)
                let vendorKey = try await world.key(world.vendorKey.key.id)
                #expect(resellerKey?.isRevoked == false)
                #expect(vendorKey?.isRevoked == false)
            }
        }
    }
}
