// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

/// Subscriptions as resellers see them: created for their own customers (a tier-1 reseller also
/// for its tier-2 resellers' customers), visible by the same rule, never changed by them.
@Suite("Subscription operations for resellers")
struct ResellerSubscriptionTests {
    /// A distributor with two tier-1 resellers (north allows tier 2), a tier-2 reseller under
    /// north, a customer at each level and one direct customer, and a product listed with two levels.
    struct Channel {
        let world: ChannelWorld
        let product: Product
        let marketplace: Marketplace
        let north: Reseller
        let south: Reseller
        let village: Reseller
        let direct: Customer
        let ofNorth: Customer
        let ofSouth: Customer
        let ofVillage: Customer

        init() async throws {
            world = try await ChannelWorld()
            (product, marketplace, _) = try await world.listedProduct(tierLevels: 2)
            north = try await world.tier1(of: world.distributorA, name: "North")
            south = try await world.tier1(of: world.distributorA, name: "South")
            village = try await world.tier2(under: north, name: "Village")
            direct = try await world.customer(of: world.distributorA, name: "Direct")
            ofNorth = try await world.customer(of: world.distributorA, through: north, name: "Of North")
            ofSouth = try await world.customer(of: world.distributorA, through: south, name: "Of South")
            ofVillage = try await world.customer(of: world.distributorA, through: village, name: "Of Village")
        }
    }

    @Test("resellers subscribe the customers they see, with the tiers of the customer's chain")
    func create() async throws {
        let c = try await Channel()
        let cases: [(Reseller, Customer, Tiers)] = [
            (c.north, c.ofNorth, Tiers(customerID: c.ofNorth.id, tier1ID: c.north.id, tier2ID: nil)),
            (c.north, c.ofVillage, Tiers(customerID: c.ofVillage.id, tier1ID: c.north.id, tier2ID: c.village.id)),
            (c.village, c.ofVillage, Tiers(customerID: c.ofVillage.id, tier1ID: c.north.id, tier2ID: c.village.id)),
            (c.south, c.ofSouth, Tiers(customerID: c.ofSouth.id, tier1ID: c.south.id, tier2ID: nil)),
        ]
        for (reseller, customer, tiers) in cases {
            let subscription = try await c.world.subscribe(
                customer, to: c.product, in: c.marketplace, by: .reseller(reseller.tenant))
            #expect(subscription.tiers == tiers)
            #expect(subscription.distributorID == c.world.distributorA.actor)
            #expect(subscription.history.first?.actor == reseller.id)
        }
    }

    @Test("customers a reseller does not see are not found")
    func foreignCustomers() async throws {
        let c = try await Channel()
        let foreign = try await c.world.customer(of: c.world.distributorB)
        let cases: [(Reseller, [Customer])] = [
            (c.north, [c.direct, c.ofSouth, foreign]),
            (c.village, [c.direct, c.ofNorth, c.ofSouth, foreign]),
            (c.south, [c.direct, c.ofNorth, c.ofVillage, foreign]),
        ]
        for (reseller, customers) in cases {
            for customer in customers {
                try await c.world.refuses(.notFound, "customer \(customer.id) not found") {
                    try await c.world.subscribe(
                        customer, to: c.product, in: c.marketplace, by: .reseller(reseller.tenant))
                }
            }
        }
    }

    @Test("external ids are unique across the whole distributor, resellers included")
    func externalIDsAcrossResellers() async throws {
        let c = try await Channel()
        _ = try await c.world.subscribe(c.direct, to: c.product, in: c.marketplace, externalID: "EXT-7")
        try await c.world.refuses(.alreadyExists, fields: ["external_id"]) {
            try await c.world.subscribe(
                c.ofSouth, to: c.product, in: c.marketplace, by: .reseller(c.south.tenant), externalID: "EXT-7")
        }
    }

    @Test("who sees which subscription")
    func visibility() async throws {
        let c = try await Channel()
        let direct = try await c.world.subscribe(c.direct, to: c.product, in: c.marketplace)
        let ofNorth = try await c.world.subscribe(c.ofNorth, to: c.product, in: c.marketplace)
        let ofVillage = try await c.world.subscribe(c.ofVillage, to: c.product, in: c.marketplace)
        let ofSouth = try await c.world.subscribe(c.ofSouth, to: c.product, in: c.marketplace)
        let all = [direct, ofNorth, ofVillage, ofSouth]
        let visible: [(Tenant, [Subscription])] = [
            (c.world.distributorA, all),
            (c.world.distributorB, []),
            (c.world.vendorA, all),
            (c.world.vendorB, []),
            (.reseller(c.north.tenant), [ofNorth, ofVillage]),
            (.reseller(c.village.tenant), [ofVillage]),
            (.reseller(c.south.tenant), [ofSouth]),
        ]
        for (tenant, seen) in visible {
            for subscription in all {
                if seen.contains(subscription) {
                    #expect(try await c.world.subscriptions.get(tenant, id: subscription.id) == subscription)
                } else {
                    try await c.world.refuses(.notFound, "subscription \(subscription.id) not found") {
                        try await c.world.subscriptions.get(tenant, id: subscription.id)
                    }
                }
            }
            #expect(try await c.world.subscriptions.list(tenant, page: PageRequest()).items == seen)
        }
    }

    @Test("a reseller's reseller filter narrows only within what it sees")
    func resellerFilter() async throws {
        let c = try await Channel()
        let ofNorth = try await c.world.subscribe(c.ofNorth, to: c.product, in: c.marketplace)
        let ofVillage = try await c.world.subscribe(c.ofVillage, to: c.product, in: c.marketplace)
        _ = try await c.world.subscribe(c.ofSouth, to: c.product, in: c.marketplace)

        func ids(_ reseller: Reseller, _ filter: String?) async throws -> [String] {
            try await c.world.subscriptions.list(.reseller(reseller.tenant), resellerID: filter, page: PageRequest())
                .items.map(\.id)
        }
        #expect(try await ids(c.north, c.north.id) == [ofNorth.id, ofVillage.id])
        #expect(try await ids(c.north, c.village.id) == [ofVillage.id])
        #expect(try await ids(c.north, c.south.id) == [])
        #expect(try await ids(c.north, "TA-0-0000-0000-0000") == [])
        #expect(try await ids(c.village, c.village.id) == [ofVillage.id])
        #expect(try await ids(c.village, c.north.id) == [])
        let byCustomer = try await c.world.subscriptions.list(
            .reseller(c.north.tenant), customerID: c.ofSouth.id, page: PageRequest())
        #expect(byCustomer.items.isEmpty)
    }
}
