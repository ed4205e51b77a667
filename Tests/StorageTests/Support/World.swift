// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain

/// A small channel with one object of every kind and enough variety for filters: two vendors and
/// two distributors, a tier-1 and a tier-2 reseller, a direct customer and one through each
/// reseller, and objects that point at them. Fixed ids and times keep failures readable.
enum World {
    static func time(_ second: Int64) -> Timestamp {
        // 2026-01-01T00:00:00Z plus `second`, with microseconds that survive only an exact round trip.
        Timestamp(microsecondsSinceEpoch: (1_767_225_600 + second) * 1_000_000 + 123_457)
    }

    static let vendor = Account(id: "VA-000-001", role: .vendor, name: "Vendor One", createdAt: time(1))
    static let otherVendor = Account(id: "VA-000-002", role: .vendor, name: "Vendor Two", createdAt: time(2))
    static let distributor = Account(
        id: "PA-000-001", role: .distributor, name: "Distributor One", createdAt: time(3))
    static let otherDistributor = Account(
        id: "PA-000-002", role: .distributor, name: "Distributor Two", createdAt: time(4))

    static let product = Product(
        id: "PRD-000-000-001", vendorID: vendor.id, name: "Compute", description: "Virtual machines\nby the hour",
        capabilities: Capabilities(ppu: true, schema: .tr, dynamic: true, future: true, tierLevels: 2),
        createdAt: time(10), updatedAt: time(11))
    static let otherProduct = Product(
        id: "PRD-000-000-002", vendorID: otherVendor.id, name: "Storage", description: "",
        capabilities: Capabilities(), createdAt: time(12), updatedAt: time(12))

    static let unit = Unit(name: "GB*month", description: "gigabyte-months", vendorID: vendor.id)

    static let item = Item(
        id: "PRD-000-000-001-0001", localID: "PRD_000_000_001_0001", productID: product.id, vendorID: vendor.id,
        name: "Small VM", mpn: "VM-S", description: "2 vCPU", type: .ppu, precision: .decimal4, unit: "unit*h",
        status: .published, dynamic: false, createdAt: time(13), updatedAt: time(14))

    static let marketplace = Marketplace(
        id: "MP-00001", distributorID: distributor.id, name: "Europe", currency: "EUR", createdAt: time(20))
    static let otherMarketplace = Marketplace(
        id: "MP-00002", distributorID: otherDistributor.id, name: "America", currency: "USD", createdAt: time(21))

    static let contract = Contract(
        id: "CRD-00000-00000-00001", vendorID: vendor.id, distributorID: distributor.id,
        marketplaceID: marketplace.id, status: .active,
        history: [
            StatusChange(from: "", to: "pending", at: time(22), actor: distributor.id),
            StatusChange(from: "pending", to: "active", at: time(23), actor: vendor.id, reason: "agreed — ✓"),
        ],
        createdAt: time(22))

    static let listing = Listing(
        id: "LST-000-000-001", productID: product.id, contractID: contract.id, vendorID: vendor.id,
        distributorID: distributor.id, marketplaceID: marketplace.id, status: .listed,
        history: [
            StatusChange(from: "", to: "pending", at: time(24), actor: vendor.id),
            StatusChange(from: "pending", to: "listed", at: time(25), actor: distributor.id),
        ],
        createdAt: time(24))

    static let tier1 = Reseller(
        id: "TA-1-0000-0000-0001", distributorID: distributor.id, tier: 1, parentID: nil, name: "Reseller One",
        allowTier2: true, createdAt: time(30))
    static let tier2 = Reseller(
        id: "TA-1-0000-0000-0002", distributorID: distributor.id, tier: 2, parentID: tier1.id, name: "Reseller Two",
        allowTier2: false, createdAt: time(31))

    static let directCustomer = Customer(
        id: "TA-2-0000-0000-0001", distributorID: distributor.id, resellerID: nil, name: "Direct",
        externalID: "", createdAt: time(32))
    static let tier1Customer = Customer(
        id: "TA-2-0000-0000-0002", distributorID: distributor.id, resellerID: tier1.id, name: "Through one",
        externalID: "crm-2", createdAt: time(33))
    static let tier2Customer = Customer(
        id: "TA-2-0000-0000-0003", distributorID: distributor.id, resellerID: tier2.id, name: "Through two",
        externalID: "crm-3", createdAt: time(34))

    static let subscription = Subscription(
        id: "AS-0000-0000-0001", productID: product.id, vendorID: vendor.id, distributorID: distributor.id,
        marketplaceID: marketplace.id, contractID: contract.id,
        tiers: Tiers(customerID: tier2Customer.id, tier1ID: tier1.id, tier2ID: tier2.id), externalID: "ext-1",
        externalUID: "uid-1",
        parameters: [
            Parameter(name: "zone", value: "eu-west"),
            Parameter(name: "account", value: "A-17", reconciliation: true),
            Parameter(name: "notes", value: ""),
        ],
        status: .active,
        history: [StatusChange(from: "", to: "active", at: time(40), actor: tier2.id)],
        createdAt: time(40))

    static let apiKey = APIKey(
        id: "KEY-0000-0001", accountID: vendor.id, role: .vendor, scope: .readOnly, name: "billing",
        secretHash: Array(0..<32), createdAt: time(50), lastUsedAt: time(51), revokedAt: nil)

    static let identity = ServiceIdentity(
        id: "SI-000-001", distributorID: distributor.id, name: "billing", subject: "CN=billing,O=Acme",
        sha256Fingerprint: nil, createdAt: time(60))

    /// Writes every object above, parents first.
    static func insert(into tx: any StoreWriter) throws {
        for account in [vendor, otherVendor, distributor, otherDistributor] { try tx.insert(account) }
        try tx.insert(product)
        try tx.insert(otherProduct)
        try tx.insert(unit)
        _ = try tx.nextItemSequence(productID: product.id)
        try tx.insert(item)
        try tx.insert(marketplace)
        try tx.insert(otherMarketplace)
        try tx.insert(contract)
        try tx.insert(listing)
        try tx.insert(tier1)
        try tx.insert(tier2)
        for customer in [directCustomer, tier1Customer, tier2Customer] { try tx.insert(customer) }
        try tx.insert(subscription)
        try tx.insert(apiKey)
        try tx.insert(identity)
    }

    /// A copy of `subscription` with another id, tiers and external id, for filter tests.
    static func subscription(
        _ number: Int, customer: Customer, status: SubscriptionStatus = .active, externalID: String = "",
        product: Product = World.product, distributorID: String = World.distributor.id
    ) -> Subscription {
        var copy = subscription
        copy.id = "AS-0000-0000-" + String(1000 + number).suffix(4)
        copy.productID = product.id
        copy.vendorID = product.vendorID
        copy.distributorID = distributorID
        let reseller = [tier1, tier2].first { $0.id == customer.resellerID }
        copy.tiers = Tiers(
            customerID: customer.id, tier1ID: reseller.map { $0.tier == 1 ? $0.id : $0.parentID } ?? nil,
            tier2ID: reseller?.tier == 2 ? reseller?.id : nil)
        copy.externalID = externalID
        copy.status = status
        return copy
    }
}
