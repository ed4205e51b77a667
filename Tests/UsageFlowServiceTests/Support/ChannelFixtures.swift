// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import Glibc
import ProtoWire
import RPCCore
import ServiceSupport
import Storage
import Synchronization
import Testing
import WellKnownTypes

// Fixtures for the channel tests: a world of two vendors and two distributors over a fresh store,
// shortcuts that build the channel up to any point, and expectations for refused calls.

/// Every channel object in the store, to prove that a refused call changed nothing.
struct ChannelSnapshot: Equatable {
    var accounts: [Account] = []
    var products: [Product] = []
    var marketplaces: [Marketplace] = []
    var contracts: [Contract] = []
    var listings: [Listing] = []
    var resellers: [Reseller] = []
    var customers: [Customer] = []
    var subscriptions: [Subscription] = []
}

/// Two vendors and two distributors over a fresh SQLite file; `a` parties are the subject of a
/// test, `b` parties the other tenants that must see nothing of theirs.
///
/// A class so that the database's directory goes when the last test holding the world lets go of it.
final class ChannelWorld: Sendable {
    let directory: String
    let environment: DomainEnvironment
    let vendorA: Tenant
    let vendorB: Tenant
    let distributorA: Tenant
    let distributorB: Tenant

    init() async throws {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/channel-tests-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw DomainError.internalFailure("mkdtemp failed with errno \(errno)")
        }
        directory = String(cString: created)
        let store = try await SQLiteDataStore(path: directory + "/channel.sqlite", readers: 2)
        let environment = DomainEnvironment(store: store, clock: SteppingClock())
        self.environment = environment
        vendorA = .vendor(id: try await ChannelWorld.insertAccount(.vendor, "Vendor A", in: environment))
        vendorB = .vendor(id: try await ChannelWorld.insertAccount(.vendor, "Vendor B", in: environment))
        distributorA = .distributor(
            id: try await ChannelWorld.insertAccount(.distributor, "Distributor A", in: environment))
        distributorB = .distributor(
            id: try await ChannelWorld.insertAccount(.distributor, "Distributor B", in: environment))
    }

    deinit {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(directory + "/channel.sqlite" + suffix) }
        rmdir(directory)
    }

    var marketplaces: MarketplaceOperations { MarketplaceOperations(environment: environment) }
    var contracts: ContractOperations { ContractOperations(environment: environment) }
    var listings: ListingOperations { ListingOperations(environment: environment) }
    var resellers: ResellerOperations { ResellerOperations(environment: environment) }
    var customers: CustomerOperations { CustomerOperations(environment: environment) }
    var subscriptions: SubscriptionOperations { SubscriptionOperations(environment: environment) }

    // MARK: Parties and products (written straight to the store: other operations own them)

    static func insertAccount(_ role: Role, _ name: String, in environment: DomainEnvironment) async throws -> String {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let id = try environment.newID(role == .vendor ? .vendor : .distributor, in: tx)
            try tx.insert(Account(id: id, role: role, name: name, createdAt: now))
            return id
        }
    }

    /// A product of `vendor`, with one or two reseller levels.
    func product(of vendor: Tenant, tierLevels: Int = 1, name: String = "Cloud Storage") async throws -> Product {
        let now = environment.clock.now()
        let environment = environment
        return try await environment.store.write { tx in
            let product = Product(
                id: try environment.newID(.product, in: tx), vendorID: vendor.actor, name: name, description: "",
                capabilities: Capabilities(ppu: true, schema: .qt, tierLevels: tierLevels), createdAt: now,
                updatedAt: now)
            try tx.insert(product)
            return product
        }
    }

    // MARK: The channel, built up step by step

    func marketplace(of distributor: Tenant, currency: String = "EUR") async throws -> Marketplace {
        try await marketplaces.create(distributor, name: "Europe", currency: currency)
    }

    /// A contract `distributor` offered `vendor`, accepted unless `accepted` is false.
    func contract(
        _ vendor: Tenant, _ distributor: Tenant, in marketplace: Marketplace? = nil, accepted: Bool = true
    ) async throws -> Contract {
        let marketplaceID: String
        if let marketplace {
            marketplaceID = marketplace.id
        } else {
            marketplaceID = try await self.marketplace(of: distributor).id
        }
        let offered = try await contracts.offer(distributor, vendorID: vendor.actor, marketplaceID: marketplaceID)
        return accepted ? try await contracts.accept(vendor, id: offered.id) : offered
    }

    /// A listing of `product` under `contract`, approved unless `approved` is false.
    func listing(_ product: Product, under contract: Contract, approved: Bool = true) async throws -> Listing {
        let vendor = Tenant.vendor(id: contract.vendorID)
        let distributor = Tenant.distributor(id: contract.distributorID)
        let requested = try await listings.request(vendor, productID: product.id, contractID: contract.id)
        return approved ? try await listings.approve(distributor, id: requested.id) : requested
    }

    /// A product of vendor A listed in a marketplace of distributor A.
    func listedProduct(
        tierLevels: Int = 1
    ) async throws -> (product: Product, marketplace: Marketplace, listing: Listing) {
        let marketplace = try await marketplace(of: distributorA)
        let contract = try await contract(vendorA, distributorA, in: marketplace)
        let product = try await product(of: vendorA, tierLevels: tierLevels)
        let listing = try await listing(product, under: contract)
        return (product, marketplace, listing)
    }

    func tier1(of distributor: Tenant, allowTier2: Bool = true, name: String = "Reseller One") async throws -> Reseller
    {
        try await resellers.create(distributor, name: name, allowTier2: allowTier2)
    }

    func tier2(under parent: Reseller, name: String = "Reseller Two") async throws -> Reseller {
        try await resellers.create(.reseller(parent.tenant), name: name, allowTier2: false)
    }

    func customer(
        of distributor: Tenant, through reseller: Reseller? = nil, name: String = "Acme"
    ) async throws
        -> Customer
    {
        try await customers.create(distributor, name: name, resellerID: reseller?.id, externalID: "")
    }

    func subscribe(
        _ customer: Customer, to product: Product, in marketplace: Marketplace, by tenant: Tenant? = nil,
        externalID: String = "", parameters: [Parameter] = []
    ) async throws -> Subscription {
        try await subscriptions.create(
            tenant ?? .distributor(id: customer.distributorID),
            SubscriptionOperations.Draft(
                customerID: customer.id, productID: product.id, marketplaceID: marketplace.id, externalID: externalID,
                parameters: parameters))
    }

    // MARK: Observing the store

    func snapshot() async throws -> ChannelSnapshot {
        let parties = [vendorA, vendorB, distributorA, distributorB]
        return try await environment.store.read { tx in
            var snapshot = ChannelSnapshot()
            snapshot.accounts = try allPages { try tx.accounts(role: nil, page: $0) }
            for party in parties {
                switch party {
                case .vendor(let id):
                    snapshot.products += try allPages { try tx.products(vendorID: id, page: $0) }
                case .distributor(let id):
                    snapshot.marketplaces += try allPages { try tx.marketplaces(distributorID: id, page: $0) }
                    snapshot.resellers += try allPages {
                        try tx.resellers(ResellerFilter(distributorID: id), page: $0)
                    }
                    snapshot.customers += try allPages {
                        try tx.customers(CustomerFilter(distributorID: id), page: $0)
                    }
                default:
                    break
                }
            }
            snapshot.contracts = try allPages { try tx.contracts(ContractFilter(), page: $0) }
            snapshot.listings = try allPages { try tx.listings(ListingFilter(), page: $0) }
            snapshot.subscriptions = try allPages { try tx.subscriptions(SubscriptionFilter(), page: $0) }
            return snapshot
        }
    }

    /// Runs `body`, expects it to fail with `kind` (and `message`, and exactly `fields` as the
    /// violated fields when given), and checks that the store did not change.
    @discardableResult
    func refuses<T>(
        _ kind: DomainError.Kind, _ message: String? = nil, fields: [String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async throws -> DomainError? {
        let before = try await snapshot()
        let error = await #expect(throws: DomainError.self, sourceLocation: sourceLocation) { _ = try await body() }
        if let error {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            if let message { #expect(error.message == message, sourceLocation: sourceLocation) }
            if let fields { #expect(error.violations.map(\.field) == fields, sourceLocation: sourceLocation) }
        }
        #expect(try await snapshot() == before, "a refused call changed the store", sourceLocation: sourceLocation)
        return error
    }
}
