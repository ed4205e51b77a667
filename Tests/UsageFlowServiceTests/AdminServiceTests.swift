// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import AdminAPI
import Authorization
import Contracts
import DistributorAPI
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import Storage
import Testing
import WellKnownTypes

// AdminService through its generated client, the real interceptor and SQLite: accounts and keys,
// good and bad requests, paging, scopes, revocation, and its policies.

@Suite struct AdminServiceTests {
    static func createAccount(_ role: Usageflow_V1_Role, _ name: String) -> Usageflow_V1_CreateAccountRequest {
        var request = Usageflow_V1_CreateAccountRequest()
        request.role = role
        request.name = name
        return request
    }

    static func id(_ id: String) -> Usageflow_V1_IdRequest {
        var request = Usageflow_V1_IdRequest()
        request.id = id
        return request
    }

    static func createKey(_ accountID: String, _ scope: Usageflow_V1_KeyScope = .unspecified, name: String = "")
        -> Usageflow_V1_CreateApiKeyRequest
    {
        var request = Usageflow_V1_CreateApiKeyRequest()
        request.accountId = accountID
        request.scope = scope
        request.name = name
        return request
    }

    // MARK: Accounts

    @Test("creates and reads vendor and distributor accounts")
    func accounts() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let operatorKey = bearer(world.operatorKey)
                let vendor = try await clients.admin.createAccount(
                    Self.createAccount(.vendor, "Acme"), options: operatorKey)
                #expect(IdentifierKind.vendor.matches(vendor.id))
                #expect(vendor.role == .vendor)
                #expect(vendor.name == "Acme")
                #expect(vendor.createdAt.seconds == world.clock.now().secondsSinceEpoch)
                let distributor = try await clients.admin.createAccount(
                    Self.createAccount(.distributor, "Channel Co"), options: operatorKey)
                #expect(IdentifierKind.distributor.matches(distributor.id))
                #expect(try await clients.admin.getAccount(Self.id(vendor.id), options: operatorKey) == vendor)
                #expect(
                    try await clients.admin.getAccount(Self.id(distributor.id), options: operatorKey) == distributor)
            }
        }
    }

    static let badAccounts: [(Int32, String, [String])] = [
        (0, "Acme", ["role"]),
        (99, "Acme", ["role"]),
        (Usageflow_V1_Role.operator.rawValue, "Acme", ["role"]),
        (Usageflow_V1_Role.reseller.rawValue, "Acme", ["role"]),
        (Usageflow_V1_Role.vendor.rawValue, "", ["name"]),
        (Usageflow_V1_Role.vendor.rawValue, String(repeating: "n", count: 256), ["name"]),
    ]

    @Test("invalid accounts are INVALID_ARGUMENT with their fields, and nothing is stored", arguments: badAccounts)
    func invalidAccounts(_ role: Int32, _ name: String, _ fields: [String]) async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let error = await expectRPCError(.invalidArgument) {
                    try await clients.admin.createAccount(
                        Self.createAccount(Usageflow_V1_Role(rawValue: role), name), options: bearer(world.operatorKey))
                }
                #expect(try badRequestViolations(error) == fields)
                let accounts = try await clients.admin.listAccounts(.init(), options: bearer(world.operatorKey))
                    .accounts
                #expect(accounts.count == 3)
            }
        }
    }

    @Test("an unknown role number is named in the message")
    func unknownRole() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                await expectRPCError(.invalidArgument, "role: unknown value 99") {
                    try await clients.admin.createAccount(
                        Self.createAccount(Usageflow_V1_Role(rawValue: 99), "Acme"), options: bearer(world.operatorKey))
                }
            }
        }
    }

    @Test("accounts that are not vendors or distributors are not found")
    func accountNotFound() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                for id in ["VA-000-000", world.resellerID, "operator", "nonsense"] {
                    await expectRPCError(.notFound, "account \(id) not found") {
                        try await clients.admin.getAccount(Self.id(id), options: bearer(world.operatorKey))
                    }
                }
            }
        }
    }

    @Test("lists accounts page by page, by role, with tokens bound to their filters")
    func listsAccounts() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let options = bearer(world.operatorKey)
                var request = Usageflow_V1_ListAccountsRequest()
                request.pageSize = 2
                let first = try await clients.admin.listAccounts(request, options: options)
                #expect(first.accounts.map(\.id) == [world.vendorID, world.distributorID])
                #expect(!first.nextPageToken.isEmpty)
                request.pageToken = first.nextPageToken
                let second = try await clients.admin.listAccounts(request, options: options)
                #expect(second.accounts.map(\.id) == [world.otherDistributorID])
                #expect(second.nextPageToken.isEmpty)
                request.role = .distributor
                let error = await expectRPCError(.invalidArgument) {
                    try await clients.admin.listAccounts(request, options: options)
                }
                #expect(try badRequestViolations(error) == ["page_token"])
                request.pageToken = ""
                request.pageSize = 0
                let distributors = try await clients.admin.listAccounts(request, options: options)
                #expect(distributors.accounts.map(\.id) == [world.distributorID, world.otherDistributorID])
                request.role = .reseller
                request.pageSize = 1001
                let bad = await expectRPCError(.invalidArgument) {
                    try await clients.admin.listAccounts(request, options: options)
                }
                #expect(try badRequestViolations(bad) == ["role", "page_size"])
            }
        }
    }

    // MARK: Keys

    @Test("issues keys shown once, that authenticate as their account")
    func issuesKeys() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let issued = try await clients.admin.createApiKey(
                    Self.createKey(world.vendorID, name: "deploy"), options: bearer(world.operatorKey))
                #expect(issued.key.accountId == world.vendorID)
                #expect(issued.key.role == .vendor)
                #expect(issued.key.scope == .full)
                #expect(issued.key.name == "deploy")
                #expect(issued.key.hasLastUsedAt == false)
                #expect(issued.key.hasRevokedAt == false)
                #expect(issued.token.hasPrefix(issued.key.id + "."))
                let stored = try #require(try await world.key(issued.key.id))
                #expect(!stored.secretHash.isEmpty)
                #expect(stored.secretHash != Array(issued.token.utf8.split(separator: UInt8(ascii: "."))[1]))
                // The key works, as a vendor: the admin service refuses it by role, not as unknown.
                await expectRPCError(.permissionDenied) {
                    try await clients.admin.listAccounts(.init(), options: bearer(issued.token))
                }
                // Listing never shows the secret.
                var list = Usageflow_V1_ListApiKeysRequest()
                list.accountId = world.vendorID
                let keys = try await clients.admin.listApiKeys(list, options: bearer(world.operatorKey))
                #expect(keys.keys.map(\.id) == [world.vendorKey.key.id, issued.key.id])
                let secret = String(issued.token.split(separator: ".")[1])
                #expect(!String(decoding: keys.serializedBytes(), as: UTF8.self).contains(secret))
            }
        }
    }

    @Test("read-only keys can read but not write, anywhere")
    func readOnlyKeys() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let issued = try await clients.admin.createApiKey(
                    Self.createKey("operator", .readOnly), options: bearer(world.operatorKey))
                #expect(issued.key.scope == .readOnly)
                #expect(issued.key.role == .operator)
                _ = try await clients.admin.listAccounts(.init(), options: bearer(issued.token))
                await expectRPCError(.permissionDenied) {
                    try await clients.admin.createApiKey(Self.createKey("operator"), options: bearer(issued.token))
                }
            }
        }
    }

    @Test("bad key requests are refused with the exact status and nothing is stored")
    func badKeyRequests() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let options = bearer(world.operatorKey)
                let vendorKeys = { @Sendable (tx: any StoreReader) in
                    try tx.apiKeys(accountID: world.vendorID, includeRevoked: true, page: PageRequest()).items
                }
                let before = try await world.store.read(vendorKeys)
                let scope = await expectRPCError(.invalidArgument, "scope: unknown value 9") {
                    try await clients.admin.createApiKey(
                        Self.createKey(world.vendorID, Usageflow_V1_KeyScope(rawValue: 9)), options: options)
                }
                #expect(try badRequestViolations(scope) == ["scope"])
                let name = await expectRPCError(.invalidArgument) {
                    try await clients.admin.createApiKey(
                        Self.createKey("", name: String(repeating: "n", count: 256)), options: options)
                }
                #expect(try badRequestViolations(name) == ["account_id", "name"])
                await expectRPCError(.notFound, "account \(world.resellerID) not found") {
                    try await clients.admin.createApiKey(Self.createKey(world.resellerID), options: options)
                }
                await expectRPCError(.notFound, "account VA-999-999 not found") {
                    try await clients.admin.createApiKey(Self.createKey("VA-999-999"), options: options)
                }
                #expect(try await world.store.read(vendorKeys) == before)
            }
        }
    }

    @Test("lists keys with or without revoked ones, page by page")
    func listsKeys() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let options = bearer(world.operatorKey)
                var request = Usageflow_V1_ListApiKeysRequest()
                request.accountId = "operator"
                request.pageSize = 1
                let first = try await clients.admin.listApiKeys(request, options: options)
                #expect(first.keys.map(\.id) == [world.operatorKey.key.id])
                request.pageToken = first.nextPageToken
                let second = try await clients.admin.listApiKeys(request, options: options)
                #expect(second.keys.map(\.id) == [world.readOnlyOperatorKey.key.id])
                #expect(second.nextPageToken.isEmpty)
                _ = try await clients.admin.revokeApiKey(Self.id(world.readOnlyOperatorKey.key.id), options: options)
                request = Usageflow_V1_ListApiKeysRequest()
                request.accountId = "operator"
                #expect(try await clients.admin.listApiKeys(request, options: options).keys.count == 1)
                request.includeRevoked = true
                let all = try await clients.admin.listApiKeys(request, options: options).keys
                #expect(all.map(\.id) == [world.operatorKey.key.id, world.readOnlyOperatorKey.key.id])
                #expect(all[1].hasRevokedAt)
                #expect(all[0].hasLastUsedAt)
                request.accountId = world.resellerID
                await expectRPCError(.notFound, "account \(world.resellerID) not found") {
                    try await clients.admin.listApiKeys(request, options: options)
                }
            }
        }
    }

    @Test("revoking is idempotent, and a reseller's key is not the operator's to revoke")
    func revokesKeys() async throws {
        try await AuthWorld.with { world in
            try await world.withClients { clients in
                let options = bearer(world.operatorKey)
                let revoked = try await clients.admin.revokeApiKey(
                    Self.id(world.distributorKey.key.id), options: options)
                #expect(revoked.hasRevokedAt)
                #expect(revoked.revokedAt.seconds == world.clock.now().secondsSinceEpoch)
                world.clock.advance(seconds: 10)
                #expect(
                    try await clients.admin.revokeApiKey(Self.id(world.distributorKey.key.id), options: options)
                        == revoked)
                for id in [world.resellerKey.key.id, "KEY-0000-0000", "nonsense"] {
                    await expectRPCError(.notFound, "API key \(id) not found") {
                        try await clients.admin.revokeApiKey(Self.id(id), options: options)
                    }
                }
                #expect(try await world.key(world.resellerKey.key.id)?.isRevoked == false)
            }
        }
    }

    // MARK: Policies

    @Test("every AdminService RPC has an operator-only policy; reads are Get and List")
    func policies() {
        let methods = Usageflow_V1_AdminService.schema.methods
        #expect(Set(AdminService.policies.keys) == Set(methods.map(\.path)))
        for method in methods {
            let policy = AdminService.policies[method.path]
            let reads = method.name.hasPrefix("Get") || method.name.hasPrefix("List")
            #expect(policy == (reads ? .read(.operator) : .write(.operator)), "\(method.path)")
        }
    }

    @Test("the credential RPCs of the distributor's service are distributor-only")
    func distributorCredentialPolicies() {
        typealias Service = Usageflow_V1_DistributorService
        let reads = [Service.ListServiceIdentities.schema, Service.ListResellerKeys.schema]
        let writes = [
            Service.CreateServiceIdentity.schema, Service.RevokeServiceIdentity.schema,
            Service.CreateResellerKey.schema,
            Service.RevokeResellerKey.schema,
        ]
        for method in reads { #expect(DistributorService.policies[method.path] == .read(.distributor)) }
        for method in writes { #expect(DistributorService.policies[method.path] == .write(.distributor)) }
    }
}
