// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@Suite("Contract operations")
struct DistributorContractTests {
    @Test("a distributor offers, the vendor accepts, and the history records both")
    func offerAndAccept() async throws {
        let world = try await ChannelWorld()
        let marketplace = try await world.marketplace(of: world.distributorA)
        let offered = try await world.contracts.offer(
            world.distributorA, vendorID: world.vendorA.actor, marketplaceID: marketplace.id)
        #expect(IdentifierKind.distributionContract.matches(offered.id))
        #expect(offered.vendorID == world.vendorA.actor)
        #expect(offered.distributorID == world.distributorA.actor)
        #expect(offered.marketplaceID == marketplace.id)
        #expect(offered.status == .pending)
        #expect(offered.history.map(\.from) == [""])
        #expect(offered.history.map(\.to) == ["pending"])
        #expect(offered.history.map(\.actor) == [world.distributorA.actor])

        let accepted = try await world.contracts.accept(world.vendorA, id: offered.id)
        #expect(accepted.status == .active)
        #expect(accepted.history.map(\.to) == ["pending", "active"])
        #expect(accepted.history.last?.from == "pending")
        #expect(accepted.history.last?.actor == world.vendorA.actor)
        #expect(accepted.history[1].at > accepted.history[0].at)
        let stored = try await world.contracts.list(world.vendorA, page: PageRequest()).items
        #expect(stored == [accepted])
    }

    @Test("the vendor must be an existing vendor account; every other id is not found")
    func unknownVendor() async throws {
        let world = try await ChannelWorld()
        let marketplace = try await world.marketplace(of: world.distributorA)
        for vendorID in ["VA-999-999", world.distributorB.actor, "nobody", "va-123-456"] {
            try await world.refuses(.notFound, "vendor \(vendorID) not found") {
                try await world.contracts.offer(world.distributorA, vendorID: vendorID, marketplaceID: marketplace.id)
            }
        }
    }

    @Test("the marketplace must be the distributor's own")
    func foreignMarketplace() async throws {
        let world = try await ChannelWorld()
        let foreign = try await world.marketplace(of: world.distributorB)
        for id in [foreign.id, "MP-00000"] {
            try await world.refuses(.notFound, "marketplace \(id) not found") {
                try await world.contracts.offer(world.distributorA, vendorID: world.vendorA.actor, marketplaceID: id)
            }
        }
    }

    @Test(
        "missing ids are invalid arguments",
        arguments: [
            ("", "MP-00001", ["vendor_id"]), ("VA-000-001", "", ["marketplace_id"]),
            ("", "", ["vendor_id", "marketplace_id"]),
        ])
    func missingIDs(vendorID: String, marketplaceID: String, fields: [String]) async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.invalidArgument, fields: fields) {
            try await world.contracts.offer(world.distributorA, vendorID: vendorID, marketplaceID: marketplaceID)
        }
    }

    @Test("one live contract per vendor, distributor and marketplace")
    func oneLiveContract() async throws {
        let world = try await ChannelWorld()
        let marketplace = try await world.marketplace(of: world.distributorA)
        let pending = try await world.contract(world.vendorA, world.distributorA, in: marketplace, accepted: false)
        try await world.refuses(
            .alreadyExists,
            "vendor \(world.vendorA.actor) already has contract \(pending.id) (pending) "
                + "in marketplace \(marketplace.id)"
        ) {
            try await world.contracts.offer(
                world.distributorA, vendorID: world.vendorA.actor, marketplaceID: marketplace.id)
        }
        let active = try await world.contracts.accept(world.vendorA, id: pending.id)
        try await world.refuses(
            .alreadyExists,
            "vendor \(world.vendorA.actor) already has contract \(active.id) (active) in marketplace \(marketplace.id)"
        ) {
            try await world.contracts.offer(
                world.distributorA, vendorID: world.vendorA.actor, marketplaceID: marketplace.id)
        }
        // Another vendor, or another marketplace, is another contract.
        _ = try await world.contract(world.vendorB, world.distributorA, in: marketplace, accepted: false)
        _ = try await world.contract(world.vendorA, world.distributorA, accepted: false)
        // Once terminated, the pair may sign again.
        _ = try await world.contracts.terminate(world.distributorA, id: active.id, reason: "renegotiating")
        let again = try await world.contracts.offer(
            world.distributorA, vendorID: world.vendorA.actor, marketplaceID: marketplace.id)
        #expect(again.status == .pending)
    }

    @Test("only a pending contract can be accepted, and only by its vendor")
    func acceptRules() async throws {
        let world = try await ChannelWorld()
        let pending = try await world.contract(world.vendorA, world.distributorA, accepted: false)
        for tenant in [world.vendorB] {
            try await world.refuses(.notFound, "contract \(pending.id) not found") {
                try await world.contracts.accept(tenant, id: pending.id)
            }
        }
        try await world.refuses(.permissionDenied) {
            try await world.contracts.accept(world.distributorA, id: pending.id)
        }
        _ = try await world.contracts.accept(world.vendorA, id: pending.id)
        try await world.refuses(
            .failedPrecondition, "contract \(pending.id) is active; only pending contracts can be accepted"
        ) {
            try await world.contracts.accept(world.vendorA, id: pending.id)
        }
        _ = try await world.contracts.terminate(world.vendorA, id: pending.id, reason: "")
        try await world.refuses(
            .failedPrecondition, "contract \(pending.id) is terminated; only pending contracts can be accepted"
        ) {
            try await world.contracts.accept(world.vendorA, id: pending.id)
        }
        try await world.refuses(.notFound, "contract CRD-00000-00000-00000 not found") {
            try await world.contracts.accept(world.vendorA, id: "CRD-00000-00000-00000")
        }
    }

    @Test(
        "either side terminates a pending or active contract, with a reason",
        arguments: [(false, true), (false, false), (true, true), (true, false)])
    func terminate(accepted: Bool, byVendor: Bool) async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA, accepted: accepted)
        let actor = byVendor ? world.vendorA : world.distributorA
        let reason = String(repeating: "r", count: 200)
        let terminated = try await world.contracts.terminate(actor, id: contract.id, reason: reason)
        #expect(terminated.status == .terminated)
        #expect(
            terminated.history.last
                == StatusChange(
                    from: accepted ? "active" : "pending", to: "terminated", at: terminated.history.last!.at,
                    actor: actor.actor, reason: reason))
        try await world.refuses(.failedPrecondition, "contract \(contract.id) is already terminated") {
            try await world.contracts.terminate(actor, id: contract.id, reason: "")
        }
    }

    @Test("termination refuses long reasons, strangers and other roles")
    func terminateRefusals() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        try await world.refuses(.invalidArgument, fields: ["reason"]) {
            try await world.contracts.terminate(
                world.vendorA, id: contract.id, reason: String(repeating: "r", count: 201))
        }
        for stranger in [world.vendorB, world.distributorB] {
            try await world.refuses(.notFound, "contract \(contract.id) not found") {
                try await world.contracts.terminate(stranger, id: contract.id, reason: "")
            }
        }
        try await world.refuses(.permissionDenied) {
            try await world.contracts.terminate(.operator, id: contract.id, reason: "")
        }
    }

    @Test("terminating a contract leaves its listings as they are")
    func terminationKeepsListings() async throws {
        let world = try await ChannelWorld()
        let (product, marketplace, listing) = try await world.listedProduct()
        _ = try await world.contracts.terminate(world.vendorA, id: listing.contractID, reason: "ending")
        let listings = try await world.listings.list(world.distributorA, page: PageRequest()).items
        #expect(listings == [listing])
        // ... but no new business goes through it.
        let customer = try await world.customer(of: world.distributorA)
        try await world.refuses(
            .failedPrecondition,
            "product \(product.id) is listed in marketplace \(marketplace.id) only under contract "
                + "\(listing.contractID), which is terminated"
        ) {
            try await world.subscribe(customer, to: product, in: marketplace)
        }
    }

    @Test("each party lists its own contracts, filtered by status and marketplace")
    func list() async throws {
        let world = try await ChannelWorld()
        let europe = try await world.marketplace(of: world.distributorA)
        let america = try await world.marketplace(of: world.distributorA, currency: "USD")
        let aEurope = try await world.contract(world.vendorA, world.distributorA, in: europe)
        let aAmerica = try await world.contract(world.vendorA, world.distributorA, in: america, accepted: false)
        let bEurope = try await world.contract(world.vendorB, world.distributorA, in: europe, accepted: false)
        let aElsewhere = try await world.contract(world.vendorA, world.distributorB)

        func ids(
            _ tenant: Tenant, _ status: ContractStatus? = nil, _ marketplaceID: String? = nil
        ) async throws
            -> [String]
        {
            try await world.contracts.list(tenant, status: status, marketplaceID: marketplaceID, page: PageRequest())
                .items.map(\.id)
        }
        #expect(try await ids(world.distributorA) == [aEurope.id, aAmerica.id, bEurope.id])
        #expect(try await ids(world.distributorB) == [aElsewhere.id])
        #expect(try await ids(world.vendorA) == [aEurope.id, aAmerica.id, aElsewhere.id])
        #expect(try await ids(world.vendorB) == [bEurope.id])
        #expect(try await ids(world.distributorA, .pending) == [aAmerica.id, bEurope.id])
        #expect(try await ids(world.vendorA, .active) == [aEurope.id, aElsewhere.id])
        #expect(try await ids(world.distributorA, nil, europe.id) == [aEurope.id, bEurope.id])
        #expect(try await ids(world.distributorA, .pending, europe.id) == [bEurope.id])
        #expect(try await ids(world.distributorB, nil, europe.id) == [])
        #expect(try await ids(world.vendorA, .terminated) == [])
    }
}
