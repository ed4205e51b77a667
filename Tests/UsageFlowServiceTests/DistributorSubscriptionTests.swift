// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@Suite("Subscription operations")
struct DistributorSubscriptionTests {
    @Test("a distributor subscribes its direct customer to a listed product")
    func createDirect() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, listing) = try await world.listedProduct()
        let customer = try await world.customer(of: world.distributorA)
        let parameters = [
            Parameter(name: "tenant_id", value: "t-42", reconciliation: true), Parameter(name: "region", value: "eu"),
        ]
        let subscription = try await world.subscriptions.create(
            world.distributorA,
            SubscriptionOperations.Draft(
                customerID: customer.id, productID: product.id, marketplaceID: marketplace.id, externalID: "EXT-1",
                externalUID: "uid-1", parameters: parameters))
        #expect(IdentifierKind.subscription.matches(subscription.id))
        #expect(subscription.productID == product.id)
        #expect(subscription.vendorID == world.vendorA.actor)
        #expect(subscription.distributorID == world.distributorA.actor)
        #expect(subscription.marketplaceID == marketplace.id)
        #expect(subscription.contractID == listing.contractID)
        #expect(subscription.tiers == Tiers(customerID: customer.id, tier1ID: nil, tier2ID: nil))
        #expect(subscription.externalID == "EXT-1")
        #expect(subscription.externalUID == "uid-1")
        #expect(subscription.parameters == parameters)
        #expect(subscription.reconciliationID == "t-42")
        #expect(subscription.status == .active)
        #expect(subscription.history.count == 1)
        #expect(subscription.history.first?.from == "")
        #expect(subscription.history.first?.to == "active")
        #expect(subscription.history.first?.actor == world.distributorA.actor)
        #expect(subscription.activeIntervals.count == 1)
        #expect(try await world.subscriptions.get(world.distributorA, id: subscription.id) == subscription)
    }

    @Test("tiers come from the customer's reseller chain")
    func tiers() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct(tierLevels: 2)
        let north = try await world.tier1(of: world.distributorA)
        let village = try await world.tier2(under: north)
        let ofNorth = try await world.customer(of: world.distributorA, through: north)
        let ofVillage = try await world.customer(of: world.distributorA, through: village)
        #expect(
            try await world.subscribe(ofNorth, to: product, in: marketplace).tiers
                == Tiers(customerID: ofNorth.id, tier1ID: north.id, tier2ID: nil))
        #expect(
            try await world.subscribe(ofVillage, to: product, in: marketplace).tiers
                == Tiers(customerID: ofVillage.id, tier1ID: north.id, tier2ID: village.id))
    }

    @Test("a tier-2 customer needs a product with two reseller levels")
    func tierLevels() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct(tierLevels: 1)
        let village = try await world.tier2(under: try await world.tier1(of: world.distributorA))
        let customer = try await world.customer(of: world.distributorA, through: village)
        try await world.refuses(
            .failedPrecondition,
            "product \(product.id) allows 1 reseller level; "
                + "customer \(customer.id) buys through tier-2 reseller \(village.id)"
        ) {
            try await world.subscribe(customer, to: product, in: marketplace)
        }
    }

    @Test("the customer must be the caller's")
    func foreignCustomer() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct()
        let foreign = try await world.customer(of: world.distributorB)
        try await world.refuses(.notFound, "customer \(foreign.id) not found") {
            try await world.subscribe(foreign, to: product, in: marketplace, by: world.distributorA)
        }
        try await world.refuses(.notFound, "customer TA-0-0000-0000-0000 not found") {
            try await world.subscriptions.create(
                world.distributorA,
                SubscriptionOperations.Draft(
                    customerID: "TA-0-0000-0000-0000", productID: product.id, marketplaceID: marketplace.id))
        }
    }

    @Test("the marketplace must be the customer's distributor's")
    func foreignMarketplace() async throws {
        let world = try await ChannelWorld()
        let (product, _, _) = try await world.listedProduct()
        let foreign = try await world.marketplace(of: world.distributorB)
        let customer = try await world.customer(of: world.distributorA)
        try await world.refuses(.notFound, "marketplace \(foreign.id) not found") {
            try await world.subscribe(customer, to: product, in: foreign)
        }
    }

    @Test("a product without a listing there is not found, whether or not it exists")
    func notListed() async throws {
        let world = try await ChannelWorld()
        let (_, marketplace, _) = try await world.listedProduct()
        let other = try await world.marketplace(of: world.distributorA, currency: "USD")
        let unlistedProduct = try await world.product(of: world.vendorA, name: "Unlisted")
        let foreignProduct = try await world.product(of: world.vendorB, name: "Foreign")
        let customer = try await world.customer(of: world.distributorA)
        for (productID, marketplace) in [
            (unlistedProduct.id, marketplace), (foreignProduct.id, marketplace), ("PRD-000-000-000", marketplace),
            ("garbage", marketplace),
        ] {
            try await world.refuses(.notFound, "product \(productID) is not listed in marketplace \(marketplace.id)") {
                try await world.subscriptions.create(
                    world.distributorA,
                    SubscriptionOperations.Draft(
                        customerID: customer.id, productID: productID, marketplaceID: marketplace.id))
            }
        }
        // Listed in one marketplace is not listed in another.
        let listed = try await world.listings.list(world.distributorA, page: PageRequest()).items[0]
        try await world.refuses(.notFound, "product \(listed.productID) is not listed in marketplace \(other.id)") {
            try await world.subscriptions.create(
                world.distributorA,
                SubscriptionOperations.Draft(
                    customerID: customer.id, productID: listed.productID, marketplaceID: other.id))
        }
    }

    @Test("a listing that is not listed says so", arguments: [ListingStatus.pending, .declined, .unlisted])
    func listingNotListed(status: ListingStatus) async throws {
        let world = try await ChannelWorld()
        let marketplace = try await world.marketplace(of: world.distributorA)
        let contract = try await world.contract(world.vendorA, world.distributorA, in: marketplace)
        let product = try await world.product(of: world.vendorA)
        var listing = try await world.listing(product, under: contract, approved: status == .unlisted)
        switch status {
        case .declined: listing = try await world.listings.decline(world.distributorA, id: listing.id, note: "")
        case .unlisted: listing = try await world.listings.unlist(world.distributorA, id: listing.id)
        default: break
        }
        let customer = try await world.customer(of: world.distributorA)
        try await world.refuses(
            .failedPrecondition,
            "product \(product.id) is not listed in marketplace \(marketplace.id): "
                + "its listing \(listing.id) is \(status.rawValue)"
        ) {
            try await world.subscribe(customer, to: product, in: marketplace)
        }
    }

    @Test("a product listed again under a new contract subscribes under the new contract")
    func relistedUnderNewContract() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, old) = try await world.listedProduct()
        _ = try await world.contracts.terminate(world.distributorA, id: old.contractID, reason: "")
        let contract = try await world.contract(world.vendorA, world.distributorA, in: marketplace)
        _ = try await world.listing(product, under: contract)
        let customer = try await world.customer(of: world.distributorA)
        #expect(try await world.subscribe(customer, to: product, in: marketplace).contractID == contract.id)
    }

    @Test(
        "field rules are collected in one answer",
        arguments: [
            (
                SubscriptionOperations.Draft(customerID: "", productID: "", marketplaceID: ""),
                ["customer_id", "product_id", "marketplace_id"]
            ),
            (
                SubscriptionOperations.Draft(
                    customerID: "c", productID: "p", marketplaceID: "m", externalID: String(repeating: "x", count: 256),
                    externalUID: String(repeating: "y", count: 256)),
                ["external_id", "external_uid"]
            ),
            (
                SubscriptionOperations.Draft(
                    customerID: "c", productID: "p", marketplaceID: "m",
                    parameters: [Parameter(name: "a", value: "1"), Parameter(name: "a", value: "2")]),
                ["parameters[1].name"]
            ),
            (
                SubscriptionOperations.Draft(
                    customerID: "c", productID: "p", marketplaceID: "m",
                    parameters: [
                        Parameter(name: "a", value: "1", reconciliation: true),
                        Parameter(name: "b", value: "2", reconciliation: true),
                    ]),
                ["parameters[1].reconciliation"]
            ),
            (
                SubscriptionOperations.Draft(
                    customerID: "c", productID: "p", marketplaceID: "m",
                    parameters: [Parameter(name: "", value: String(repeating: "v", count: 256))]),
                ["parameters[0].name", "parameters[0].value"]
            ),
            (
                SubscriptionOperations.Draft(
                    customerID: "c", productID: "p", marketplaceID: "m",
                    parameters: (0...100).map { Parameter(name: "p\($0)", value: "") }),
                ["parameters"]
            ),
        ])
    func invalidDrafts(draft: SubscriptionOperations.Draft, fields: [String]) async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.invalidArgument, fields: fields) {
            try await world.subscriptions.create(world.distributorA, draft)
        }
    }

    @Test("100 parameters with one reconciliation id are fine")
    func manyParameters() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct()
        let customer = try await world.customer(of: world.distributorA)
        let parameters = (0..<100).map { Parameter(name: "p\($0)", value: "v", reconciliation: $0 == 7) }
        let subscription = try await world.subscribe(customer, to: product, in: marketplace, parameters: parameters)
        #expect(subscription.parameters == parameters)
        #expect(subscription.reconciliationID == "v")
    }

    @Test("external ids are unique per distributor when set")
    func externalIDs() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct()
        let customer = try await world.customer(of: world.distributorA)
        _ = try await world.subscribe(customer, to: product, in: marketplace, externalID: "EXT-1")
        let error = try await world.refuses(.alreadyExists, "a subscription with this external_id already exists") {
            try await world.subscribe(customer, to: product, in: marketplace, externalID: "EXT-1")
        }
        #expect(error?.violations.map(\.field) == ["external_id"])
        // Empty external ids never clash.
        _ = try await world.subscribe(customer, to: product, in: marketplace)
        _ = try await world.subscribe(customer, to: product, in: marketplace)
        // Another distributor may use the same external id.
        let marketplaceB = try await world.marketplace(of: world.distributorB)
        let contractB = try await world.contract(world.vendorA, world.distributorB, in: marketplaceB)
        _ = try await world.listing(product, under: contractB)
        let customerB = try await world.customer(of: world.distributorB)
        #expect(
            try await world.subscribe(customerB, to: product, in: marketplaceB, externalID: "EXT-1").externalID
                == "EXT-1")
    }

    @Test("vendors and the operator cannot create subscriptions")
    func otherRoles() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct()
        let customer = try await world.customer(of: world.distributorA)
        for tenant in [world.vendorA, Tenant.operator] {
            try await world.refuses(.permissionDenied) {
                try await world.subscribe(customer, to: product, in: marketplace, by: tenant)
            }
        }
    }

    @Test("suspend, resume and terminate follow the state machine and record reasons")
    func statusChanges() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct()
        let customer = try await world.customer(of: world.distributorA)
        let subscription = try await world.subscribe(customer, to: product, in: marketplace)
        let id = subscription.id
        let d = world.distributorA
        try await world.refuses(
            .failedPrecondition, "subscription \(id) is active; only suspended subscriptions can be resumed"
        ) {
            try await world.subscriptions.resume(d, id: id, reason: "")
        }
        let suspended = try await world.subscriptions.suspend(d, id: id, reason: "unpaid")
        #expect(suspended.status == .suspended)
        #expect(suspended.history.last?.reason == "unpaid")
        try await world.refuses(
            .failedPrecondition, "subscription \(id) is suspended; only active subscriptions can be suspended"
        ) {
            try await world.subscriptions.suspend(d, id: id, reason: "")
        }
        let resumed = try await world.subscriptions.resume(d, id: id, reason: "paid")
        #expect(resumed.status == .active)
        let terminated = try await world.subscriptions.terminate(d, id: id, reason: "cancelled")
        #expect(terminated.status == .terminated)
        #expect(terminated.history.map(\.to) == ["active", "suspended", "active", "terminated"])
        #expect(terminated.history.map(\.actor) == Array(repeating: d.actor, count: 4))
        #expect(terminated.activeIntervals.count == 2)
        for change in [world.subscriptions.suspend, world.subscriptions.resume, world.subscriptions.terminate] {
            try await world.refuses(.failedPrecondition) { try await change(d, id, "") }
        }
        try await world.refuses(.failedPrecondition, "subscription \(id) is already terminated") {
            try await world.subscriptions.terminate(d, id: id, reason: "")
        }
        // A suspended subscription can be terminated directly.
        let second = try await world.subscribe(customer, to: product, in: marketplace)
        _ = try await world.subscriptions.suspend(d, id: second.id, reason: "")
        #expect(try await world.subscriptions.terminate(d, id: second.id, reason: "").status == .terminated)
    }

    @Test("only the subscription's distributor changes its status")
    func statusChangeRefusals() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, _) = try await world.listedProduct()
        let north = try await world.tier1(of: world.distributorA)
        let customer = try await world.customer(of: world.distributorA, through: north)
        let subscription = try await world.subscribe(customer, to: product, in: marketplace)
        try await world.refuses(.invalidArgument, fields: ["reason"]) {
            try await world.subscriptions.suspend(
                world.distributorA, id: subscription.id, reason: String(repeating: "r", count: 201))
        }
        try await world.refuses(.notFound, "subscription \(subscription.id) not found") {
            try await world.subscriptions.suspend(world.distributorB, id: subscription.id, reason: "")
        }
        try await world.refuses(.notFound, "subscription AS-0000-0000-0000 not found") {
            try await world.subscriptions.terminate(world.distributorA, id: "AS-0000-0000-0000", reason: "")
        }
        for tenant in [Tenant.reseller(north.tenant), world.vendorA] {
            try await world.refuses(.permissionDenied) {
                try await world.subscriptions.terminate(tenant, id: subscription.id, reason: "")
            }
        }
    }

    @Test("lists narrow by product, customer, reseller, status and external id")
    func list() async throws {
        let world = try await ChannelWorld()
        let (storage, marketplace, _) = try await world.listedProduct(tierLevels: 2)
        let contract = try await world.contracts.list(world.vendorA, page: PageRequest()).items[0]
        let backup = try await world.product(of: world.vendorA, tierLevels: 2, name: "Backup")
        _ = try await world.listing(backup, under: contract)
        let north = try await world.tier1(of: world.distributorA)
        let village = try await world.tier2(under: north)
        let direct = try await world.customer(of: world.distributorA)
        let ofVillage = try await world.customer(of: world.distributorA, through: village)
        let s1 = try await world.subscribe(direct, to: storage, in: marketplace, externalID: "E1")
        let s2 = try await world.subscribe(ofVillage, to: storage, in: marketplace)
        let s3 = try await world.subscribe(ofVillage, to: backup, in: marketplace, externalID: "E3")
        _ = try await world.subscriptions.suspend(world.distributorA, id: s3.id, reason: "")

        func ids(
            _ tenant: Tenant, product: String? = nil, customer: String? = nil, reseller: String? = nil,
            status: SubscriptionStatus? = nil, external: String? = nil
        ) async throws -> [String] {
            try await world.subscriptions.list(
                tenant, productID: product, customerID: customer, resellerID: reseller, status: status,
                externalID: external, page: PageRequest()
            ).items.map(\.id)
        }
        let d = world.distributorA
        #expect(try await ids(d) == [s1.id, s2.id, s3.id])
        #expect(try await ids(d, product: backup.id) == [s3.id])
        #expect(try await ids(d, customer: ofVillage.id) == [s2.id, s3.id])
        #expect(try await ids(d, reseller: north.id) == [s2.id, s3.id])
        #expect(try await ids(d, reseller: village.id) == [s2.id, s3.id])
        #expect(try await ids(d, status: .suspended) == [s3.id])
        #expect(try await ids(d, status: .active) == [s1.id, s2.id])
        #expect(try await ids(d, external: "E1") == [s1.id])
        #expect(try await ids(d, product: storage.id, status: .suspended) == [])
        #expect(try await ids(world.distributorB) == [])
        #expect(try await ids(world.vendorA) == [s1.id, s2.id, s3.id])
        #expect(try await ids(world.vendorA, product: storage.id) == [s1.id, s2.id])
        #expect(try await ids(world.vendorB) == [])
        try await world.refuses(.permissionDenied) { try await ids(.operator) }
    }
}
