// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain
import Testing

@Suite("Usage total sums and periods")
struct UsageTotalTests {
    static let key = UsageTotal.Key(subscriptionID: "AS-0000-0000-0001", itemID: "PRD-000-000-001-0001")

    @Test("sums are exact and keep the widest scale; only accepted records add to the accepted side")
    func exactSums() throws {
        var total = UsageTotal(key: Self.key, productID: "PRD-000-000-001")
        try total.add(quantity: Decimal("0.1"), amount: Decimal("-12.50"), accepted: true)
        try total.add(quantity: Decimal("0.2"), amount: nil, accepted: false)
        try total.add(quantity: Decimal("0.00000001"), amount: Decimal("1"), accepted: true)
        #expect(total.consumedQuantity.description == "0.30000001")
        #expect(total.acceptedQuantity.description == "0.10000001")
        #expect(total.consumedAmount.description == "-11.50")
        #expect(total.acceptedAmount.description == "-11.50")
        #expect((total.consumedRecords, total.acceptedRecords) == (3, 2))
    }

    @Test("a sum beyond 38 digits is RESOURCE_EXHAUSTED, never a wrapped value")
    func overflow() throws {
        var total = UsageTotal(key: Self.key, productID: "PRD-000-000-001")
        let huge = try #require(Decimal(String(repeating: "9", count: 38)))
        try total.add(quantity: huge, amount: nil, accepted: true)
        let error = #expect(throws: DomainError.self) { try total.add(quantity: huge, amount: nil, accepted: true) }
        #expect(error?.kind == .resourceExhausted)
        #expect(total.consumedQuantity == huge, "a failed add changed the total")
    }

    @Test("keys order by subscription id, then item id, byte by byte as the store sorts")
    func keyOrder() {
        let keys = [
            UsageTotal.Key(subscriptionID: "AS-2", itemID: "PRD-1-0001"),
            UsageTotal.Key(subscriptionID: "AS-10", itemID: "PRD-1-0002"),
            UsageTotal.Key(subscriptionID: "AS-10", itemID: "PRD-1-0001"),
        ]
        #expect(keys.sorted().map(\.description) == ["AS-10/PRD-1-0001", "AS-10/PRD-1-0002", "AS-2/PRD-1-0001"])
    }

    @Test(
        "periods: both days required and real, in order, at most 366 days counting both",
        arguments: [
            ("2024-01-01", "2024-12-31", [String]()),
            ("2026-01-31", "2026-01-31", []),
            ("2025-01-01", "2026-01-01", []),
            ("2025-01-01", "2026-01-02", ["period_to"]),
            ("", "", ["period_from", "period_to"]),
            ("2026-13-01", "2026-01-01", ["period_from"]),
            ("2026-01-02", "2026-01-01", ["period_to"]),
        ])
    func periods(from: String, to: String, fields: [String]) {
        var validation = Validation()
        UsageTotalsOperations.validate(UsageTotalsOperations.Query(periodFrom: from, periodTo: to), into: &validation)
        #expect(validation.violations.map(\.field) == fields)
    }
}
