// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Synchronization
import Testing

// API keys: who issues, lists and revokes whose keys; what is stored; how a token authenticates.
// The fixtures at the end (an in-memory store, a scripted clock and deterministic hashing) are
// shared with the account and service identity tests.

@Suite struct CredentialKeyIssueTests {
    @Test("the operator issues keys for itself, vendors and distributors, with their role")
    func operatorIssues() async throws {
        let world = try await CredentialWorld()
        for (accountID, role) in [
            ("operator", Role.operator), (world.vendorID, .vendor), (world.distributorID, .distributor),
        ] {
            let issued = try await world.credentials.issueKey(.operator, accountID: accountID, scope: .full, name: "ci")
            #expect(issued.key.accountID == accountID)
            #expect(issued.key.role == role)
            #expect(issued.key.scope == .full)
            #expect(issued.key.name == "ci")
            #expect(IdentifierKind.apiKey.matches(issued.key.id))
            #expect(issued.key.createdAt == world.clock.current)
            #expect(issued.key.lastUsedAt == nil)
            #expect(issued.key.revokedAt == nil)
            #expect(issued.token.keyID == issued.key.id)
            #expect(issued.token.text == issued.key.id + "." + issued.token.secret)
            #expect(issued.token.secret.utf8.count == 43)
            let stored = try #require(try await world.key(issued.key.id))
            #expect(stored == issued.key)
        }
    }

    @Test("only SHA-256 of the secret is stored, and the secret is the random bytes in base64url")
    func secretStorage() async throws {
        let world = try await CredentialWorld()
        world.hashing.script(Array(0..<32))
        let issued = try await world.credentials.issueKey(
            .operator, accountID: world.vendorID, scope: .readOnly, name: "")
        #expect(issued.token.secret == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
        #expect(issued.key.scope == .readOnly)
        let stored = try #require(try await world.key(issued.key.id))
        #expect(stored.secretHash == world.hashing.sha256(Array(issued.token.secret.utf8)))
        #expect(stored.secretHash != Array(issued.token.secret.utf8))
        #expect(stored.secretHash != Array(0..<32))
    }

    @Test func everyKeyHasItsOwnIdAndSecret() async throws {
        let world = try await CredentialWorld()
        let first = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "")
        let second = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "")
        #expect(first.key.id != second.key.id)
        #expect(first.token.secret != second.token.secret)
    }

    @Test("a distributor issues keys for its own resellers, with the reseller role")
    func distributorIssuesForItsResellers() async throws {
        let world = try await CredentialWorld()
        let issued = try await world.credentials.issueKey(
            .distributor(id: world.distributorID), accountID: world.resellerID, scope: .full, name: "billing")
        #expect(issued.key.role == .reseller)
        #expect(issued.key.accountID == world.resellerID)
    }

    @Test("a name of 255 characters is fine; a key needs no name")
    func nameLimits() async throws {
        let world = try await CredentialWorld()
        let long = String(repeating: "k", count: 255)
        #expect(
            try await world.credentials.issueKey(.operator, accountID: "operator", scope: .full, name: long).key.name
                == long)
        #expect(
            try await world.credentials.issueKey(.operator, accountID: "operator", scope: .full, name: "").key.name
                == "")
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var tenant: @Sendable (CredentialWorld) -> Tenant
        var accountID: @Sendable (CredentialWorld) -> String
        var name = ""
        var kind: DomainError.Kind
        var message: (@Sendable (CredentialWorld) -> String)?
        var fields: [String] = []
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(
            label: "operator → reseller", tenant: { _ in .operator }, accountID: { $0.resellerID }, kind: .notFound,
            message: { "account \($0.resellerID) not found" }),
        Refusal(
            label: "operator → missing vendor", tenant: { _ in .operator }, accountID: { _ in "VA-000-000" },
            kind: .notFound, message: { _ in "account VA-000-000 not found" }),
        Refusal(
            label: "operator → malformed id", tenant: { _ in .operator }, accountID: { _ in "vendor-1" },
            kind: .notFound,
            message: { _ in "account vendor-1 not found" }),
        Refusal(
            label: "operator → lower-case operator", tenant: { _ in .operator }, accountID: { _ in "Operator" },
            kind: .notFound, message: { _ in "account Operator not found" }),
        Refusal(
            label: "distributor → another distributor's reseller", tenant: { .distributor(id: $0.distributorID) },
            accountID: { $0.otherResellerID }, kind: .notFound,
            message: { "reseller \($0.otherResellerID) not found" }),
        Refusal(
            label: "distributor → vendor", tenant: { .distributor(id: $0.distributorID) }, accountID: { $0.vendorID },
            kind: .notFound, message: { "reseller \($0.vendorID) not found" }),
        Refusal(
            label: "distributor → itself", tenant: { .distributor(id: $0.distributorID) },
            accountID: { $0.distributorID },
            kind: .notFound, message: { "reseller \($0.distributorID) not found" }),
        Refusal(
            label: "distributor → operator", tenant: { .distributor(id: $0.distributorID) },
            accountID: { _ in "operator" },
            kind: .notFound, message: { _ in "reseller operator not found" }),
        Refusal(
            label: "distributor → a customer", tenant: { .distributor(id: $0.distributorID) },
            accountID: { $0.customerID },
            kind: .notFound, message: { "reseller \($0.customerID) not found" }),
        Refusal(
            label: "vendor", tenant: { .vendor(id: $0.vendorID) }, accountID: { $0.vendorID }, kind: .permissionDenied,
            message: { _ in "only the operator and distributors can manage API keys" }),
        Refusal(
            label: "reseller", tenant: { $0.resellerTenant }, accountID: { $0.resellerID }, kind: .permissionDenied),
        Refusal(
            label: "empty account id", tenant: { _ in .operator }, accountID: { _ in "" }, kind: .invalidArgument,
            fields: ["account_id"]),
        Refusal(
            label: "name of 256", tenant: { _ in .operator }, accountID: { $0.vendorID },
            name: String(repeating: "n", count: 256), kind: .invalidArgument, fields: ["name"]),
        Refusal(
            label: "name with a newline", tenant: { _ in .operator }, accountID: { $0.vendorID }, name: "ci\nkey",
            kind: .invalidArgument, fields: ["name"]),
        Refusal(
            label: "every field wrong", tenant: { _ in .operator }, accountID: { _ in "" }, name: "\u{7}",
            kind: .invalidArgument, fields: ["account_id", "name"]),
    ]

    @Test("refused issues store nothing", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        let world = try await CredentialWorld()
        try await world.refuses(refusal.kind, refusal.message?(world), fields: refusal.fields) {
            try await world.credentials.issueKey(
                refusal.tenant(world), accountID: refusal.accountID(world), scope: .full, name: refusal.name)
        }
    }

    @Test("no key is issued when the random generator fails")
    func randomFailure() async throws {
        let world = try await CredentialWorld()
        world.hashing.failRandom()
        try await world.refuses(.internalFailure, "internal error") {
            try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "")
        }
    }
}

@Suite struct CredentialKeyListTests {
    @Test("lists an account's keys oldest first; revoked ones only when asked")
    func listsKeys() async throws {
        let world = try await CredentialWorld()
        let first = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "a")
        let second = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "b")
        _ = try await world.credentials.issueKey(.operator, accountID: world.distributorID, scope: .full, name: "c")
        let revoked = try await world.credentials.revokeKey(.operator, id: first.key.id)
        let valid = try await world.credentials.listKeys(
            .operator, accountID: world.vendorID, includeRevoked: false, page: PageRequest())
        #expect(valid.items == [second.key])
        #expect(valid.nextAfter == nil)
        let all = try await world.credentials.listKeys(
            .operator, accountID: world.vendorID, includeRevoked: true, page: PageRequest())
        #expect(all.items == [revoked, second.key])
    }

    @Test func pagesThroughKeys() async throws {
        let world = try await CredentialWorld()
        var issued: [APIKey] = []
        for index in 0..<5 {
            issued.append(
                try await world.credentials.issueKey(.operator, accountID: "operator", scope: .full, name: "\(index)")
                    .key)
        }
        var seen: [APIKey] = []
        var page = PageRequest(size: 2)
        while true {
            let result = try await world.credentials.listKeys(
                .operator, accountID: "operator", includeRevoked: false, page: page)
            #expect(result.items.count <= 2)
            seen += result.items
            guard let after = result.nextAfter else { break }
            page = PageRequest(size: 2, after: after)
        }
        #expect(seen == issued)
    }

    @Test("a distributor lists its reseller's keys")
    func distributorLists() async throws {
        let world = try await CredentialWorld()
        let distributor = Tenant.distributor(id: world.distributorID)
        let issued = try await world.credentials.issueKey(
            distributor, accountID: world.resellerID, scope: .full, name: "")
        let page = try await world.credentials.listKeys(
            distributor, accountID: world.resellerID, includeRevoked: false, page: PageRequest())
        #expect(page.items == [issued.key])
    }

    @Test("another tenant's account is not found, a caller that manages no keys is denied")
    func refusals() async throws {
        let world = try await CredentialWorld()
        let list = { (tenant: Tenant, accountID: String) in
            try await world.credentials.listKeys(
                tenant, accountID: accountID, includeRevoked: true, page: PageRequest())
        }
        try await world.refuses(.notFound, "reseller \(world.otherResellerID) not found") {
            try await list(.distributor(id: world.distributorID), world.otherResellerID)
        }
        try await world.refuses(.notFound, "reseller \(world.vendorID) not found") {
            try await list(.distributor(id: world.distributorID), world.vendorID)
        }
        try await world.refuses(.notFound, "account \(world.resellerID) not found") {
            try await list(.operator, world.resellerID)
        }
        try await world.refuses(.invalidArgument, fields: ["account_id"]) { try await list(.operator, "") }
        try await world.refuses(.permissionDenied) { try await list(.vendor(id: world.vendorID), world.vendorID) }
        try await world.refuses(.permissionDenied) { try await list(world.resellerTenant, world.resellerID) }
    }
}

@Suite struct CredentialKeyRevokeTests {
    @Test("revoking stamps the time once; revoking again changes nothing")
    func revokeIsIdempotent() async throws {
        let world = try await CredentialWorld()
        let issued = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "")
        world.clock.advance(seconds: 10)
        let revoked = try await world.credentials.revokeKey(.operator, id: issued.key.id)
        #expect(revoked.revokedAt == world.clock.current)
        #expect(try await world.key(issued.key.id) == revoked)
        let stampedAt = world.clock.current
        world.clock.advance(seconds: 10)
        let before = await world.snapshot()
        let again = try await world.credentials.revokeKey(.operator, id: issued.key.id)
        #expect(again.revokedAt == stampedAt)
        #expect(await world.snapshot() == before)
    }

    @Test("a distributor revokes its reseller's keys")
    func distributorRevokes() async throws {
        let world = try await CredentialWorld()
        let distributor = Tenant.distributor(id: world.distributorID)
        let issued = try await world.credentials.issueKey(
            distributor, accountID: world.resellerID, scope: .full, name: "")
        let revoked = try await world.credentials.revokeKey(distributor, id: issued.key.id)
        #expect(revoked.isRevoked)
    }

    @Test("a key the caller does not manage is not found, exactly like a missing one")
    func othersKeysAreNotFound() async throws {
        let world = try await CredentialWorld()
        let vendorKey = try await world.credentials.issueKey(
            .operator, accountID: world.vendorID, scope: .full, name: "")
        let resellerKey = try await world.credentials.issueKey(
            .distributor(id: world.distributorID), accountID: world.resellerID, scope: .full, name: "")
        let otherKey = try await world.credentials.issueKey(
            .distributor(id: world.otherDistributorID), accountID: world.otherResellerID, scope: .full, name: "")
        let cases: [(Tenant, String)] = [
            (.distributor(id: world.distributorID), vendorKey.key.id),
            (.distributor(id: world.distributorID), otherKey.key.id),
            (.operator, resellerKey.key.id),
            (.operator, "KEY-0000-0000"),
            (.operator, "KEY-1"),
            (.operator, ""),
        ]
        for (tenant, id) in cases {
            try await world.refuses(.notFound, "API key \(id) not found") {
                try await world.credentials.revokeKey(tenant, id: id)
            }
        }
        try await world.refuses(.permissionDenied) {
            try await world.credentials.revokeKey(.vendor(id: world.vendorID), id: vendorKey.key.id)
        }
        try await world.refuses(.permissionDenied) {
            try await world.credentials.revokeKey(world.resellerTenant, id: resellerKey.key.id)
        }
    }
}

@Suite struct CredentialAuthenticationTests {
    @Test("a key authenticates as its account's tenant")
    func tenants() async throws {
        let world = try await CredentialWorld()
        let cases: [(Tenant, String, Tenant)] = [
            (.operator, "operator", .operator),
            (.operator, world.vendorID, .vendor(id: world.vendorID)),
            (.operator, world.distributorID, .distributor(id: world.distributorID)),
            (.distributor(id: world.distributorID), world.resellerID, world.resellerTenant),
        ]
        for (issuer, accountID, expected) in cases {
            let issued = try await world.credentials.issueKey(issuer, accountID: accountID, scope: .readOnly, name: "")
            let authenticated = try #require(try await world.credentials.authenticate(issued.token))
            #expect(authenticated.tenant == expected)
            #expect(authenticated.key == issued.key)
        }
    }

    @Test("a reseller key carries the reseller's current row")
    func resellerTenantIsTheRow() async throws {
        let world = try await CredentialWorld()
        let issued = try await world.credentials.issueKey(
            .distributor(id: world.distributorID), accountID: world.tier2ID, scope: .full, name: "")
        let authenticated = try #require(try await world.credentials.authenticate(issued.token))
        #expect(
            authenticated.tenant
                == .reseller(
                    ResellerTenant(
                        id: world.tier2ID, distributorID: world.distributorID, tier: 2, parentID: world.resellerID,
                        allowTier2: false)))
    }

    @Test("a wrong secret, an unknown id and a revoked key all answer nil")
    func refusals() async throws {
        let world = try await CredentialWorld()
        let issued = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "")
        var secret = Array(issued.token.secret.utf8)
        secret[0] = secret[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let wrongSecret = try #require(
            APIKeyToken(parsing: issued.key.id + "." + String(decoding: secret, as: UTF8.self)))
        #expect(try await world.credentials.authenticate(wrongSecret) == nil)
        let unknown = try #require(APIKeyToken(parsing: "KEY-0000-0000." + issued.token.secret))
        #expect(try await world.credentials.authenticate(unknown) == nil)
        _ = try await world.credentials.revokeKey(.operator, id: issued.key.id)
        #expect(try await world.credentials.authenticate(issued.token) == nil)
    }

    @Test("the last use is recorded, never moved backwards, and a missing key is ignored")
    func recordUse() async throws {
        let world = try await CredentialWorld()
        let issued = try await world.credentials.issueKey(.operator, accountID: world.vendorID, scope: .full, name: "")
        let later = Timestamp(secondsSinceEpoch: 1_800_000_000)
        try await world.credentials.recordUse(keyID: issued.key.id, at: later)
        #expect(try await world.key(issued.key.id)?.lastUsedAt == later)
        try await world.credentials.recordUse(keyID: issued.key.id, at: Timestamp(secondsSinceEpoch: 1_700_000_000))
        #expect(try await world.key(issued.key.id)?.lastUsedAt == later)
        let before = await world.snapshot()
        try await world.credentials.recordUse(keyID: "KEY-0000-0000", at: later)
        #expect(await world.snapshot() == before)
    }
}

// MARK: - Fixtures

/// An operator's world: a vendor, two distributors, a tier-1 reseller (allowed tier 2) with a
/// tier-2 reseller under it, a customer, and another distributor's reseller, over a fresh store.
struct CredentialWorld: Sendable {
    let store = CredentialMemoryStore()
    let clock = CredentialClock()
    let hashing = CredentialHashing()
    let environment: DomainEnvironment
    let vendorID: String
    let distributorID: String
    let otherDistributorID: String
    let resellerID: String
    let tier2ID: String
    let customerID: String
    let otherResellerID: String

    init() async throws {
        environment = DomainEnvironment(store: store, clock: clock)
        let accounts = AccountOperations(environment: environment)
        vendorID = try await accounts.create(.operator, role: .vendor, name: "Vendor").id
        distributorID = try await accounts.create(.operator, role: .distributor, name: "Distributor").id
        otherDistributorID = try await accounts.create(.operator, role: .distributor, name: "Other").id
        let resellers = ResellerOperations(environment: environment)
        let reseller = try await resellers.create(.distributor(id: distributorID), name: "Reseller", allowTier2: true)
        resellerID = reseller.id
        tier2ID = try await resellers.create(.reseller(reseller.tenant), name: "Tier 2", allowTier2: false).id
        otherResellerID = try await resellers.create(
            .distributor(id: otherDistributorID), name: "Theirs", allowTier2: false
        ).id
        customerID = try await CustomerOperations(environment: environment)
            .create(.distributor(id: distributorID), name: "Customer", resellerID: nil, externalID: "").id
    }

    var credentials: CredentialOperations { CredentialOperations(environment: environment, hashing: hashing) }
    var accounts: AccountOperations { AccountOperations(environment: environment) }

    var resellerTenant: Tenant {
        .reseller(
            ResellerTenant(id: resellerID, distributorID: distributorID, tier: 1, parentID: nil, allowTier2: true))
    }

    func key(_ id: String) async throws -> APIKey? {
        try await store.read { try $0.apiKey(id: id) }
    }

    func snapshot() async -> CredentialMemoryState { store.snapshot }

    /// Expects `body` to throw a `DomainError` of `kind` (with `message` and violation `fields`
    /// when given) and to leave the store exactly as it was.
    func refuses<T>(
        _ kind: DomainError.Kind, _ message: String? = nil, fields: [String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async throws {
        let before = store.snapshot
        let error = await #expect(throws: DomainError.self, sourceLocation: sourceLocation) { _ = try await body() }
        if let error {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            if let message { #expect(error.message == message, sourceLocation: sourceLocation) }
            if let fields { #expect(error.violations.map(\.field) == fields, sourceLocation: sourceLocation) }
        }
        #expect(store.snapshot == before, "a refused call changed the store", sourceLocation: sourceLocation)
    }
}

/// A clock that stands still until a test moves it.
final class CredentialClock: DomainClock {
    private let time = Mutex(Timestamp(secondsSinceEpoch: 1_767_225_600))  // 2026-01-01T00:00:00Z

    func now() -> Timestamp { time.withLock { $0 } }
    var current: Timestamp { now() }

    func advance(seconds: Int64) {
        time.withLock { $0 = Timestamp(microsecondsSinceEpoch: $0.microsecondsSinceEpoch + seconds * 1_000_000) }
    }
}

/// Deterministic stand-ins for SHA-256 and the random generator: the digest is a keyed mix of
/// the input (not SHA-256, but 32 bytes that differ for different inputs), and random bytes
/// count up unless a test scripts them or makes them fail.
final class CredentialHashing: SecretHashing {
    private struct State {
        var counter: UInt8 = 0
        var scripted: [UInt8]?
        var fails = false
    }

    struct Failure: Error {}

    private let state = Mutex(State())

    func script(_ bytes: [UInt8]) { state.withLock { $0.scripted = bytes } }
    func failRandom() { state.withLock { $0.fails = true } }

    func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var digest: [UInt8] = []
        for round in 0..<32 {
            hash ^= UInt64(round)
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            digest.append(UInt8(truncatingIfNeeded: hash >> 24))
        }
        return digest
    }

    func randomBytes(_ count: Int) throws -> [UInt8] {
        try state.withLock { state in
            if state.fails { throw Failure() }
            if let scripted = state.scripted {
                state.scripted = nil
                return scripted
            }
            return (0..<count).map { _ in
                state.counter &+= 37
                return state.counter
            }
        }
    }

    func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool { lhs == rhs }
}

// MARK: An in-memory store

/// A `DataStore` in memory with the SQLite store's contract for what these tests touch: writes
/// run one at a time on a copy committed only when the body returns, reads see a snapshot, lists
/// page by insertion position. Catalogue and subscription methods are not needed here and fail.
final class CredentialMemoryStore: DataStore {
    private let state = Mutex(CredentialMemoryState())

    var snapshot: CredentialMemoryState { state.withLock { $0 } }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T {
        try body(CredentialMemoryTransaction(snapshot))
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        try state.withLock { current throws -> T in
            let tx = CredentialMemoryTransaction(current)
            let result = try body(tx)
            current = tx.state
            return result
        }
    }
}

struct CredentialMemoryTable<Value: Sendable & Equatable>: Sendable, Equatable {
    var rows: [String: Row] = [:]

    struct Row: Sendable, Equatable {
        var position: Int64
        var value: Value
    }

    func page(_ request: PageRequest, where include: (Value) -> Bool = { _ in true }) -> Page<Value> {
        let matching = rows.values.filter { $0.position > (request.after ?? 0) && include($0.value) }
            .sorted { $0.position < $1.position }
        let items = matching.prefix(request.size)
        return Page(items: items.map(\.value), nextAfter: matching.count > items.count ? items.last?.position : nil)
    }

    var all: [Value] { rows.values.sorted { $0.position < $1.position }.map(\.value) }
}

struct CredentialMemoryState: Sendable, Equatable {
    var position: Int64 = 0
    var accounts = CredentialMemoryTable<Account>()
    var keys = CredentialMemoryTable<APIKey>()
    var resellers = CredentialMemoryTable<Reseller>()
    var customers = CredentialMemoryTable<Customer>()
    var identities = CredentialMemoryTable<ServiceIdentity>()
}

final class CredentialMemoryTransaction: StoreWriter {
    var state: CredentialMemoryState

    init(_ state: CredentialMemoryState) { self.state = state }

    struct Unsupported: Error {}

    private func insert<T>(
        _ table: WritableKeyPath<CredentialMemoryState, CredentialMemoryTable<T>>, _ id: String, _ value: T
    ) throws {
        guard state[keyPath: table].rows[id] == nil else { throw DomainError.alreadyExists("\(id) already exists") }
        state.position += 1
        state[keyPath: table].rows[id] = .init(position: state.position, value: value)
    }

    private func update<T>(
        _ table: WritableKeyPath<CredentialMemoryState, CredentialMemoryTable<T>>, _ id: String, _ value: T
    ) throws {
        guard let row = state[keyPath: table].rows[id] else { throw DomainError.notFound("object", id) }
        state[keyPath: table].rows[id] = .init(position: row.position, value: value)
    }

    func account(id: String) throws -> Account? { state.accounts.rows[id]?.value }
    func accounts(role: Role?, page: PageRequest) throws -> Page<Account> {
        state.accounts.page(page) { role == nil || $0.role == role }
    }
    func apiKey(id: String) throws -> APIKey? { state.keys.rows[id]?.value }
    func apiKeys(accountID: String, includeRevoked: Bool, page: PageRequest) throws -> Page<APIKey> {
        state.keys.page(page) { $0.accountID == accountID && (includeRevoked || !$0.isRevoked) }
    }
    func reseller(id: String) throws -> Reseller? { state.resellers.rows[id]?.value }
    func resellers(_ filter: ResellerFilter, page: PageRequest) throws -> Page<Reseller> {
        state.resellers.page(page) {
            $0.distributorID == filter.distributorID && (filter.tier == nil || $0.tier == filter.tier)
                && (filter.parentID == nil || $0.parentID == filter.parentID)
        }
    }
    func customer(id: String) throws -> Customer? { state.customers.rows[id]?.value }
    func customers(_ filter: CustomerFilter, page: PageRequest) throws -> Page<Customer> {
        state.customers.page(page) { $0.distributorID == filter.distributorID }
    }
    func serviceIdentity(id: String) throws -> ServiceIdentity? { state.identities.rows[id]?.value }
    func serviceIdentities(distributorID: String, includeRevoked: Bool, page: PageRequest) throws -> Page<
        ServiceIdentity
    > {
        state.identities.page(page) { $0.distributorID == distributorID && (includeRevoked || !$0.isRevoked) }
    }
    func serviceIdentities(fingerprint: String, subject: String) throws -> [ServiceIdentity] {
        state.identities.all.filter {
            !$0.isRevoked && ($0.sha256Fingerprint == fingerprint || $0.subject == subject)
        }
    }
    func isIdentifierTaken(_ id: String) throws -> Bool {
        state.accounts.rows[id] != nil || state.keys.rows[id] != nil || state.resellers.rows[id] != nil
            || state.customers.rows[id] != nil || state.identities.rows[id] != nil
    }

    func insert(_ account: Account) throws { try insert(\.accounts, account.id, account) }
    func insert(_ key: APIKey) throws { try insert(\.keys, key.id, key) }
    func update(_ key: APIKey) throws { try update(\.keys, key.id, key) }
    func insert(_ reseller: Reseller) throws { try insert(\.resellers, reseller.id, reseller) }
    func insert(_ customer: Customer) throws { try insert(\.customers, customer.id, customer) }
    func insert(_ identity: ServiceIdentity) throws { try insert(\.identities, identity.id, identity) }
    func update(_ identity: ServiceIdentity) throws { try update(\.identities, identity.id, identity) }

    // Not used by the credential and account tests.
    func product(id: String) throws -> Product? { throw Unsupported() }
    func products(vendorID: String, page: PageRequest) throws -> Page<Product> { throw Unsupported() }
    func item(id: String) throws -> Item? { throw Unsupported() }
    func items(productID: String, status: ItemStatus?, page: PageRequest) throws -> Page<Item> { throw Unsupported() }
    func item(productID: String, name: String) throws -> Item? { throw Unsupported() }
    func item(productID: String, mpn: String) throws -> Item? { throw Unsupported() }
    func unit(vendorID: String, name: String) throws -> Domain.Unit? { throw Unsupported() }
    func units(vendorID: String, page: PageRequest) throws -> Page<Domain.Unit> { throw Unsupported() }
    func marketplace(id: String) throws -> Marketplace? { throw Unsupported() }
    func marketplaces(distributorID: String, page: PageRequest) throws -> Page<Marketplace> { throw Unsupported() }
    func contract(id: String) throws -> Contract? { throw Unsupported() }
    func contracts(_ filter: ContractFilter, page: PageRequest) throws -> Page<Contract> { throw Unsupported() }
    func listing(id: String) throws -> Listing? { throw Unsupported() }
    func listings(_ filter: ListingFilter, page: PageRequest) throws -> Page<Listing> { throw Unsupported() }
    func subscription(id: String) throws -> Subscription? { throw Unsupported() }
    func subscriptions(_ filter: SubscriptionFilter, page: PageRequest) throws -> Page<Subscription> {
        throw Unsupported()
    }
    func insert(_ product: Product) throws { throw Unsupported() }
    func update(_ product: Product) throws { throw Unsupported() }
    func nextItemSequence(productID: String) throws -> Int { throw Unsupported() }
    func insert(_ item: Item) throws { throw Unsupported() }
    func update(_ item: Item) throws { throw Unsupported() }
    func deleteItem(id: String) throws { throw Unsupported() }
    func insert(_ unit: Domain.Unit) throws { throw Unsupported() }
    func insert(_ marketplace: Marketplace) throws { throw Unsupported() }
    func insert(_ contract: Contract) throws { throw Unsupported() }
    func update(_ contract: Contract) throws { throw Unsupported() }
    func insert(_ listing: Listing) throws { throw Unsupported() }
    func update(_ listing: Listing) throws { throw Unsupported() }
    func insert(_ subscription: Subscription) throws { throw Unsupported() }
    func update(_ subscription: Subscription) throws { throw Unsupported() }
}
