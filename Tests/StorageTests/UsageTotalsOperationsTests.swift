// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// `UsageTotalsOperations` end to end on SQLite over `World`, against sums worked out by hand.
///
/// Subscriptions: `World.subscription` (1, sold through both tiers), 2 (tier 1 only), 3 (a direct
/// customer's). Every record is of `World.item`.
@Suite("Usage totals")
struct UsageTotalsOperationsTests {
    typealias Query = UsageTotalsOperations.Query

    static let sub1 = World.subscription
    static let sub2 = World.subscription(2, customer: World.tier1Customer)
    static let sub3 = World.subscription(3, customer: World.directCustomer)
    static let vendor = Tenant.vendor(id: World.vendor.id)
    static let distributor = Tenant.distributor(id: World.distributor.id)
    static let tier1 = Tenant.reseller(World.tier1.tenant)
    static let tier2 = Tenant.reseller(World.tier2.tenant)
    static let january = Query(periodFrom: "2026-01-01", periodTo: "2026-01-31")

    static func operations(_ store: SQLiteDataStore) -> UsageTotalsOperations {
        UsageTotalsOperations(environment: DomainEnvironment(store: store, clock: UsageFileOperationsTests.FixedClock()))
    }

    /// A record starting `day` days after 2026-01-01 00:00:00 (or exactly at `start`).
    static func record(
        _ fileID: String, _ position: Int, _ subscription: Subscription, _ quantity: String, amount: String? = nil,
        status: UsageRecordStatus, day: Int64 = 1, start: Timestamp? = nil
    ) -> UsageRecord {
        var record = UsageFixtures.record(fileID, position, recordID: "t\(position)", status: status)
        record.subscriptionID = subscription.id
        record.quantity = Decimal(quantity)
        record.amount = amount.flatMap { Decimal($0) }
        record.start = start ?? Timestamp(secondsSinceEpoch: 1_767_225_600 + day * 86_400)
        return record
    }

    /// Records that count and records that must not, in files of every kind.
    static func seed(_ store: SQLiteDataStore) async throws {
        let accepted = UsageFixtures.file(1, status: .accepted)
        let pending = UsageFixtures.file(2, status: .pending)
        let rejected = UsageFixtures.file(3, status: .rejected)
        let preview = UsageFixtures.file(4, status: .accepted, environment: .preview)
        let ready = UsageFixtures.file(5, status: .ready)
        let closed = UsageFixtures.file(6, status: .closed)
        let endOfJanuary = Timestamp(microsecondsSinceEpoch: (1_767_225_600 + 31 * 86_400) * 1_000_000 - 1)
        let startOfFebruary = Timestamp(secondsSinceEpoch: 1_767_225_600 + 31 * 86_400)
        try await store.write { tx in
            try tx.insert(sub2)
            try tx.insert(sub3)
            for file in [accepted, pending, rejected, preview, ready, closed] { try tx.insert(file) }
            try tx.appendUsageRecords(
                [
                    record(accepted.id, 1, sub1, "1.5", amount: "-12.50", status: .approved),
                    record(accepted.id, 2, sub1, "2.25", amount: "1", status: .closed, day: 2),
                    record(accepted.id, 3, sub2, "0.0001", status: .approved, day: 4),
                    record(accepted.id, 4, sub3, "10", status: .approved, start: endOfJanuary),
                    record(accepted.id, 5, sub1, "100", status: .approved, start: startOfFebruary),
                    record(accepted.id, 6, sub1, "1000", status: .invalid),
                ], fileID: accepted.id)
            try tx.appendUsageRecords(
                [
                    record(pending.id, 1, sub1, "0.5", amount: "0.25", status: .valid),
                    record(pending.id, 2, sub3, "3", status: .valid, day: 0),
                ], fileID: pending.id)
            try tx.appendUsageRecords([record(rejected.id, 1, sub1, "1000", status: .rejected)], fileID: rejected.id)
            try tx.appendUsageRecords([record(preview.id, 1, sub1, "1000", status: .approved)], fileID: preview.id)
            try tx.appendUsageRecords([record(ready.id, 1, sub1, "1000", status: .valid)], fileID: ready.id)
            try tx.appendUsageRecords([record(closed.id, 1, sub2, "0.9999", status: .closed)], fileID: closed.id)
        }
    }

    /// The hand-worked January totals, by subscription.
    static let expected: [String: UsageTotal] = [
        sub1.id: total(sub1, consumed: ("4.25", "-11.25", 3), accepted: ("3.75", "-11.50", 2)),
        sub2.id: total(sub2, consumed: ("1.0000", "0", 2), accepted: ("1.0000", "0", 2)),
        sub3.id: total(sub3, consumed: ("13", "0", 2), accepted: ("10", "0", 1)),
    ]

    static func total(
        _ subscription: Subscription, consumed: (String, String, Int), accepted: (String, String, Int)
    ) -> UsageTotal {
        UsageTotal(
            key: UsageTotal.Key(subscriptionID: subscription.id, itemID: World.item.id), productID: World.product.id,
            consumedQuantity: Decimal(consumed.0)!, acceptedQuantity: Decimal(accepted.0)!,
            consumedAmount: Decimal(consumed.1)!, acceptedAmount: Decimal(accepted.1)!, consumedRecords: consumed.2,
            acceptedRecords: accepted.2)
    }

    static func all(_ store: SQLiteDataStore, _ tenant: Tenant, _ query: Query = january) async throws -> [UsageTotal] {
        try await operations(store).totals(tenant, query, size: 1000).totals
    }

    // MARK: Sums and scopes

    @Test("each party's totals equal the hand-worked sums over what it sees, ordered by subscription and item")
    func sumsPerParty() async throws {
        try await withWorld { store throws in
            try await Self.seed(store)
            let everything = [Self.sub1.id, Self.sub2.id, Self.sub3.id].compactMap { Self.expected[$0] }
            #expect(try await Self.all(store, Self.vendor) == everything)
            #expect(try await Self.all(store, Self.distributor) == everything)
            #expect(try await Self.all(store, Self.tier1) == [Self.expected[Self.sub1.id]!, Self.expected[Self.sub2.id]!])
            #expect(try await Self.all(store, Self.tier2) == [Self.expected[Self.sub1.id]!])
            // Sums keep the records' exact digits on the wire.
            let first = try #require(try await Self.all(store, Self.vendor).first)
            #expect(first.consumedQuantity.description == "4.25")
            #expect(first.acceptedAmount.description == "-11.50")

            #expect(try await Self.all(store, .vendor(id: World.otherVendor.id)) == [])
            #expect(try await Self.all(store, .distributor(id: World.otherDistributor.id)) == [])
            var stranger = World.tier1.tenant
            stranger.distributorID = World.otherDistributor.id
            #expect(try await Self.all(store, .reseller(stranger)) == [])
        }
    }

    @Test("the period is the records' start day, both ends included")
    func periodBoundaries() async throws {
        try await withWorld { store throws in
            try await Self.seed(store)
            let february = try await Self.all(store, Self.vendor, Query(periodFrom: "2026-02-01", periodTo: "2026-02-28"))
            #expect(february.map(\.consumedQuantity) == [Decimal(100)])
            let lastDay = try await Self.all(store, Self.vendor, Query(periodFrom: "2026-01-31", periodTo: "2026-01-31"))
            #expect(lastDay.map(\.subscriptionID) == [Self.sub3.id])
            #expect(lastDay.map(\.consumedQuantity) == [Decimal(10)])
            let firstDay = try await Self.all(store, Self.vendor, Query(periodFrom: "2026-01-01", periodTo: "2026-01-01"))
            #expect(firstDay.map(\.consumedQuantity) == [Decimal(3)])
        }
    }

    @Test("filters narrow the totals; a filter naming something the caller cannot see is NOT_FOUND like nothing")
    func filters() async throws {
        try await withWorld { store throws in
            try await Self.seed(store)
            func query(
                product: String? = nil, marketplace: String? = nil, customer: String? = nil, subscription: String? = nil,
                item: String? = nil
            ) -> Query {
                Query(
                    periodFrom: "2026-01-01", periodTo: "2026-01-31", productID: product, marketplaceID: marketplace,
                    customerID: customer, subscriptionID: subscription, itemID: item)
            }
            #expect(try await Self.all(store, Self.vendor, query(customer: World.directCustomer.id)).map(\.subscriptionID) == [Self.sub3.id])
            #expect(try await Self.all(store, Self.distributor, query(subscription: Self.sub2.id)).map(\.subscriptionID) == [Self.sub2.id])
            #expect(try await Self.all(store, Self.tier1, query(customer: World.tier2Customer.id)).map(\.subscriptionID) == [Self.sub1.id])
            #expect(try await Self.all(store, Self.tier2, query(product: World.product.id, item: World.item.id)).count == 1)
            #expect(try await Self.all(store, Self.vendor, query(marketplace: World.marketplace.id)).count == 3)
            #expect(try await Self.all(store, Self.distributor, query(product: World.product.id)).count == 3)

            let refusals: [(Tenant, Query, String)] = [
                (Self.vendor, query(product: World.otherProduct.id), "product \(World.otherProduct.id) not found"),
                (Self.vendor, query(product: "PRD-999-999-999"), "product PRD-999-999-999 not found"),
                (Self.distributor, query(product: World.otherProduct.id), "product \(World.otherProduct.id) not found"),
                (Self.distributor, query(marketplace: World.otherMarketplace.id), "marketplace \(World.otherMarketplace.id) not found"),
                (Self.vendor, query(marketplace: World.otherMarketplace.id), "marketplace \(World.otherMarketplace.id) not found"),
                (Self.tier2, query(subscription: Self.sub2.id), "subscription \(Self.sub2.id) not found"),
                (Self.tier2, query(customer: World.tier1Customer.id), "customer \(World.tier1Customer.id) not found"),
                (Self.tier1, query(customer: World.directCustomer.id), "customer \(World.directCustomer.id) not found"),
                (.vendor(id: World.otherVendor.id), query(subscription: Self.sub1.id), "subscription \(Self.sub1.id) not found"),
                (.vendor(id: World.otherVendor.id), query(item: World.item.id), "item \(World.item.id) not found"),
                (.distributor(id: World.otherDistributor.id), query(customer: World.directCustomer.id), "customer \(World.directCustomer.id) not found"),
                (Self.vendor, query(item: "nonsense"), "item nonsense not found"),
            ]
            for (tenant, query, message) in refusals {
                let error = await expectDomainError(.notFound) { _ = try await Self.all(store, tenant, query) }
                #expect(error?.message == message)
            }
        }
    }

    @Test("pages continue after the last subscription and item, and end with nil")
    func paging() async throws {
        try await withWorld { store throws in
            try await Self.seed(store)
            let operations = Self.operations(store)
            var seen: [UsageTotal] = []
            var after: UsageTotal.Key?
            var pages = 0
            repeat {
                let page = try await operations.totals(Self.vendor, Self.january, size: 1, after: after)
                seen += page.totals
                after = page.nextAfter
                pages += 1
            } while after != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == [Self.sub1.id, Self.sub2.id, Self.sub3.id].compactMap { Self.expected[$0] })
            let last = try await operations.totals(Self.vendor, Self.january, size: 2, after: nil)
            #expect(last.nextAfter == UsageTotal.Key(subscriptionID: Self.sub2.id, itemID: World.item.id))
            #expect(try await operations.totals(Self.vendor, Self.january, size: 3).nextAfter == nil)
        }
    }

    @Test("values too long for 64-bit sums, and sums that overflow them, still add up exactly")
    func longValuesAndOverflow() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1, status: .accepted)
            try await store.write { tx in
                try tx.insert(Self.sub2)
                try tx.insert(Self.sub3)
                try tx.insert(file)
                var records = [
                    Self.record(file.id, 1, Self.sub1, "12345678901234567890.5", status: .approved),
                    Self.record(file.id, 2, Self.sub1, "0.5", amount: "2.5", status: .approved),
                    Self.record(file.id, 3, Self.sub1, "1", amount: "-0.000000000000000001", status: .valid),
                    Self.record(file.id, 4, Self.sub3, "1.25", status: .approved),
                ]
                records += (5...14).map { Self.record(file.id, $0, Self.sub2, "999999999999999999", status: .approved) }
                try tx.appendUsageRecords(records, fileID: file.id)
            }
            let totals = try await Self.all(store, Self.vendor)
            #expect(totals.map(\.subscriptionID) == [Self.sub1.id, Self.sub2.id, Self.sub3.id])
            #expect(totals[0].consumedQuantity == Decimal("12345678901234567892"))
            #expect(totals[0].acceptedQuantity == Decimal("12345678901234567891"))
            #expect(totals[0].consumedAmount == Decimal("2.499999999999999999"))
            #expect(totals[0].acceptedAmount == Decimal("2.5"))
            #expect((totals[0].consumedRecords, totals[0].acceptedRecords) == (3, 2))
            #expect(totals[1].consumedQuantity == Decimal("9999999999999999990"))
            #expect((totals[1].consumedRecords, totals[1].acceptedRecords) == (10, 10))
            #expect(totals[2].consumedQuantity.description == "1.25")
            // One page at a time gives the same sums.
            let paged = try await Self.operations(store).totals(Self.vendor, Self.january, size: 1, after: totals[0].key)
            #expect(paged.totals == [totals[1]])
        }
    }

    // MARK: Bad input

    @Test(
        "the period is required, real, ordered and at most 366 days",
        arguments: [
            ("", "2026-01-31", ["period_from"]),
            ("", "", ["period_from", "period_to"]),
            ("2026-02-30", "2026-03-01", ["period_from"]),
            ("2026-1-01", "2026-01-31", ["period_from"]),
            ("2026-01-01", "2026-01-31T00:00:00Z", ["period_to"]),
            ("2026-02-01", "2026-01-31", ["period_to"]),
            ("2025-01-01", "2026-01-02", ["period_to"]),
        ])
    func badPeriods(from: String, to: String, fields: [String]) async throws {
        try await withWorld { store throws in
            let error = await expectDomainError(.invalidArgument) {
                _ = try await Self.all(store, Self.vendor, Query(periodFrom: from, periodTo: to))
            }
            #expect(error?.violations.map(\.field) == fields)
        }
    }

    @Test("a leap year is the longest period")
    func longestPeriod() async throws {
        try await withWorld { store throws in
            #expect(try await Self.all(store, Self.vendor, Query(periodFrom: "2024-01-01", periodTo: "2024-12-31")) == [])
            await expectDomainError(.invalidArgument) {
                _ = try await Self.all(store, Self.vendor, Query(periodFrom: "2024-01-01", periodTo: "2025-01-01"))
            }
            await expectDomainError(.permissionDenied) { _ = try await Self.all(store, .operator) }
        }
    }
}
