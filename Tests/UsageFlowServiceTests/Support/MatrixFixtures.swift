// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import Foundation
import ProtoWire
import RPCCore
import RPCInProcessTransport
import ServiceSupport
import StandardServices
import Storage
import Synchronization
import UsageFlowServer

// The world the authorization matrix runs against: one SQLite file holding two complete tenant
// worlds, A and B, each with a vendor, a distributor, two tiers of resellers, customers, a
// catalogue, a marketplace, contracts, listings, subscriptions and credentials in every state an
// action needs; world A's credentials for every principal; the server's own router; and a
// snapshot of everything stored, to prove that a refused call changed nothing.

/// The ids one target of a row can name: world A's objects, world B's, or ids of nothing.
struct MatrixRefs: Sendable {
    var vendor: String
    var distributor: String
    /// A product with two reseller levels, listed in `marketplace` under `activeContract`.
    var product: String
    /// A product with no listing, ready to be listed.
    var unlistedProduct: String
    var publishedItem: String
    var draftItem: String
    var marketplace: String
    /// A marketplace without contracts, ready for an offer.
    var freeMarketplace: String
    var activeContract: String
    var pendingContract: String
    var listedListing: String
    var pendingListing: String
    /// Allowed to create tier-2 resellers.
    var tier1Reseller: String
    var tier2Reseller: String
    var directCustomer: String
    var tier1Customer: String
    var tier2Customer: String
    var directSubscription: String
    var tier1Subscription: String
    var tier2Subscription: String
    /// An active subscription no cell reads, ready to be suspended or terminated.
    var activeSubscription: String
    var suspendedSubscription: String
    /// A valid service identity no principal uses, ready to be revoked.
    var serviceIdentity: String
    /// A valid key of `tier1Reseller` no principal uses, ready to be revoked.
    var resellerKey: String
    /// A valid key of `vendor` no principal uses, ready to be revoked.
    var vendorKey: String
    /// The world's usage files (`MatrixTable+Usage.swift`).
    var usage: MatrixUsageRefs

    /// Every id, to search replies for another tenant's.
    var all: [String] {
        [
            vendor, distributor, product, unlistedProduct, publishedItem, draftItem, marketplace, freeMarketplace,
            activeContract, pendingContract, listedListing, pendingListing, tier1Reseller, tier2Reseller,
            directCustomer, tier1Customer, tier2Customer, directSubscription, tier1Subscription, tier2Subscription,
            activeSubscription, suspendedSubscription, serviceIdentity, resellerKey, vendorKey,
        ] + usage.all
    }
}

/// Names and fingerprints no other object of the run has.
final class MatrixCounter: Sendable {
    private let value = Mutex(0)

    func next() -> Int { value.withLock { $0 += 1; return $0 } }

    func unique(_ prefix: String) -> String { "\(prefix) \(next())" }

    /// 64 hex digits no other certificate of the run has.
    func fingerprint() -> String {
        let tail = String(next(), radix: 16)
        return String(repeating: "e", count: 64 - tail.count) + tail
    }
}

/// One tenant world's parties and objects, and how to make fresh objects in it.
struct MatrixTenantWorld: Sendable {
    let environment: DomainEnvironment
    let counter: MatrixCounter
    let refs: MatrixRefs

    var vendor: Tenant { .vendor(id: refs.vendor) }
    var distributor: Tenant { .distributor(id: refs.distributor) }

    private var catalogue: CatalogueOperations { CatalogueOperations(environment: environment) }
    private var marketplaces: MarketplaceOperations { MarketplaceOperations(environment: environment) }
    private var contracts: ContractOperations { ContractOperations(environment: environment) }
    private var listings: ListingOperations { ListingOperations(environment: environment) }
    private var subscriptions: SubscriptionOperations { SubscriptionOperations(environment: environment) }
    private var credentials: CredentialOperations {
        CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
    }

    // MARK: Fresh objects, for actions that consume theirs

    func draftItem() async throws -> String {
        try await Self.item(of: refs.product, by: vendor, counter: counter, in: environment).id
    }

    func publishedItem() async throws -> String {
        try await catalogue.publishItem(vendor, id: draftItem()).id
    }

    func unlistedProduct() async throws -> String {
        try await catalogue.createProduct(
            vendor, name: counter.unique("Product"), capabilities: Capabilities(ppu: true, schema: .qt, tierLevels: 2)
        ).id
    }

    func freeMarketplace() async throws -> String {
        try await marketplaces.create(distributor, name: counter.unique("Marketplace"), currency: "EUR").id
    }

    /// A contract offered in a marketplace of its own: one live contract per vendor, distributor
    /// and marketplace.
    func pendingContract() async throws -> String {
        try await contracts.offer(distributor, vendorID: refs.vendor, marketplaceID: freeMarketplace()).id
    }

    /// A listing of a product of its own: one live listing per product and contract.
    func pendingListing() async throws -> String {
        try await listings.request(vendor, productID: unlistedProduct(), contractID: refs.activeContract).id
    }

    func listedListing() async throws -> String {
        try await listings.approve(distributor, id: pendingListing()).id
    }

    func activeSubscription() async throws -> String {
        try await subscriptions.create(
            distributor,
            SubscriptionOperations.Draft(
                customerID: refs.directCustomer, productID: refs.product, marketplaceID: refs.marketplace)
        ).id
    }

    func suspendedSubscription() async throws -> String {
        try await subscriptions.suspend(distributor, id: activeSubscription(), reason: "").id
    }

    func serviceIdentity() async throws -> String {
        try await credentials.createServiceIdentity(
            distributor, name: counter.unique("Billing"), subject: nil, sha256Fingerprint: counter.fingerprint()
        ).id
    }

    func resellerKey() async throws -> String {
        try await credentials.issueKey(distributor, accountID: refs.tier1Reseller, scope: .full, name: "spare").key.id
    }

    func vendorKey() async throws -> String {
        try await credentials.issueKey(.operator, accountID: refs.vendor, scope: .full, name: "spare").key.id
    }

    // MARK: Seeding

    static func item(
        of productID: String, by vendor: Tenant, counter: MatrixCounter, in environment: DomainEnvironment
    ) async throws -> Item {
        try await CatalogueOperations(environment: environment).createItem(
            vendor,
            CatalogueOperations.ItemDraft(
                productID: productID, name: counter.unique("Item"), mpn: counter.unique("MPN"), type: .ppu,
                precision: .decimal2, unit: "MB*h"))
    }

    /// A complete world, seeded through the domain's operations as its parties would build it.
    /// Returns the world and the parties world A's principals act as.
    static func seed(
        _ label: String, counter: MatrixCounter, in environment: DomainEnvironment
    ) async throws -> (world: MatrixTenantWorld, tier1: Reseller, tier2: Reseller) {
        let accounts = AccountOperations(environment: environment)
        let credentials = CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
        let catalogue = CatalogueOperations(environment: environment)
        let marketplaces = MarketplaceOperations(environment: environment)
        let contracts = ContractOperations(environment: environment)
        let listings = ListingOperations(environment: environment)
        let resellers = ResellerOperations(environment: environment)
        let customers = CustomerOperations(environment: environment)
        let subscriptions = SubscriptionOperations(environment: environment)

        let vendorID = try await accounts.create(.operator, role: .vendor, name: "Vendor \(label)").id
        let distributorID = try await accounts.create(.operator, role: .distributor, name: "Distributor \(label)").id
        let vendor = Tenant.vendor(id: vendorID)
        let distributor = Tenant.distributor(id: distributorID)

        let capabilities = Capabilities(ppu: true, schema: .qt, tierLevels: 2)
        let product = try await catalogue.createProduct(vendor, name: "Storage \(label)", capabilities: capabilities)
        let unlisted = try await catalogue.createProduct(vendor, name: "Backup \(label)", capabilities: capabilities)
        let second = try await catalogue.createProduct(vendor, name: "Compute \(label)", capabilities: capabilities)
        let published = try await catalogue.publishItem(
            vendor, id: item(of: product.id, by: vendor, counter: counter, in: environment).id)
        let draft = try await item(of: product.id, by: vendor, counter: counter, in: environment)

        let marketplace = try await marketplaces.create(distributor, name: "Europe \(label)", currency: "EUR")
        let free = try await marketplaces.create(distributor, name: "Americas \(label)", currency: "USD")
        let other = try await marketplaces.create(distributor, name: "Asia \(label)", currency: "JPY")
        let active = try await contracts.accept(
            vendor, id: contracts.offer(distributor, vendorID: vendorID, marketplaceID: marketplace.id).id)
        let pending = try await contracts.offer(distributor, vendorID: vendorID, marketplaceID: other.id)
        let listed = try await listings.approve(
            distributor, id: listings.request(vendor, productID: product.id, contractID: active.id).id)
        let pendingListing = try await listings.request(vendor, productID: second.id, contractID: active.id)

        let tier1 = try await resellers.create(distributor, name: "Reseller One \(label)", allowTier2: true)
        let tier2 = try await resellers.create(
            .reseller(tier1.tenant), name: "Reseller Two \(label)", allowTier2: false)
        let direct = try await customers.create(distributor, name: "Direct \(label)", resellerID: nil, externalID: "")
        let customer1 = try await customers.create(
            distributor, name: "Tier One Customer \(label)", resellerID: tier1.id, externalID: "")
        let customer2 = try await customers.create(
            .reseller(tier2.tenant), name: "Tier Two Customer \(label)", resellerID: nil, externalID: "")

        func subscribe(_ customer: Customer) async throws -> Subscription {
            try await subscriptions.create(
                distributor,
                SubscriptionOperations.Draft(
                    customerID: customer.id, productID: product.id, marketplaceID: marketplace.id))
        }
        let directSubscription = try await subscribe(direct)
        let subscription1 = try await subscribe(customer1)
        let subscription2 = try await subscribe(customer2)
        let spare = try await subscribe(direct)
        let suspended = try await subscriptions.suspend(distributor, id: subscribe(direct).id, reason: "")

        let identity = try await credentials.createServiceIdentity(
            distributor, name: "Spare \(label)", subject: nil, sha256Fingerprint: counter.fingerprint())
        let resellerKey = try await credentials.issueKey(
            distributor, accountID: tier1.id, scope: .full, name: "spare")
        let vendorKey = try await credentials.issueKey(.operator, accountID: vendorID, scope: .full, name: "spare")

        var refs = MatrixRefs(
            vendor: vendorID, distributor: distributorID, product: product.id, unlistedProduct: unlisted.id,
            publishedItem: published.id, draftItem: draft.id, marketplace: marketplace.id, freeMarketplace: free.id,
            activeContract: active.id, pendingContract: pending.id, listedListing: listed.id,
            pendingListing: pendingListing.id, tier1Reseller: tier1.id, tier2Reseller: tier2.id,
            directCustomer: direct.id, tier1Customer: customer1.id, tier2Customer: customer2.id,
            directSubscription: directSubscription.id, tier1Subscription: subscription1.id,
            tier2Subscription: subscription2.id, activeSubscription: spare.id, suspendedSubscription: suspended.id,
            serviceIdentity: identity.id, resellerKey: resellerKey.key.id, vendorKey: vendorKey.key.id,
            usage: .missing)
        refs.usage = try await MatrixTenantWorld(environment: environment, counter: counter, refs: refs).seedUsage()
        return (MatrixTenantWorld(environment: environment, counter: counter, refs: refs), tier1, tier2)
    }

    /// Well-formed ids of nothing: all zeros, which `NonZeroDigits` never makes.
    static let missingRefs: MatrixRefs = {
        let product = "PRD-000-000-000"
        let reseller = "TA-0-0000-0000-0000"
        let subscription = "AS-0000-0000-0000"
        let contract = "CRD-00000-00000-00000"
        let listing = "LST-000-000-000"
        let marketplace = "MP-00000"
        let key = "KEY-0000-0000"
        return MatrixRefs(
            vendor: "VA-000-000", distributor: "PA-000-000", product: product, unlistedProduct: product,
            publishedItem: product + "-0001", draftItem: product + "-0002", marketplace: marketplace,
            freeMarketplace: marketplace, activeContract: contract, pendingContract: contract, listedListing: listing,
            pendingListing: listing, tier1Reseller: reseller, tier2Reseller: reseller, directCustomer: reseller,
            tier1Customer: reseller, tier2Customer: reseller, directSubscription: subscription,
            tier1Subscription: subscription, tier2Subscription: subscription, activeSubscription: subscription,
            suspendedSubscription: subscription, serviceIdentity: "SI-000-000", resellerKey: key, vendorKey: key,
            usage: .missing)
    }()
}

/// Random digits 1 through 9, so no id of the run is all zeros: those name the missing objects,
/// which must stay missing however many objects the cells create.
struct NonZeroDigits: RandomDigitSource {
    func nextDigit() -> UInt8 { UInt8.random(in: 1...9) }
}

/// Everything stored, read through the store's own API, to compare before and after a call.
///
/// It covers every table but one: history and parameter rows come inside their contracts,
/// listings and subscriptions; the next item number per product (`item_sequences`) shows only
/// through the items numbered with it.
struct MatrixSnapshot: Equatable, Sendable {
    var accounts: [Account] = []
    var apiKeys: [APIKey] = []
    var products: [Product] = []
    var items: [Item] = []
    var units: [Domain.Unit] = []
    var marketplaces: [Marketplace] = []
    var contracts: [Contract] = []
    var listings: [Listing] = []
    var resellers: [Reseller] = []
    var customers: [Customer] = []
    var subscriptions: [Subscription] = []
    var serviceIdentities: [ServiceIdentity] = []
    var usageFiles: [UsageFile] = []
    var usageRecords: [UsageRecord] = []
    /// Every reseller's billing marks, by file, record position and reseller.
    var resellerBillingMarks: [String: ResellerBillingMark] = [:]
    /// The newest event's position: every recorded change (a reconciliation, a billing mark, a
    /// status) appends an event, so a refused call must leave it where it was.
    var lastEventPosition: Int64 = 0

    /// The same, with every key's last-use time cleared: a call the policy admits records its key's
    /// use (at most once a minute), also when the operation then refuses it; a call the policy
    /// refuses records nothing, so it is compared with the last-use times included.
    var ignoringLastUse: MatrixSnapshot {
        var copy = self
        for index in copy.apiKeys.indices { copy.apiKeys[index].lastUsedAt = nil }
        return copy
    }

    /// The collections that differ from `other`'s, for a failure message.
    func changes(from other: MatrixSnapshot) -> [String] {
        var changed: [String] = []
        if accounts != other.accounts { changed.append("accounts") }
        if apiKeys != other.apiKeys { changed.append("api keys") }
        if products != other.products { changed.append("products") }
        if items != other.items { changed.append("items") }
        if units != other.units { changed.append("units") }
        if marketplaces != other.marketplaces { changed.append("marketplaces") }
        if contracts != other.contracts { changed.append("contracts") }
        if listings != other.listings { changed.append("listings") }
        if resellers != other.resellers { changed.append("resellers") }
        if customers != other.customers { changed.append("customers") }
        if subscriptions != other.subscriptions { changed.append("subscriptions") }
        if serviceIdentities != other.serviceIdentities { changed.append("service identities") }
        if usageFiles != other.usageFiles { changed.append("usage files") }
        if resellerBillingMarks != other.resellerBillingMarks { changed.append("reseller billing marks") }
        if lastEventPosition != other.lastEventPosition { changed.append("events") }
        if usageRecords != other.usageRecords { changed.append("usage records") }
        return changed
    }

    static func read(_ store: any DataStore) async throws -> MatrixSnapshot {
        try await store.read { tx in
            var snapshot = MatrixSnapshot()
            snapshot.accounts = try allPages { try tx.accounts(role: nil, page: $0) }
            var keyOwners = [CredentialOperations.operatorAccountID]
            for account in snapshot.accounts {
                keyOwners.append(account.id)
                switch account.role {
                case .vendor:
                    let products = try allPages { try tx.products(vendorID: account.id, page: $0) }
                    snapshot.products += products
                    for product in products {
                        snapshot.items += try allPages { try tx.items(productID: product.id, status: nil, page: $0) }
                    }
                    snapshot.units += try allPages { try tx.units(vendorID: account.id, page: $0) }
                case .distributor:
                    snapshot.marketplaces += try allPages { try tx.marketplaces(distributorID: account.id, page: $0) }
                    let resellers = try allPages {
                        try tx.resellers(ResellerFilter(distributorID: account.id), page: $0)
                    }
                    snapshot.resellers += resellers
                    keyOwners += resellers.map(\.id)
                    snapshot.customers += try allPages {
                        try tx.customers(CustomerFilter(distributorID: account.id), page: $0)
                    }
                    snapshot.serviceIdentities += try allPages {
                        try tx.serviceIdentities(distributorID: account.id, includeRevoked: true, page: $0)
                    }
                case .operator, .reseller:
                    break
                }
            }
            for owner in keyOwners {
                snapshot.apiKeys += try allPages { try tx.apiKeys(accountID: owner, includeRevoked: true, page: $0) }
            }
            snapshot.contracts = try allPages { try tx.contracts(ContractFilter(), page: $0) }
            snapshot.listings = try allPages { try tx.listings(ListingFilter(), page: $0) }
            snapshot.subscriptions = try allPages { try tx.subscriptions(SubscriptionFilter(), page: $0) }
            snapshot.usageFiles = try allPages { try tx.usageFiles(UsageFileFilter(), page: $0) }
            for file in snapshot.usageFiles {
                let records = try allPages { try tx.usageRecords(fileID: file.id, status: nil, page: $0) }
                snapshot.usageRecords += records
                for record in records {
                    for reseller in snapshot.resellers {
                        let mark = try tx.resellerBillingMark(
                            fileID: file.id, position: record.position, resellerID: reseller.id)
                        if let mark { snapshot.resellerBillingMarks["\(file.id)/\(record.position)/\(reseller.id)"] = mark }
                    }
                }
            }
            snapshot.lastEventPosition = try tx.lastEventPosition()
            return snapshot
        }
    }

}

/// The two worlds, world A's credentials, and the server's router over one SQLite file.
final class MatrixWorld: Sendable {
    let directory: String
    let store: SQLiteDataStore
    let environment: DomainEnvironment
    let counter = MatrixCounter()
    let router: RPCRouter
    let a: MatrixTenantWorld
    let b: MatrixTenantWorld
    let missing: MatrixRefs
    /// Every id of world B, which no reply to world A's principals may contain.
    let foreignIDs: [String]
    private let tokens: [MatrixPrincipal: String]
    private let fingerprint: [UInt8] = Array(repeating: 0x7a, count: 32)
    /// The last snapshot and whether the store may have changed since (a fresh object, an OK write).
    private let known = Mutex<(snapshot: MatrixSnapshot?, stale: Bool)>((nil, true))

    static func make() async throws -> MatrixWorld {
        let directory = NSTemporaryDirectory() + "usageflow-matrix-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let store = try await SQLiteDataStore(path: directory + "/matrix.sqlite")
            do {
                return try await MatrixWorld(directory: directory, store: store)
            } catch {
                await store.close()
                throw error
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private init(directory: String, store: SQLiteDataStore) async throws {
        self.directory = directory
        self.store = store
        let environment = DomainEnvironment(
            store: store, clock: SteppingClock(), identifiers: IdentifierGenerator(source: NonZeroDigits()))
        self.environment = environment
        let seededA = try await MatrixTenantWorld.seed("A", counter: counter, in: environment)
        let seededB = try await MatrixTenantWorld.seed("B", counter: counter, in: environment)
        a = seededA.world
        b = seededB.world
        missing = MatrixTenantWorld.missingRefs
        foreignIDs = b.refs.all

        let credentials = CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
        let vendorA = a.refs.vendor
        let distributorA = Tenant.distributor(id: a.refs.distributor)
        func token(_ issuer: Tenant, _ account: String, _ scope: KeyScope) async throws -> String {
            try await credentials.issueKey(issuer, accountID: account, scope: scope, name: "matrix").token.text
        }
        let revoked = try await credentials.issueKey(.operator, accountID: vendorA, scope: .full, name: "revoked")
        _ = try await credentials.revokeKey(.operator, id: revoked.key.id)
        tokens = [
            .malformedBearer: "not-a-key",
            .unknownKey: missing.vendorKey + "." + String(repeating: "A", count: APIKeyToken.secretLength),
            .revokedKey: revoked.token.text,
            .operatorKey: try await token(.operator, CredentialOperations.operatorAccountID, .full),
            .vendorFull: try await token(.operator, vendorA, .full),
            .vendorReadOnly: try await token(.operator, vendorA, .readOnly),
            .distributorFull: try await token(.operator, a.refs.distributor, .full),
            .distributorReadOnly: try await token(.operator, a.refs.distributor, .readOnly),
            .resellerTier1: try await token(distributorA, seededA.tier1.id, .full),
            .resellerTier2: try await token(distributorA, seededA.tier2.id, .full),
        ]
        _ = try await credentials.createServiceIdentity(
            distributorA, name: "Billing A", subject: nil,
            sha256Fingerprint: fingerprint.map { String($0, radix: 16) }.joined())

        router = UsageFlowServer.makeRouter(
            environment: environment, log: EventLog(level: .error) { _ in }, health: HealthService(),
            clientCertificatesVerified: false)
    }

    func close() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Calling

    /// The refs a target names.
    func refs(_ target: MatrixTarget) -> MatrixRefs {
        switch target {
        case .own: a.refs
        case .other: b.refs
        case .missing: missing
        }
    }

    /// Sends `call` as `principal` through the server's router: the reply, or the status it failed with.
    func perform(_ call: MatrixCall, as principal: MatrixPrincipal) async throws -> Result<MatrixResponse, RPCError> {
        var metadata: Metadata = [:]
        if let token = tokens[principal] { metadata = ["authorization": "Bearer " + token] }
        var peer = Peer(address: "in-process")
        if principal == .serviceIdentity {
            peer = Peer(
                address: "ipv4:127.0.0.1:50000",
                certificateChain: [
                    PeerCertificate(
                        subject: "CN=billing,O=Distributor A", issuer: "CN=Test CA", sha256Fingerprint: fingerprint,
                        der: [])
                ])
        }
        return try await InProcessTransport.withTransport(router: router, peer: peer) { transport in
            do {
                return .success(try await call.run(RPCClient(transport: transport), CallOptions(metadata: metadata)))
            } catch let error as RPCError {
                return .failure(error)
            }
        }
    }

    // MARK: Snapshots

    /// What is stored now; read again only when something may have changed since the last read.
    func snapshot() async throws -> MatrixSnapshot {
        if let known = known.withLock({ $0.stale ? nil : $0.snapshot }) { return known }
        return try await freshSnapshot()
    }

    /// What is stored now, always read.
    func freshSnapshot() async throws -> MatrixSnapshot {
        let snapshot = try await MatrixSnapshot.read(store)
        known.withLock { $0 = (snapshot, false) }
        return snapshot
    }

    /// Something was written: the next snapshot reads the store.
    func storeChanged() {
        known.withLock { $0.stale = true }
    }
}

/// What a row's request builder knows about its cell.
struct MatrixRequestContext: Sendable {
    let world: MatrixWorld
    let principal: MatrixPrincipal
    let target: MatrixTarget
    /// Whether the cell expects the call to succeed, so an object it consumes must be fresh.
    let expectsSuccess: Bool

    var refs: MatrixRefs { world.refs(target) }

    /// The object at `path`, or a fresh one `make` creates in the target's world when the call is
    /// expected to succeed and so to consume it.
    func consumable(
        _ path: KeyPath<MatrixRefs, String>, fresh make: (MatrixTenantWorld) async throws -> String
    ) async throws -> String {
        guard expectsSuccess, target != .missing else { return refs[keyPath: path] }
        let id = try await make(target == .other ? world.b : world.a)
        world.storeChanged()
        return id
    }

    /// For reseller rows: the tier-1 or the tier-2 reseller's own object, by the caller's tier.
    func byTier(_ tier1: KeyPath<MatrixRefs, String>, _ tier2: KeyPath<MatrixRefs, String>) -> String {
        refs[keyPath: principal == .resellerTier2 ? tier2 : tier1]
    }

    func unique(_ prefix: String) -> String { world.counter.unique(prefix) }

    func uniqueFingerprint() -> String { world.counter.fingerprint() }
}

/// The one world every cell runs against: made by the first cell, closed and removed after the
/// last, with the statuses the cells observed for the summary.
actor MatrixShared {
    static let shared = MatrixShared()

    private var building: Task<MatrixWorld, any Error>?
    private var started: ContinuousClock.Instant?
    private var finished = 0
    private var observed: [String: Int] = [:]

    func world() async throws -> MatrixWorld {
        if let building { return try await building.value }
        started = ContinuousClock.now
        let task = Task { try await MatrixWorld.make() }
        building = task
        return try await task.value
    }

    /// A refusal with the ids of its target written as `<id>`, to compare the answers for another
    /// tenant's object and a missing one.
    struct Refusal: Hashable, Sendable {
        let code: Status.Code
        let message: String
        let statusDetails: [UInt8]?

        init(_ error: RPCError, naming refs: MatrixRefs) {
            var message = error.message
            for id in refs.all.sorted(by: { $0.count > $1.count }) {
                message = message.replacingOccurrences(of: id, with: "<id>")
            }
            code = error.code
            self.message = message
            statusDetails = error.statusDetails
        }
    }

    private var refusals: [String: Refusal] = [:]

    /// Keeps the refusal of an other or missing cell and returns its twin's, once both have run.
    func refusal(_ refusal: Refusal, for cell: MatrixCell) -> Refusal? {
        let twin = MatrixCell(
            row: cell.row, principal: cell.principal, target: cell.target == .other ? .missing : .other)
        refusals[cell.testDescription] = refusal
        return refusals[twin.testDescription]
    }

    /// Records a finished cell; after the last one, prints the summary and removes the world.
    func finished(_ cell: MatrixCell, observed outcome: String) async {
        finished += 1
        observed[outcome, default: 0] += 1
        guard finished == MatrixTable.cells.count else { return }
        let elapsed = started.map { ContinuousClock.now - $0 } ?? .zero
        let counts = observed.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("Authorization matrix: \(finished) cells in \(elapsed): \(counts)")
        if let world = try? await building?.value { await world.close() }
        building = nil
    }
}
