// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@Suite("Marketplace operations")
struct DistributorMarketplaceTests {
    @Test("a distributor creates a marketplace in an active currency")
    func create() async throws {
        let world = try await ChannelWorld()
        let marketplace = try await world.marketplaces.create(world.distributorA, name: "Europe", currency: "EUR")
        #expect(IdentifierKind.marketplace.matches(marketplace.id))
        #expect(marketplace.distributorID == world.distributorA.actor)
        #expect(marketplace.name == "Europe")
        #expect(marketplace.currency == "EUR")
        #expect(try await world.marketplaces.get(world.distributorA, id: marketplace.id) == marketplace)
    }

    @Test(
        "bad names and currencies are refused with every violation and nothing stored",
        arguments: [
            ("", "EUR", ["name"]),
            ("   ", "EUR", ["name"]),
            (String(repeating: "n", count: 256), "EUR", ["name"]),
            ("Tab\there", "EUR", ["name"]),
            ("Europe", "", ["currency"]),
            ("Europe", "eur", ["currency"]),
            ("Europe", "XYZ", ["currency"]),
            ("Europe", "HRK", ["currency"]),
            ("Europe", "EURO", ["currency"]),
            ("", "xx", ["name", "currency"]),
        ])
    func invalid(name: String, currency: String, fields: [String]) async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.invalidArgument, fields: fields) {
            try await world.marketplaces.create(world.distributorA, name: name, currency: currency)
        }
    }

    @Test("a name of exactly 255 characters is accepted")
    func longestName() async throws {
        let world = try await ChannelWorld()
        let name = String(repeating: "é", count: 255)
        #expect(try await world.marketplaces.create(world.distributorA, name: name, currency: "USD").name == name)
    }

    @Test("another distributor's marketplace is not found, exactly like a missing or malformed id")
    func isolation() async throws {
        let world = try await ChannelWorld()
        let marketplace = try await world.marketplace(of: world.distributorA)
        for id in [marketplace.id, "MP-99999", "MP-1", "", "mp-\(marketplace.id.dropFirst(3))"] {
            try await world.refuses(.notFound, "marketplace \(id) not found") {
                try await world.marketplaces.get(world.distributorB, id: id)
            }
        }
        #expect(try await world.marketplaces.list(world.distributorB, page: PageRequest()).items.isEmpty)
    }

    @Test("other roles cannot create marketplaces")
    func otherRoles() async throws {
        let world = try await ChannelWorld()
        try await world.refuses(.permissionDenied) {
            try await world.marketplaces.create(world.vendorA, name: "Europe", currency: "EUR")
        }
        try await world.refuses(.permissionDenied) {
            try await world.marketplaces.list(.operator, page: PageRequest())
        }
    }

    @Test("lists page in creation order without skipping or repeating")
    func paging() async throws {
        let world = try await ChannelWorld()
        var created: [Marketplace] = []
        for currency in ["EUR", "USD", "GBP", "JPY", "CHF"] {
            created.append(try await world.marketplaces.create(world.distributorA, name: currency, currency: currency))
        }
        _ = try await world.marketplace(of: world.distributorB)
        var seen: [Marketplace] = []
        var after: Int64?
        repeat {
            let page = try await world.marketplaces.list(world.distributorA, page: PageRequest(size: 2, after: after))
            #expect(page.items.count <= 2)
            seen += page.items
            after = page.nextAfter
        } while after != nil
        #expect(seen == created)
    }
}
