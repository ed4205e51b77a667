// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@Suite("Reseller operations")
struct DistributorResellerTests {
    @Test("a distributor creates tier-1 resellers, with or without the tier-2 permission", arguments: [true, false])
    func createTier1(allowTier2: Bool) async throws {
        let world = try await ChannelWorld()
        let reseller = try await world.resellers.create(world.distributorA, name: "North", allowTier2: allowTier2)
        #expect(IdentifierKind.tierAccount.matches(reseller.id))
        #expect(reseller.distributorID == world.distributorA.actor)
        #expect(reseller.tier == 1)
        #expect(reseller.parentID == nil)
        #expect(reseller.name == "North")
        #expect(reseller.allowTier2 == allowTier2)
        #expect(try await world.resellers.get(world.distributorA, id: reseller.id) == reseller)
    }

    @Test("a tier-1 reseller with the permission creates tier-2 resellers under itself")
    func createTier2() async throws {
        let world = try await ChannelWorld()
        let parent = try await world.tier1(of: world.distributorA, allowTier2: true)
        let child = try await world.resellers.create(.reseller(parent.tenant), name: "Village", allowTier2: false)
        #expect(child.tier == 2)
        #expect(child.parentID == parent.id)
        #expect(child.distributorID == world.distributorA.actor)
        #expect(child.allowTier2 == false)
    }

    @Test("a tier-1 reseller without the permission is told why")
    func tier1WithoutPermission() async throws {
        let world = try await ChannelWorld()
        let parent = try await world.tier1(of: world.distributorA, allowTier2: false)
        try await world.refuses(
            .failedPrecondition,
            "reseller \(parent.id) may not create tier-2 resellers: its distributor has not allowed it"
        ) {
            try await world.resellers.create(.reseller(parent.tenant), name: "Village", allowTier2: false)
        }
    }

    @Test("the stored permission decides, not the credential's snapshot")
    func storedPermission() async throws {
        let world = try await ChannelWorld()
        let parent = try await world.tier1(of: world.distributorA, allowTier2: false)
        var stale = parent.tenant
        stale.allowTier2 = true
        try await world.refuses(.failedPrecondition) {
            try await world.resellers.create(.reseller(stale), name: "Village", allowTier2: false)
        }
    }

    @Test("a tier-2 reseller cannot create resellers")
    func tier2CannotCreate() async throws {
        let world = try await ChannelWorld()
        let child = try await world.tier2(under: try await world.tier1(of: world.distributorA))
        try await world.refuses(
            .failedPrecondition, "reseller \(child.id) is a tier-2 reseller; only tier-1 resellers can create resellers"
        ) {
            try await world.resellers.create(.reseller(child.tenant), name: "Hamlet", allowTier2: false)
        }
    }

    @Test("only a distributor grants the tier-2 permission")
    func resellerCannotGrant() async throws {
        let world = try await ChannelWorld()
        let parent = try await world.tier1(of: world.distributorA)
        try await world.refuses(.invalidArgument, fields: ["allow_tier2"]) {
            try await world.resellers.create(.reseller(parent.tenant), name: "Village", allowTier2: true)
        }
        try await world.refuses(.invalidArgument, fields: ["name", "allow_tier2"]) {
            try await world.resellers.create(.reseller(parent.tenant), name: "", allowTier2: true)
        }
    }

    @Test("names follow the name rules", arguments: ["", " ", String(repeating: "x", count: 256), "new\nline"])
    func badNames(name: String) async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.invalidArgument, fields: ["name"]) {
            try await world.resellers.create(world.distributorA, name: name, allowTier2: false)
        }
    }

    @Test("vendors cannot create resellers")
    func vendorsDenied() async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.permissionDenied) {
            try await world.resellers.create(world.vendorA, name: "North", allowTier2: false)
        }
    }

    @Test("who sees which reseller")
    func visibility() async throws {
        let world = try await ChannelWorld()
        let north = try await world.tier1(of: world.distributorA, name: "North")
        let south = try await world.tier1(of: world.distributorA, name: "South")
        let village = try await world.tier2(under: north, name: "Village")
        let town = try await world.tier2(under: south, name: "Town")
        let foreign = try await world.tier1(of: world.distributorB, name: "Abroad")

        let visible: [(Tenant, [Reseller])] = [
            (world.distributorA, [north, south, village, town]),
            (world.distributorB, [foreign]),
            (.reseller(north.tenant), [north, village]),
            (.reseller(village.tenant), [village]),
        ]
        for (tenant, seen) in visible {
            for reseller in [north, south, village, town, foreign] {
                if seen.contains(reseller) {
                    #expect(try await world.resellers.get(tenant, id: reseller.id) == reseller)
                } else {
                    try await world.refuses(.notFound, "reseller \(reseller.id) not found") {
                        try await world.resellers.get(tenant, id: reseller.id)
                    }
                }
            }
        }
        try await world.refuses(.notFound, "reseller TA-0-0000-0000-0000 not found") {
            try await world.resellers.get(world.distributorA, id: "TA-0-0000-0000-0000")
        }
    }

    @Test("lists filter by tier and parent; a reseller lists its own tier-2 resellers")
    func list() async throws {
        let world = try await ChannelWorld()
        let north = try await world.tier1(of: world.distributorA, name: "North")
        let south = try await world.tier1(of: world.distributorA, name: "South")
        let village = try await world.tier2(under: north, name: "Village")
        let hamlet = try await world.tier2(under: north, name: "Hamlet")
        let town = try await world.tier2(under: south, name: "Town")

        func ids(_ tenant: Tenant, _ tier: Int? = nil, _ parentID: String? = nil) async throws -> [String] {
            try await world.resellers.list(tenant, tier: tier, parentID: parentID, page: PageRequest()).items.map(\.id)
        }
        #expect(try await ids(world.distributorA) == [north.id, south.id, village.id, hamlet.id, town.id])
        #expect(try await ids(world.distributorA, 1) == [north.id, south.id])
        #expect(try await ids(world.distributorA, 2) == [village.id, hamlet.id, town.id])
        #expect(try await ids(world.distributorA, nil, south.id) == [town.id])
        #expect(try await ids(world.distributorB) == [])
        #expect(try await ids(.reseller(north.tenant)) == [village.id, hamlet.id])
        #expect(try await ids(.reseller(north.tenant), 2, north.id) == [village.id, hamlet.id])
        #expect(try await ids(.reseller(north.tenant), 1) == [])
        #expect(try await ids(.reseller(north.tenant), nil, south.id) == [])
        #expect(try await ids(.reseller(village.tenant)) == [])
        for tier in [0, 3, -1] {
            try await world.refuses(.invalidArgument, fields: ["tier"]) {
                try await world.resellers.list(world.distributorA, tier: tier, page: PageRequest())
            }
        }
    }
}
