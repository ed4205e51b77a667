// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain
import ServiceSupport

/// The demo tenant set `usageflow serve --demo` creates on an empty database, so a newcomer can
/// try every command at once.
///
/// Everything is made through the domain operations, exactly as the RPCs would make it, so the
/// demo data obeys every rule real data does: an operator key; a vendor, a distributor and their
/// keys; a USD marketplace; a contract offered and accepted; a pay-as-you-go QT product with two
/// published items (integer and decimal(2)); a listing requested and approved; a tier-1 reseller
/// with a key and a customer; and an active subscription with a reconciliation parameter.
public struct DemoData: Sendable {
    public let environment: DomainEnvironment
    public let hashing: any SecretHashing

    public init(environment: DomainEnvironment, hashing: any SecretHashing = CryptoSecretHashing()) {
        self.environment = environment
        self.hashing = hashing
    }

    /// Whether the database holds no account and no key: the only state `--demo` seeds.
    public func isDatabaseEmpty() async throws -> Bool {
        try await environment.store.read { tx in
            let first = PageRequest(size: 1)
            return try tx.accounts(role: nil, page: first).items.isEmpty
                && tx.apiKeys(accountID: CredentialOperations.operatorAccountID, includeRevoked: true, page: first)
                    .items.isEmpty
        }
    }

    /// Creates the tenant set; throws a configuration error naming `--demo` when the database is
    /// not empty.
    public func seed(databasePath: String) async throws -> DemoTenantSet {
        guard try await isDatabaseEmpty() else {
            throw ConfigurationError(
                .conflict, flag: "--demo",
                "needs an empty database, and \(databasePath) already has accounts or keys; remove it or pass another --db")
        }
        let credentials = CredentialOperations(environment: environment, hashing: hashing)
        let accounts = AccountOperations(environment: environment)
        let catalogue = CatalogueOperations(environment: environment)
        let operatorTenant = Tenant.operator

        let operatorKey = try await credentials.issueKey(
            operatorTenant, accountID: CredentialOperations.operatorAccountID, scope: .full, name: "demo operator")
        let vendor = try await accounts.create(operatorTenant, role: .vendor, name: "Demo Vendor")
        let vendorKey = try await credentials.issueKey(operatorTenant, accountID: vendor.id, scope: .full, name: "demo vendor")
        let distributor = try await accounts.create(operatorTenant, role: .distributor, name: "Demo Distributor")
        let distributorKey = try await credentials.issueKey(
            operatorTenant, accountID: distributor.id, scope: .full, name: "demo distributor")
        let vendorTenant = Tenant.vendor(id: vendor.id)
        let distributorTenant = Tenant.distributor(id: distributor.id)

        let marketplace = try await MarketplaceOperations(environment: environment)
            .create(distributorTenant, name: "Demo Marketplace US", currency: "USD")
        let contracts = ContractOperations(environment: environment)
        let offered = try await contracts.offer(distributorTenant, vendorID: vendor.id, marketplaceID: marketplace.id)
        let contract = try await contracts.accept(vendorTenant, id: offered.id)

        let product = try await catalogue.createProduct(
            vendorTenant, name: "Demo Cloud Storage", description: "Pay-as-you-go storage and compute, billed by usage.",
            capabilities: Capabilities(ppu: true, schema: .qt, tierLevels: 2))
        var items: [Item] = []
        for (name, mpn, precision, unit) in [
            ("Storage", "STOR-GB-H", Precision.integer, "MB*h"), ("Compute", "CPU-MHZ-H", Precision.decimal2, "MHz*h"),
        ] {
            let draft = CatalogueOperations.ItemDraft(
                productID: product.id, name: name, mpn: mpn, type: .ppu, precision: precision, unit: unit)
            let item = try await catalogue.createItem(vendorTenant, draft)
            items.append(try await catalogue.publishItem(vendorTenant, id: item.id))
        }

        let listings = ListingOperations(environment: environment)
        let requested = try await listings.request(vendorTenant, productID: product.id, contractID: contract.id)
        let listing = try await listings.approve(distributorTenant, id: requested.id)

        let reseller = try await ResellerOperations(environment: environment)
            .create(distributorTenant, name: "Demo Reseller", allowTier2: true)
        let resellerKey = try await credentials.issueKey(
            distributorTenant, accountID: reseller.id, scope: .full, name: "demo reseller")
        let customer = try await CustomerOperations(environment: environment)
            .create(distributorTenant, name: "Demo Customer", resellerID: reseller.id, externalID: "demo-customer-1")
        let subscription = try await SubscriptionOperations(environment: environment).create(
            distributorTenant,
            SubscriptionOperations.Draft(
                customerID: customer.id, productID: product.id, marketplaceID: marketplace.id,
                externalID: "demo-subscription-1", externalUID: "demo-uid-1",
                parameters: [
                    Parameter(name: "billing_account", value: "BA-0001", reconciliation: true),
                    Parameter(name: "region", value: "us-east"),
                ]))

        return DemoTenantSet(
            operatorKey: operatorKey.token.text,
            vendor: vendor, vendorKey: vendorKey.token.text,
            distributor: distributor, distributorKey: distributorKey.token.text,
            reseller: reseller, resellerKey: resellerKey.token.text,
            customer: customer, marketplace: marketplace, contract: contract, product: product, items: items,
            listing: listing, subscription: subscription)
    }
}
