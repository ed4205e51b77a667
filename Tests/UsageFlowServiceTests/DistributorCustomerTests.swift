// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@Suite("Customer operations")
struct DistributorCustomerTests {
    @Test("a distributor creates direct customers and customers of its resellers")
    func distributorCreates() async throws {
        let world = try await ChannelWorld()
        let north = try await world.tier1(of: world.distributorA)
        let village = try await world.tier2(under: north)
        let direct = try await world.customers.create(
            world.distributorA, name: "Acme", resellerID: nil, externalID: "C-1")
        #expect(IdentifierKind.tierAccount.matches(direct.id))
        #expect(direct.distributorID == world.distributorA.actor)
        #expect(direct.resellerID == nil)
        #expect(direct.name == "Acme")
        #expect(direct.externalID == "C-1")
        for reseller in [north, village] {
            let customer = try await world.customers.create(
                world.distributorA, name: "Beta", resellerID: reseller.id, externalID: "")
            #expect(customer.resellerID == reseller.id)
            #expect(customer.distributorID == world.distributorA.actor)
        }
    }

    @Test("a distributor cannot create customers under another distributor's reseller")
    func foreignReseller() async throws {
        let world = try await ChannelWorld()
        let foreign = try await world.tier1(of: world.distributorB)
        for id in [foreign.id, "TA-0-0000-0000-0000", "nope"] {
            try await world.refuses(.notFound, "reseller \(id) not found") {
                try await world.customers.create(world.distributorA, name: "Acme", resellerID: id, externalID: "")
            }
        }
    }

    @Test("a reseller creates its own customers, with its own id or none")
    func resellerCreates() async throws {
        let world = try await ChannelWorld()
        let north = try await world.tier1(of: world.distributorA)
        let village = try await world.tier2(under: north)
        for reseller in [north, village] {
            for given in [nil, reseller.id] {
                let customer = try await world.customers.create(
                    .reseller(reseller.tenant), name: "Acme", resellerID: given, externalID: "")
                #expect(customer.resellerID == reseller.id)
                #expect(customer.distributorID == world.distributorA.actor)
            }
        }
        // Not for its tier-2 reseller, its parent, or anyone else.
        for (caller, other) in [(north, village.id), (village, north.id), (north, "TA-0-0000-0000-0000")] {
            try await world.refuses(.invalidArgument, fields: ["reseller_id"]) {
                try await world.customers.create(
                    .reseller(caller.tenant), name: "Acme", resellerID: other, externalID: "")
            }
        }
    }

    @Test("names and external ids are checked together")
    func invalidFields() async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.invalidArgument, fields: ["name", "external_id"]) {
            try await world.customers.create(
                world.distributorA, name: "", resellerID: nil, externalID: String(repeating: "e", count: 256))
        }
        try await world.refuses(.permissionDenied) {
            try await world.customers.create(world.vendorA, name: "Acme", resellerID: nil, externalID: "")
        }
    }

    @Test("who sees which customer, and what each one lists")
    func visibility() async throws {
        let world = try await ChannelWorld()
        let north = try await world.tier1(of: world.distributorA, name: "North")
        let south = try await world.tier1(of: world.distributorA, name: "South")
        let village = try await world.tier2(under: north, name: "Village")
        let direct = try await world.customer(of: world.distributorA, name: "Direct")
        let ofNorth = try await world.customer(of: world.distributorA, through: north, name: "Of North")
        let ofVillage = try await world.customer(of: world.distributorA, through: village, name: "Of Village")
        let ofSouth = try await world.customer(of: world.distributorA, through: south, name: "Of South")
        let foreign = try await world.customer(of: world.distributorB, name: "Abroad")
        let everyone = [direct, ofNorth, ofVillage, ofSouth, foreign]

        let visible: [(Tenant, [Customer])] = [
            (world.distributorA, [direct, ofNorth, ofVillage, ofSouth]),
            (world.distributorB, [foreign]),
            (.reseller(north.tenant), [ofNorth, ofVillage]),
            (.reseller(village.tenant), [ofVillage]),
            (.reseller(south.tenant), [ofSouth]),
        ]
        for (tenant, seen) in visible {
            for customer in everyone {
                if seen.contains(customer) {
                    #expect(try await world.customers.get(tenant, id: customer.id) == customer)
                } else {
                    try await world.refuses(.notFound, "customer \(customer.id) not found") {
                        try await world.customers.get(tenant, id: customer.id)
                    }
                }
            }
            #expect(try await world.customers.list(tenant, page: PageRequest()).items == seen)
        }
        try await world.refuses(.notFound, "customer \(north.id) not found") {
            try await world.customers.get(world.distributorA, id: north.id)
        }

        func ids(_ tenant: Tenant, _ resellerID: String?) async throws -> [String] {
            try await world.customers.list(tenant, resellerID: resellerID, page: PageRequest()).items.map(\.id)
        }
        #expect(try await ids(world.distributorA, north.id) == [ofNorth.id])
        #expect(try await ids(world.distributorA, village.id) == [ofVillage.id])
        #expect(try await ids(.reseller(north.tenant), village.id) == [ofVillage.id])
        #expect(try await ids(.reseller(north.tenant), north.id) == [ofNorth.id])
        #expect(try await ids(.reseller(north.tenant), south.id) == [])
        #expect(try await ids(.reseller(village.tenant), north.id) == [])
        #expect(try await ids(world.distributorB, north.id) == [])
    }
}
