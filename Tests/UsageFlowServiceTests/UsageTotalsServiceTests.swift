// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import RPCCore
import Testing

/// GetUsageTotals of the vendor, distributor and reseller services through the server's router
/// with real keys over SQLite: sums checked against hand-worked figures, pages and their tokens,
/// other tenants seeing nothing, and bad requests answered with exact statuses and fields.
@Suite("Usage totals RPCs")
struct UsageTotalsServiceTests {
    let channel: ResellerUsageChannel

    init() async throws {
        channel = try await ResellerUsageChannel()
    }

    var world: UsageWorld { channel.world }

    static func request(
        from: String = "2026-01-01", to: String = "2026-01-31", _ change: (inout Usageflow_V1_GetUsageTotalsRequest) -> Void = { _ in }
    ) -> Usageflow_V1_GetUsageTotalsRequest {
        var request = Usageflow_V1_GetUsageTotalsRequest()
        request.periodFrom = from
        request.periodTo = to
        change(&request)
        return request
    }

    /// An accepted file and a pending one; returns nothing, the figures are in `expected`.
    func seed() async throws {
        _ = try await channel.file(
            "Accepted",
            [
                world.record("a-1", item: world.integerItem, subscription: world.subscription1, quantity: "100"),
                world.record("a-2", item: world.decimalItem, subscription: world.subscription1, quantity: "3.25"),
                world.record("a-3", item: world.decimalItem, subscription: channel.tier1Subscription, quantity: "0.5"),
                world.record("a-4", item: world.decimalItem, subscription: channel.tier2Subscription, quantity: "0.05"),
                world.record("a-5", item: world.decimalItem, subscription: channel.tier2Subscription, quantity: "0.95"),
            ])
        _ = try await channel.file(
            "Pending",
            [
                world.record("p-1", item: world.decimalItem, subscription: world.subscription1, quantity: "1.75"),
                world.record("p-2", item: world.integerItem, subscription: channel.tier2Subscription, quantity: "2"),
            ],
            accept: false)
    }

    /// (subscription, item, consumed, accepted, consumed records, accepted records), in key order.
    var expected: [(String, String, String, String, Int64, Int64)] {
        let rows: [(String, String, String, String, Int64, Int64)] = [
            (world.subscription1.id, world.integerItem.id, "100", "100", 1, 1),
            (world.subscription1.id, world.decimalItem.id, "5.00", "3.25", 2, 1),
            (channel.tier1Subscription.id, world.decimalItem.id, "0.5", "0.5", 1, 1),
            (channel.tier2Subscription.id, world.decimalItem.id, "1.00", "1.00", 2, 2),
            (channel.tier2Subscription.id, world.integerItem.id, "2", "0", 1, 0),
        ]
        return rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    static func rows(_ reply: Usageflow_V1_GetUsageTotalsResponse) -> [(String, String, String, String, Int64, Int64)] {
        reply.totals.map {
            ($0.subscriptionId, $0.itemId, $0.consumedQuantity, $0.acceptedQuantity, $0.consumedRecords, $0.acceptedRecords)
        }
    }

    static func same(
        _ lhs: [(String, String, String, String, Int64, Int64)], _ rhs: [(String, String, String, String, Int64, Int64)]
    ) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0 == $1 }
    }

    @Test("vendor, distributor, tier-1 and tier-2 reseller totals equal the hand-worked sums over what each sees")
    func totalsPerParty() async throws {
        try await seed()
        let request = Self.request()
        let vendor = try await world.vendor { try await $0.getUsageTotals(request) }
        #expect(Self.same(Self.rows(vendor), expected), "\(Self.rows(vendor))")
        #expect(vendor.nextPageToken.isEmpty)
        #expect(vendor.totals.allSatisfy { $0.productId == world.product.id })
        #expect(vendor.totals.allSatisfy { $0.consumedAmount == "0" && $0.acceptedAmount == "0" })
        let distributor = try await world.distributor { try await $0.getUsageTotals(request) }
        #expect(Self.same(Self.rows(distributor), expected))

        let tier1 = try await channel.reseller(channel.tier1) { try await $0.getUsageTotals(request) }
        let tier1Subscriptions = [channel.tier1Subscription.id, channel.tier2Subscription.id]
        #expect(Self.same(Self.rows(tier1), expected.filter { tier1Subscriptions.contains($0.0) }))
        let tier2 = try await channel.reseller(channel.tier2) { try await $0.getUsageTotals(request) }
        #expect(Self.same(Self.rows(tier2), expected.filter { $0.0 == channel.tier2Subscription.id }))

        // Other tenants see nothing of it.
        #expect(try await world.vendor(world.vendorB) { try await $0.getUsageTotals(request) }.totals.isEmpty)
        #expect(try await world.distributor(world.distributorB) { try await $0.getUsageTotals(request) }.totals.isEmpty)
    }

    @Test("pages of one total continue with their token; a token under other filters is INVALID_ARGUMENT")
    func paging() async throws {
        try await seed()
        var request = Self.request { $0.pageSize = 1 }
        var seen: [(String, String, String, String, Int64, Int64)] = []
        var calls = 0
        repeat {
            let reply = try await world.distributor { [request] in try await $0.getUsageTotals(request) }
            seen += Self.rows(reply)
            request.pageToken = reply.nextPageToken
            calls += 1
        } while !request.pageToken.isEmpty && calls < 10
        #expect(Self.same(seen, expected))
        #expect(calls == 5)

        let first = try await world.vendor { try await $0.getUsageTotals(Self.request { $0.pageSize = 1 }) }
        let moved = Self.request(to: "2026-01-30") {
            $0.pageSize = 1
            $0.pageToken = first.nextPageToken
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["page_token"]) {
            try await world.vendor { try await $0.getUsageTotals(moved) }
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["page_size"]) {
            try await world.vendor { try await $0.getUsageTotals(Self.request { $0.pageSize = 1001 }) }
        }
    }

    @Test("filters narrow the totals; ids the caller cannot see are NOT_FOUND")
    func filters() async throws {
        try await seed()
        let bySubscription = Self.request { $0.subscriptionId = world.subscription1.id }
        #expect(try await world.vendor { try await $0.getUsageTotals(bySubscription) }.totals.count == 2)
        let byItem = Self.request { $0.itemId = world.integerItem.id }
        #expect(try await world.distributor { try await $0.getUsageTotals(byItem) }.totals.count == 2)
        let byCustomer = Self.request { $0.customerId = channel.tier1Customer.id }
        let tier1Only = try await channel.reseller(channel.tier1) { try await $0.getUsageTotals(byCustomer) }
        #expect(tier1Only.totals.map(\.subscriptionId) == [channel.tier1Subscription.id])

        try await expectUsageRefusal(.notFound, "subscription \(world.foreignSubscription.id) not found") {
            try await world.distributor { try await $0.getUsageTotals(Self.request { $0.subscriptionId = world.foreignSubscription.id }) }
        }
        try await expectUsageRefusal(.notFound, "product \(world.product.id) not found") {
            try await world.vendor(world.vendorB) { try await $0.getUsageTotals(Self.request { $0.productId = world.product.id }) }
        }
        try await expectUsageRefusal(.notFound, "customer \(channel.tier1Customer.id) not found") {
            try await channel.reseller(channel.tier2) { try await $0.getUsageTotals(byCustomer) }
        }
        try await expectUsageRefusal(.notFound, "marketplace \(world.contractB.marketplaceID) not found") {
            try await world.distributor { try await $0.getUsageTotals(Self.request { $0.marketplaceId = world.contractB.marketplaceID }) }
        }
    }

    @Test("the period is required, real, ordered and at most 366 days; every bad field is named at once")
    func badRequests() async throws {
        try await expectUsageRefusal(.invalidArgument, fields: ["period_from", "period_to"]) {
            try await world.vendor { try await $0.getUsageTotals(Usageflow_V1_GetUsageTotalsRequest()) }
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["period_to"]) {
            try await world.vendor { try await $0.getUsageTotals(Self.request(from: "2025-01-01", to: "2026-01-02")) }
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["period_from", "period_to"]) {
            try await world.distributor { try await $0.getUsageTotals(Self.request(from: "2026-02-30", to: "31/01/2026")) }
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["period_to"]) {
            try await channel.reseller(channel.tier1) { try await $0.getUsageTotals(Self.request(from: "2026-02-01", to: "2026-01-01")) }
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["period_from", "page_size"]) {
            try await world.vendor { try await $0.getUsageTotals(Self.request(from: "") { $0.pageSize = -1 }) }
        }
        let leapYear = Self.request(from: "2024-01-01", to: "2024-12-31")
        #expect(try await world.vendor { try await $0.getUsageTotals(leapYear) }.totals.isEmpty)
    }
}
