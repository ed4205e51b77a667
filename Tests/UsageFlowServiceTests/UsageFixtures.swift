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
import Testing
import UsageFlowServer
import WellKnownTypes

// Fixtures for the usage-file RPC tests: two channels over one SQLite file, called through the
// server's own router (authentication, policies, status mapping) with real API keys, so a test
// sees exactly the statuses, messages and BadRequest details a gRPC client would.

/// A party that calls the API: its tenant and the bearer key it calls with.
struct UsageParty: Sendable {
    let tenant: Tenant
    let token: String

    var metadata: Metadata { ["authorization": "Bearer " + token] }
}

/// Vendor A's QT product with an integer and a decimal(2) item, listed by distributor A (two
/// subscriptions) and by distributor B (one subscription); vendor B with a product of its own
/// listed by distributor B. A and B's parties are each other's "other tenants".
final class UsageWorld: Sendable {
    let directory: String
    let store: SQLiteDataStore
    let environment: DomainEnvironment
    let router: RPCRouter

    let vendorA: UsageParty
    let vendorAReadOnly: UsageParty
    let vendorB: UsageParty
    let distributorA: UsageParty
    let distributorB: UsageParty

    /// Vendor A's QT product, listed under `contract` and `contractB`.
    let product: Product
    /// Precision integer, MPN `STORAGE-GB`.
    let integerItem: Item
    /// Precision decimal(2), MPN `TRANSFER-GB`.
    let decimalItem: Item
    /// Vendor A – distributor A, active.
    let contract: Contract
    /// Vendor A – distributor B, active.
    let contractB: Contract
    /// Distributor A's customers' subscriptions to `product`.
    let subscription1: Subscription
    let subscription2: Subscription
    /// A subscription to `product` under `contractB`: distributor B's, not the file's contract's.
    let foreignSubscription: Subscription
    /// Vendor B's product, listed by distributor B.
    let productB: Product
    let contractVendorB: Contract

    /// The period every file of the tests reports: January 2026.
    static let periodFrom = "2026-01-01"
    static let periodTo = "2026-01-31"

    init(limits: UsageLimits = .default) async throws {
        directory = NSTemporaryDirectory() + "usage-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try await SQLiteDataStore(path: directory + "/usage.sqlite", readers: 2)
        let environment = DomainEnvironment(store: store, clock: ChannelSteppingClock())
        self.environment = environment
        router = UsageFlowServer.makeRouter(
            environment: environment, log: EventLog(level: .error) { _ in }, health: HealthService(),
            clientCertificatesVerified: false, usageLimits: limits)

        let accounts = AccountOperations(environment: environment)
        let credentials = CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
        func party(_ role: Role, _ name: String) async throws -> (UsageParty, String) {
            let account = try await accounts.create(.operator, role: role, name: name)
            let key = try await credentials.issueKey(.operator, accountID: account.id, scope: .full, name: "tests")
            let tenant: Tenant = role == .vendor ? .vendor(id: account.id) : .distributor(id: account.id)
            return (UsageParty(tenant: tenant, token: key.token.text), account.id)
        }
        let (vendorA, vendorAID) = try await party(.vendor, "Vendor A")
        let (vendorB, _) = try await party(.vendor, "Vendor B")
        let (distributorA, _) = try await party(.distributor, "Distributor A")
        let (distributorB, _) = try await party(.distributor, "Distributor B")
        self.vendorA = vendorA
        self.vendorB = vendorB
        self.distributorA = distributorA
        self.distributorB = distributorB
        let readOnly = try await credentials.issueKey(.operator, accountID: vendorAID, scope: .readOnly, name: "ro")
        vendorAReadOnly = UsageParty(tenant: vendorA.tenant, token: readOnly.token.text)

        let catalogue = CatalogueOperations(environment: environment)
        let qt = Capabilities(ppu: true, schema: .qt)
        let product = try await catalogue.createProduct(vendorA.tenant, name: "Cloud Storage", capabilities: qt)
        func item(_ name: String, _ mpn: String, _ precision: Precision) async throws -> Item {
            let draft = CatalogueOperations.ItemDraft(
                productID: product.id, name: name, mpn: mpn, type: .ppu, precision: precision, unit: "unit*h")
            let created = try await catalogue.createItem(vendorA.tenant, draft)
            return try await catalogue.publishItem(vendorA.tenant, id: created.id)
        }
        self.product = product
        integerItem = try await item("Storage", "STORAGE-GB", .integer)
        decimalItem = try await item("Transfer", "TRANSFER-GB", .decimal2)
        let productB = try await catalogue.createProduct(vendorB.tenant, name: "Compute", capabilities: qt)
        self.productB = productB

        let marketplaces = MarketplaceOperations(environment: environment)
        let contracts = ContractOperations(environment: environment)
        let listings = ListingOperations(environment: environment)
        let customers = CustomerOperations(environment: environment)
        let subscriptions = SubscriptionOperations(environment: environment)
        func list(
            _ product: Product, _ vendor: UsageParty, _ distributor: UsageParty, _ name: String
        ) async throws -> (Contract, Marketplace) {
            let marketplace = try await marketplaces.create(distributor.tenant, name: name, currency: "EUR")
            let offered = try await contracts.offer(
                distributor.tenant, vendorID: vendor.tenant.actor, marketplaceID: marketplace.id)
            let contract = try await contracts.accept(vendor.tenant, id: offered.id)
            let listing = try await listings.request(vendor.tenant, productID: product.id, contractID: contract.id)
            _ = try await listings.approve(distributor.tenant, id: listing.id)
            return (contract, marketplace)
        }
        func subscribe(
            _ distributor: UsageParty, _ marketplace: Marketplace, _ name: String, externalID: String
        ) async throws -> Subscription {
            let customer = try await customers.create(
                distributor.tenant, name: name, resellerID: nil, externalID: "")
            return try await subscriptions.create(
                distributor.tenant,
                SubscriptionOperations.Draft(
                    customerID: customer.id, productID: product.id, marketplaceID: marketplace.id,
                    externalID: externalID))
        }
        let (contract, marketplace) = try await list(product, vendorA, distributorA, "Europe A")
        self.contract = contract
        subscription1 = try await subscribe(distributorA, marketplace, "Acme", externalID: "acme-1")
        subscription2 = try await subscribe(distributorA, marketplace, "Globex", externalID: "globex-1")
        let (contractB, marketplaceB) = try await list(product, vendorA, distributorB, "Europe B")
        self.contractB = contractB
        foreignSubscription = try await subscribe(distributorB, marketplaceB, "Initech", externalID: "initech-1")
        contractVendorB = try await list(productB, vendorB, distributorB, "Europe B2").0
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Calling

    /// Runs `body` with a vendor client that calls as `party` (vendor A by default).
    func vendor<T: Sendable>(
        _ party: UsageParty? = nil, _ body: (Usageflow_V1_VendorService_Client) async throws -> T
    ) async throws -> T {
        try await InProcessTransport.withTransport(router: router, metadata: (party ?? vendorA).metadata) {
            try await body(Usageflow_V1_VendorService_Client(transport: $0))
        }
    }

    /// Runs `body` with a distributor client that calls as `party` (distributor A by default).
    func distributor<T: Sendable>(
        _ party: UsageParty? = nil, _ body: (Usageflow_V1_DistributorService_Client) async throws -> T
    ) async throws -> T {
        try await InProcessTransport.withTransport(router: router, metadata: (party ?? distributorA).metadata) {
            try await body(Usageflow_V1_DistributorService_Client(transport: $0))
        }
    }

    // MARK: Requests

    /// A create request for vendor A's product under `contract` for January 2026.
    func createRequest(
        name: String = "January 2026", externalID: String = "", environment: Usageflow_V1_UsageEnvironment = .production
    ) -> Usageflow_V1_CreateUsageFileRequest {
        var request = Usageflow_V1_CreateUsageFileRequest()
        request.productId = product.id
        request.contractId = contract.id
        request.name = name
        request.externalId = externalID
        request.environment = environment
        request.periodFrom = Self.periodFrom
        request.periodTo = Self.periodTo
        return request
    }

    /// Creates a file as vendor A.
    func createFile(
        name: String = "January 2026", externalID: String = "", environment: Usageflow_V1_UsageEnvironment = .production
    ) async throws -> Usageflow_V1_UsageFile {
        let request = createRequest(name: name, externalID: externalID, environment: environment)
        return try await vendor { try await $0.createUsageFile(request) }
    }

    /// A record of `quantity` on `item` for `subscription`, from 10 to 11 January 2026 unless
    /// `start`/`end` say otherwise.
    func record(
        _ recordID: String, item: Item, subscription: Subscription, quantity: String,
        start: String = "2026-01-10T00:00:00Z", end: String = "2026-01-11T00:00:00Z"
    ) -> Usageflow_V1_UsageRecordInput {
        var record = Usageflow_V1_UsageRecordInput()
        record.recordId = recordID
        record.itemSearchCriteria = "item.mpn"
        record.itemSearchValue = item.mpn
        record.quantity = quantity
        record.startTimeUtc = Self.time(start)
        record.endTimeUtc = Self.time(end)
        record.assetSearchCriteria = "asset.id"
        record.assetSearchValue = subscription.id
        return record
    }

    /// Uploads `records` to `fileID` as vendor A (or `party`) in batches of `batchSize`.
    func upload(
        _ fileID: String, _ records: [Usageflow_V1_UsageRecordInput], categories: [Usageflow_V1_UsageCategory] = [],
        parameterColumns: [String] = [], batchSize: Int = 2, as party: UsageParty? = nil
    ) async throws -> Usageflow_V1_UsageFile {
        let requests = Self.uploadRequests(
            fileID, records, categories: categories, parameterColumns: parameterColumns, batchSize: batchSize)
        return try await vendor(party) { try await $0.uploadRecords(requests) }
    }

    static func uploadRequests(
        _ fileID: String, _ records: [Usageflow_V1_UsageRecordInput], categories: [Usageflow_V1_UsageCategory] = [],
        parameterColumns: [String] = [], batchSize: Int = 2
    ) -> [Usageflow_V1_UploadRecordsRequest] {
        var header = Usageflow_V1_UploadRecordsHeader()
        header.fileId = fileID
        header.categories = categories
        header.parameterColumns = parameterColumns
        var first = Usageflow_V1_UploadRecordsRequest()
        first.header = header
        var requests = [first]
        var start = 0
        while start < records.count {
            var batch = Usageflow_V1_UsageRecordBatch()
            batch.records = Array(records[start..<min(start + batchSize, records.count)])
            var request = Usageflow_V1_UploadRecordsRequest()
            request.batch = batch
            requests.append(request)
            start += batchSize
        }
        return requests
    }

    /// Every record of a file as `party` sees it through ListRecords, paging through all.
    func records(
        _ fileID: String, status: Usageflow_V1_UsageRecordStatus = .unspecified, as party: UsageParty? = nil
    ) async throws -> [Usageflow_V1_UsageRecord] {
        var request = Usageflow_V1_ListUsageRecordsRequest()
        request.fileId = fileID
        request.status = status
        request.pageSize = 2
        var records: [Usageflow_V1_UsageRecord] = []
        let isDistributor = party.map { if case .distributor = $0.tenant { true } else { false } } ?? false
        repeat {
            let page =
                isDistributor
                ? try await distributor(party) { [request] in try await $0.listRecords(request) }
                : try await vendor(party) { [request] in try await $0.listRecords(request) }
            records += page.records
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        return records
    }

    static func idRequest(_ id: String) -> Usageflow_V1_IdRequest {
        var request = Usageflow_V1_IdRequest()
        request.id = id
        return request
    }

    /// `2026-01-10T00:00:00Z` as a wire time.
    static func time(_ text: String) -> Google_Protobuf_Timestamp {
        let date = CivilDate(parsing: text.prefix(10))!
        let parts = text.dropFirst(11).prefix(8).split(separator: ":").map { Int64($0)! }
        return Google_Protobuf_Timestamp(
            Timestamp(secondsSinceEpoch: date.daysSinceEpoch * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2]))
    }
}

/// Runs a call that must fail with `code`, optionally with `message`, and returns its field
/// violations (empty when the status carries no BadRequest).
@discardableResult
func expectUsageRefusal<T>(
    _ code: Status.Code, _ message: String? = nil, fields: [String]? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async throws -> RPCError? {
    let error = await expectRPCError(code, message, sourceLocation: sourceLocation, body)
    if let fields {
        #expect(try badRequestViolations(error) == fields, sourceLocation: sourceLocation)
    }
    return error
}
