// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import RPCCore
import RPCInProcessTransport
import ServiceSupport
import Testing

/// `UsageWorld` with distributor A's resellers: a tier-1 reseller and its tier-2 reseller with
/// keys, a customer of each subscribed to vendor A's product (which allows two reseller levels),
/// and functions to call the reseller service and to put usage files through review.
struct ResellerUsageChannel: Sendable {
    let world: UsageWorld
    let tier1: UsageParty
    let tier2: UsageParty
    /// Sold through the tier-1 reseller alone.
    let tier1Subscription: Subscription
    /// Sold through the tier-2 reseller (and so through its tier-1 reseller too).
    let tier2Subscription: Subscription
    let tier1Customer: Customer

    init() async throws {
        let world = try await UsageWorld()
        self.world = world
        let environment = world.environment
        let resellers = ResellerOperations(environment: environment)
        let credentials = CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
        let customers = CustomerOperations(environment: environment)
        let subscriptions = SubscriptionOperations(environment: environment)
        let distributor = world.distributorA.tenant
        let reseller1 = try await resellers.create(distributor, name: "Reseller One", allowTier2: true)
        let reseller2 = try await resellers.create(.reseller(reseller1.tenant), name: "Reseller Two", allowTier2: false)
        func party(_ reseller: Reseller) async throws -> UsageParty {
            let key = try await credentials.issueKey(distributor, accountID: reseller.id, scope: .full, name: "tests")
            return UsageParty(tenant: .reseller(reseller.tenant), token: key.token.text)
        }
        tier1 = try await party(reseller1)
        tier2 = try await party(reseller2)
        let marketplaceID = world.contract.marketplaceID
        // Vendor A's product allows a second reseller level, so the tier-2 reseller can sell it.
        _ = try await CatalogueOperations(environment: environment).updateProduct(
            world.vendorA.tenant, id: world.product.id,
            changes: CatalogueOperations.ProductChanges(capabilities: Capabilities(ppu: true, schema: .qt, tierLevels: 2)))
        tier1Customer = try await customers.create(distributor, name: "Umbrella", resellerID: reseller1.id, externalID: "")
        let tier2Customer = try await customers.create(distributor, name: "Hooli", resellerID: reseller2.id, externalID: "")
        tier1Subscription = try await subscriptions.create(
            distributor,
            SubscriptionOperations.Draft(
                customerID: tier1Customer.id, productID: world.product.id, marketplaceID: marketplaceID))
        tier2Subscription = try await subscriptions.create(
            distributor,
            SubscriptionOperations.Draft(
                customerID: tier2Customer.id, productID: world.product.id, marketplaceID: marketplaceID))
    }

    /// Runs `body` with a reseller client that calls as `party`.
    func reseller<T: Sendable>(
        _ party: UsageParty, _ body: (Usageflow_V1_ResellerService_Client) async throws -> T
    ) async throws -> T {
        try await InProcessTransport.withTransport(router: world.router, metadata: party.metadata) {
            try await body(Usageflow_V1_ResellerService_Client(transport: $0))
        }
    }

    /// A file of vendor A with `records`, submitted, and accepted by distributor A when `accept`.
    func file(_ name: String, _ records: [Usageflow_V1_UsageRecordInput], accept: Bool = true) async throws -> String {
        let file = try await world.createFile(name: name)
        let uploaded = try await world.upload(file.id, records, batchSize: 50)
        #expect(uploaded.status == .ready, "\(uploaded.errorDetail)")
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        if accept {
            var request = Usageflow_V1_AcceptUsageFileRequest()
            request.id = file.id
            _ = try await world.distributor { [request] in try await $0.acceptUsageFile(request) }
        }
        return file.id
    }
}
