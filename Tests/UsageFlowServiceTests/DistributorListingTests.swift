// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@Suite("Listing operations")
struct DistributorListingTests {
    @Test("a vendor requests a listing under its active contract; the distributor approves it")
    func requestAndApprove() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let product = try await world.product(of: world.vendorA)
        let requested = try await world.listings.request(world.vendorA, productID: product.id, contractID: contract.id)
        #expect(IdentifierKind.listing.matches(requested.id))
        #expect(requested.productID == product.id)
        #expect(requested.contractID == contract.id)
        #expect(requested.vendorID == world.vendorA.actor)
        #expect(requested.distributorID == world.distributorA.actor)
        #expect(requested.marketplaceID == contract.marketplaceID)
        #expect(requested.status == .pending)
        #expect(requested.history.map(\.to) == ["pending"])
        #expect(requested.history.first?.actor == world.vendorA.actor)

        let approved = try await world.listings.approve(world.distributorA, id: requested.id)
        #expect(approved.status == .listed)
        #expect(approved.history.map(\.to) == ["pending", "listed"])
        #expect(approved.history.last?.actor == world.distributorA.actor)
    }

    @Test("the product and the contract must be the vendor's own")
    func ownership() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let foreignContract = try await world.contract(world.vendorB, world.distributorA)
        let product = try await world.product(of: world.vendorA)
        let foreignProduct = try await world.product(of: world.vendorB)
        for id in [foreignProduct.id, "PRD-000-000-000", "PRD-1"] {
            try await world.refuses(.notFound, "product \(id) not found") {
                try await world.listings.request(world.vendorA, productID: id, contractID: contract.id)
            }
        }
        for id in [foreignContract.id, "CRD-00000-00000-00000", "CRD"] {
            try await world.refuses(.notFound, "contract \(id) not found") {
                try await world.listings.request(world.vendorA, productID: product.id, contractID: id)
            }
        }
        try await world.refuses(.invalidArgument, fields: ["product_id", "contract_id"]) {
            try await world.listings.request(world.vendorA, productID: "", contractID: "")
        }
        try await world.refuses(.permissionDenied) {
            try await world.listings.request(world.distributorA, productID: product.id, contractID: contract.id)
        }
    }

    @Test("the contract must be active", arguments: [false, true])
    func inactiveContract(terminated: Bool) async throws {
        let world = try await ChannelWorld()
        var contract = try await world.contract(world.vendorA, world.distributorA, accepted: false)
        if terminated { contract = try await world.contracts.terminate(world.vendorA, id: contract.id, reason: "") }
        let product = try await world.product(of: world.vendorA)
        try await world.refuses(
            .failedPrecondition,
            "contract \(contract.id) is \(contract.status.rawValue); "
                + "products can be listed only under an active contract"
        ) {
            try await world.listings.request(world.vendorA, productID: product.id, contractID: contract.id)
        }
    }

    @Test("one live listing per product and contract; a declined or unlisted one can be requested again")
    func oneLiveListing() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let product = try await world.product(of: world.vendorA)
        let pending = try await world.listing(product, under: contract, approved: false)
        try await world.refuses(
            .alreadyExists,
            "product \(product.id) already has listing \(pending.id) (pending) under contract \(contract.id)"
        ) {
            try await world.listings.request(world.vendorA, productID: product.id, contractID: contract.id)
        }
        _ = try await world.listings.approve(world.distributorA, id: pending.id)
        try await world.refuses(
            .alreadyExists,
            "product \(product.id) already has listing \(pending.id) (listed) under contract \(contract.id)"
        ) {
            try await world.listings.request(world.vendorA, productID: product.id, contractID: contract.id)
        }
        _ = try await world.listings.unlist(world.distributorA, id: pending.id)
        let second = try await world.listing(product, under: contract, approved: false)
        _ = try await world.listings.decline(world.distributorA, id: second.id, note: "not now")
        let third = try await world.listing(product, under: contract, approved: false)
        #expect(Set([pending.id, second.id, third.id]).count == 3)
        // Another product under the same contract is its own listing.
        _ = try await world.listing(try await world.product(of: world.vendorA, name: "Backup"), under: contract)
    }

    @Test("approve, decline and unlist follow the listing's state machine")
    func transitions() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let product = try await world.product(of: world.vendorA)
        let pending = try await world.listing(product, under: contract, approved: false)
        try await world.refuses(
            .failedPrecondition, "listing \(pending.id) is pending; only listed listings can be unlisted"
        ) {
            try await world.listings.unlist(world.distributorA, id: pending.id)
        }
        let note = String(repeating: "n", count: 200)
        let declined = try await world.listings.decline(world.distributorA, id: pending.id, note: note)
        #expect(declined.status == .declined)
        #expect(declined.history.last?.reason == note)
        try await world.refuses(
            .failedPrecondition, "listing \(pending.id) is declined; only pending listings can be approved"
        ) {
            try await world.listings.approve(world.distributorA, id: pending.id)
        }
        try await world.refuses(
            .failedPrecondition, "listing \(pending.id) is declined; only pending listings can be declined"
        ) {
            try await world.listings.decline(world.distributorA, id: pending.id, note: "")
        }

        let listed = try await world.listing(product, under: contract)
        try await world.refuses(
            .failedPrecondition, "listing \(listed.id) is listed; only pending listings can be approved"
        ) {
            try await world.listings.approve(world.distributorA, id: listed.id)
        }
        let unlisted = try await world.listings.unlist(world.distributorA, id: listed.id)
        #expect(unlisted.status == .unlisted)
        #expect(unlisted.history.map(\.to) == ["pending", "listed", "unlisted"])
        try await world.refuses(
            .failedPrecondition, "listing \(listed.id) is unlisted; only listed listings can be unlisted"
        ) {
            try await world.listings.unlist(world.distributorA, id: listed.id)
        }
    }

    @Test("a decline note over 200 characters is refused")
    func longNote() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let pending = try await world.listing(
            try await world.product(of: world.vendorA), under: contract, approved: false)
        try await world.refuses(.invalidArgument, fields: ["note"]) {
            try await world.listings.decline(
                world.distributorA, id: pending.id, note: String(repeating: "n", count: 201))
        }
    }

    @Test("a listing cannot be approved once its contract is terminated")
    func approveUnderTerminatedContract() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let pending = try await world.listing(
            try await world.product(of: world.vendorA), under: contract, approved: false)
        _ = try await world.contracts.terminate(world.distributorA, id: contract.id, reason: "")
        try await world.refuses(
            .failedPrecondition,
            "contract \(contract.id) of listing \(pending.id) is terminated; "
                + "listings can be approved only under an active contract"
        ) {
            try await world.listings.approve(world.distributorA, id: pending.id)
        }
        // Declining it is still possible.
        #expect(try await world.listings.decline(world.distributorA, id: pending.id, note: "").status == .declined)
    }

    @Test("only the listing's distributor acts on it; others get not found, vendors are denied")
    func isolation() async throws {
        let world = try await ChannelWorld()
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let pending = try await world.listing(
            try await world.product(of: world.vendorA), under: contract, approved: false)
        try await world.refuses(.notFound, "listing \(pending.id) not found") {
            try await world.listings.approve(world.distributorB, id: pending.id)
        }
        try await world.refuses(.notFound, "listing \(pending.id) not found") {
            try await world.listings.decline(world.distributorB, id: pending.id, note: "")
        }
        try await world.refuses(.notFound, "listing LST-000-000-000 not found") {
            try await world.listings.approve(world.distributorA, id: "LST-000-000-000")
        }
        try await world.refuses(.permissionDenied) { try await world.listings.approve(world.vendorA, id: pending.id) }
        try await world.refuses(.permissionDenied) { try await world.listings.unlist(world.vendorA, id: pending.id) }
    }

    @Test("each party lists its own listings, filtered by status and product")
    func list() async throws {
        let world = try await ChannelWorld()
        let contractA = try await world.contract(world.vendorA, world.distributorA)
        let contractB = try await world.contract(world.vendorB, world.distributorA)
        let contractA2 = try await world.contract(world.vendorA, world.distributorB)
        let storage = try await world.product(of: world.vendorA)
        let backup = try await world.product(of: world.vendorA, name: "Backup")
        let mail = try await world.product(of: world.vendorB, name: "Mail")
        let l1 = try await world.listing(storage, under: contractA)
        let l2 = try await world.listing(backup, under: contractA, approved: false)
        let l3 = try await world.listing(mail, under: contractB)
        let l4 = try await world.listing(storage, under: contractA2, approved: false)

        func ids(_ tenant: Tenant, _ status: ListingStatus? = nil, _ productID: String? = nil) async throws -> [String]
        {
            try await world.listings.list(tenant, status: status, productID: productID, page: PageRequest()).items.map(
                \.id)
        }
        #expect(try await ids(world.distributorA) == [l1.id, l2.id, l3.id])
        #expect(try await ids(world.distributorB) == [l4.id])
        #expect(try await ids(world.vendorA) == [l1.id, l2.id, l4.id])
        #expect(try await ids(world.vendorB) == [l3.id])
        #expect(try await ids(world.distributorA, .listed) == [l1.id, l3.id])
        #expect(try await ids(world.vendorA, .pending) == [l2.id, l4.id])
        #expect(try await ids(world.vendorA, nil, storage.id) == [l1.id, l4.id])
        #expect(try await ids(world.vendorB, nil, storage.id) == [])
        #expect(try await ids(world.distributorA, .declined) == [])
    }
}
