// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// SPEC §6 scenarios 2, 3, 4, 5 and 9 at the validator's level: the rows of each scenario through
// one validator per upload, with the store faked, and the file's status from the records.

/// Validates `rows` as one upload of a fresh validator and returns the records.
private func upload(
    _ rows: [UsageRow], schema: PPUSchema = .qt, product: Product? = nil, lookup: FakeUsageLookup
) throws -> [UsageRecord] {
    var validator = try ValidationWorld.validator(schema: schema, product: product, lookup: lookup)
    return try rows.map { try validator.validate($0) }
}

/// Runs the file through an upload with these records and returns its final status.
private func process(_ records: [UsageRecord], schema: PPUSchema = .qt) throws -> UsageFile {
    var file = ValidationWorld.file(schema: schema)
    let time = Timestamp(secondsSinceEpoch: 1_743_552_000)
    try file.beginUpload(at: time, by: ValidationWorld.vendorID)
    try file.beginProcessing(at: time, by: "system")
    let invalid = records.count { $0.status == .invalid }
    try file.finishProcessing(
        counts: UsageFileCounts(uploaded: records.count, valid: records.count - invalid, invalid: invalid),
        columns: ValidationWorld.columns, errorDetail: "", at: time, by: "system")
    return file
}

/// The three rows of scenario 1: Storage and vCPU on the two subscriptions.
private func scenarioOneRows(storage: String = "100", vcpu: String = "3.25") -> [UsageRow] {
    [
        ValidationWorld.row(1, ["quantity": .number(storage)]),
        ValidationWorld.row(
            2,
            [
                "item_search_criteria": .text("item.local_id"), "item_search_value": .text("PRD_100_200_300_0002"),
                "quantity": .text("12.50"), "asset_search_criteria": .text("parameter.tenant_id"),
                "asset_search_value": .text("tenant-b"),
            ]),
        ValidationWorld.row(3, ["item_search_value": .text("VCPU-MHZ-H"), "quantity": .number(vcpu)]),
    ]
}

@Suite struct UsageValidationScenarioTests {
    @Test func scenario1ThreeValidRecordsMakeAReadyFile() throws {
        let records = try upload(scenarioOneRows(), lookup: ValidationWorld.lookup())
        #expect(records.map(\.status) == [.valid, .valid, .valid])
        #expect(records.map(\.itemID) == ["PRD-100-200-300-0001", "PRD-100-200-300-0002", "PRD-100-200-300-0002"])
        #expect(records.map(\.subscriptionID) == ["AS-1000-0000-0001", "AS-1000-0000-0002", "AS-1000-0000-0001"])
        #expect(records[1].quantity?.description == "12.50", "the written precision is kept")
        #expect(records[1].assetReconID == "tenant-b")
        #expect(try process(records).status == .ready)
    }

    @Test func scenario2PrecisionErrorsMakeTheFileInvalid() throws {
        let records = try upload(scenarioOneRows(storage: "100.5", vcpu: "3.257"), lookup: ValidationWorld.lookup())
        #expect(records.map(\.status) == [.invalid, .valid, .invalid])
        #expect(records[0].codes == ["quantity.precision"])
        #expect(records[2].codes == ["quantity.precision"])
        #expect(records[0].errors[0].message.contains("\"100.5\""))
        #expect(records[2].errors[0].message.contains("decimal(2)"))
        #expect(records[0].quantity?.description == "100.5", "never rounded")
        var file = try process(records)
        #expect(file.status == .invalid)
        #expect(throws: DomainError.self) { try file.submit(at: Timestamp(secondsSinceEpoch: 0), by: "VA-111-111") }
    }

    @Test func scenario3UnknownItemUnknownAndForeignSubscriptionThenACorrectedUpload() throws {
        let lookup = ValidationWorld.lookup()
        let bad = try upload(
            [
                ValidationWorld.row(1, ["item_search_value": .text("NOPE")]),
                ValidationWorld.row(2, ["asset_search_value": .text("AS-9999-9999-9999")]),
                ValidationWorld.row(3, ["asset_search_value": .text("AS-2000-0000-0001")]),
            ], lookup: lookup)
        #expect(bad.map(\.codes) == [["item.not_found"], ["subscription.not_found"], ["subscription.other_contract"]])
        #expect(try process(bad).status == .invalid)

        // The corrected upload validates from scratch: the same record ids are fine again.
        let fixed = try upload(
            [ValidationWorld.row(1), ValidationWorld.row(2), ValidationWorld.row(3)], lookup: lookup)
        #expect(fixed.allSatisfy { $0.status == .valid })
        #expect(fixed.map(\.recordID) == ["r1", "r2", "r3"])
        #expect(try process(fixed).status == .ready)
    }

    @Test func scenario4DynamicItemCreatedWhenAllowedAndRefusedOtherwise() throws {
        let gpu: [String: UsageCell] = [
            "item_search_value": .text("GPU-H"), "item_name": .text("GPU hours"), "item_mpn": .text("GPU-H"),
            "item_unit": .text("unith"), "item_precision": .text("decimal(1)"), "quantity": .number("7.5"),
        ]
        let columns = ["item_name", "item_mpn", "item_unit", "item_precision"]

        let dynamic = ValidationWorld.lookup()
        let records = try upload(
            [ValidationWorld.row(1, gpu), ValidationWorld.row(2, gpu.merging(["quantity": .number("2")]) { $1 })],
            product: ValidationWorld.product(dynamic: true), lookup: dynamic)
        #expect(records.map(\.status) == [.valid, .valid])
        let created = try #require(dynamic.created.first)
        #expect(dynamic.created.count == 1, "later rows reuse the item")
        #expect(created.id == "PRD-100-200-300-0005")
        #expect(created.type == .ppu)
        #expect(created.dynamic)
        #expect(created.precision == .decimal1)
        #expect(created.unit == "unit*h")
        #expect(created.mpn == "GPU-H" && created.name == "GPU hours")
        #expect(records.map(\.itemID) == [created.id, created.id])
        #expect(try process(records).status == .ready)

        let plain = ValidationWorld.lookup()
        let refused = try upload(
            [ValidationWorld.row(1, gpu)], product: ValidationWorld.product(dynamic: false), lookup: plain)
        #expect(refused[0].codes == ["item.not_found"])
        #expect(refused[0].errors[0].message.contains("does not allow dynamic items"))
        #expect(plain.created.isEmpty)
        #expect(columns.allSatisfy { ValidationWorld.columns.contains($0) })
    }

    @Test func scenario4DynamicItemPrecisionIsCheckedBeforeItExists() throws {
        let lookup = ValidationWorld.lookup()
        let records = try upload(
            [
                ValidationWorld.row(
                    1,
                    [
                        "item_search_value": .text("GPU-H"), "item_name": .text("GPU hours"),
                        "item_unit": .text("unit*h"), "item_precision": .text("integer"), "quantity": .number("7.5"),
                    ])
            ], product: ValidationWorld.product(dynamic: true), lookup: lookup)
        #expect(records[0].codes == ["quantity.precision"])
        #expect(lookup.created.isEmpty, "an invalid row leaves no item behind")
    }

    /// Scenario 5's rows: A after the period, B before it, C ending before it starts, D at +02:00.
    private static let periodRows: [UsageRow] = [
        ValidationWorld.row(
            1, ["start_time_utc": .text("2025-04-05 00:00:00"), "end_time_utc": .text("2025-04-06 00:00:00")]),
        ValidationWorld.row(
            2, ["start_time_utc": .text("2025-02-20 00:00:00"), "end_time_utc": .text("2025-02-28 00:00:00")]),
        ValidationWorld.row(
            3, ["start_time_utc": .text("2025-03-10 00:00:00"), "end_time_utc": .text("2025-03-09 00:00:00")]),
        ValidationWorld.row(4, ["start_time_utc": .text("2025-03-01T00:00:00+02:00")]),
    ]

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func scenario5PeriodLateFutureAndUTC(late: Bool, future: Bool) throws {
        let records = try upload(
            Self.periodRows, product: ValidationWorld.product(future: future, late: late),
            lookup: ValidationWorld.lookup())
        #expect(records[0].codes == (future ? [] : ["end_time_utc.after_period"]))
        #expect(records[1].codes == (late ? [] : ["start_time_utc.before_period"]))
        #expect(records[2].codes == ["end_time_utc.not_after_start"])
        #expect(records[3].codes == ["start_time_utc.not_utc"])
        #expect(try process(records).status == .invalid)
    }

    @Test func scenario5PeriodBoundsAreInclusive() throws {
        let records = try upload(
            [
                ValidationWorld.row(
                    1,
                    [
                        "start_time_utc": .text("2025-03-01T00:00:00Z"),
                        "end_time_utc": .text("2025-03-31T23:59:59.999999+00:00"),
                    ]),
                ValidationWorld.row(
                    2,
                    [
                        "start_time_utc": .date(Timestamp(secondsSinceEpoch: 1_740_787_200)),  // 2025-03-01
                        "end_time_utc": .text("2025-03-31 9:00:00"),
                    ]),
            ], lookup: ValidationWorld.lookup())
        #expect(records.map(\.codes) == [[], []])
    }

    @Test func scenario9TierRatedEventAsThreeRows() throws {
        let event: [String: UsageCell] = ["quantity": .number("10")]
        let rows = [
            ValidationWorld.row(1, event.merging(["tier": .number("0"), "amount": .number("120.00")]) { $1 }),
            ValidationWorld.row(2, event.merging(["tier": .text("1"), "amount": .text("100.00")]) { $1 }),
            ValidationWorld.row(3, event.merging(["tier": .number("2"), "amount": .number("90")]) { $1 }),
        ]
        let records = try upload(
            rows, schema: .tr, product: ValidationWorld.product(schema: .tr), lookup: ValidationWorld.lookup())
        #expect(records.map(\.status) == [.valid, .valid, .valid])
        #expect(records.map(\.tier) == [0, 1, 2])
        #expect(records.map { $0.amount?.description } == ["120.00", "100.00", "90"])
        #expect(try process(records, schema: .tr).status == .ready)

        let bad = try upload(
            [
                ValidationWorld.row(1, event.merging(["tier": .number("3"), "amount": .number("10")]) { $1 }),
                ValidationWorld.row(2, event.merging(["tier": .number("1")]) { $1 }),
            ], schema: .tr, product: ValidationWorld.product(schema: .tr), lookup: ValidationWorld.lookup())
        #expect(bad.map(\.codes) == [["tier.invalid"], ["amount.required"]])
        #expect(try process(bad, schema: .tr).status == .invalid)
    }

    @Test func amountIsIgnoredForQuantityFilesAndMayBeNegativeOtherwise() throws {
        let qt = try upload(
            [ValidationWorld.row(1, ["amount": .text("not a number"), "tier": .text("9")])],
            lookup: ValidationWorld.lookup())
        #expect(qt[0].status == .valid)
        #expect(qt[0].amount == nil && qt[0].tier == nil)

        let credit = try upload(
            [ValidationWorld.row(1, ["amount": .text("-27.41")])], schema: .pr,
            product: ValidationWorld.product(schema: .pr),
            lookup: ValidationWorld.lookup())
        #expect(credit[0].status == .valid)
        #expect(credit[0].amount?.description == "-27.41")
    }
}
