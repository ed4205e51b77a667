// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// One case per error class of SPEC §3.2: a row that is valid but for one thing, and the exact
// codes it must get. Every code of `UsageErrorCode` is produced by at least one case.

/// What a case changes in the world before validating.
enum UsageErrorSetup: Sendable {
    case none
    /// `r1` is already a record of another live file of the product.
    case recordIDInAnotherFile
    /// Two subscriptions of the file's contract share the parameter `tenant_id=tenant-twin`.
    case twinSubscriptions
    /// AS-1000-0000-0001 was terminated in February.
    case terminatedInFebruary
}

struct UsageErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    var schema: PPUSchema = .qt
    var dynamic = false
    var setup = UsageErrorSetup.none
    /// Changes to the default valid row; earlier rows, if any, are validated first.
    let rows: [[String: UsageCell]]
    let expected: [String]

    init(
        _ name: String, schema: PPUSchema = .qt, dynamic: Bool = false, setup: UsageErrorSetup = .none,
        _ changes: [String: UsageCell], before: [[String: UsageCell]] = [], expected: [String]
    ) {
        self.name = name
        self.schema = schema
        self.dynamic = dynamic
        self.setup = setup
        self.rows = before + [changes]
        self.expected = expected
    }

    var testDescription: String { name }
}

private let dynamicRow: [String: UsageCell] = [
    "item_search_value": .text("GPU-H"), "item_name": .text("GPU hours"), "item_mpn": .text("GPU-H"),
    "item_unit": .text("unith"), "item_precision": .text("decimal(1)"), "quantity": .number("7.5"),
]

private func with(_ base: [String: UsageCell], _ changes: [String: UsageCell]) -> [String: UsageCell] {
    base.merging(changes) { $1 }
}

@Suite struct UsageValidationErrorTests {
    static let cases: [UsageErrorCase] = [
        // record_id, record_note
        UsageErrorCase("record_id empty", ["record_id": .text("  ")], expected: ["record_id.required"]),
        UsageErrorCase(
            "record_id too long", ["record_id": .text(String(repeating: "x", count: 256))],
            expected: ["record_id.too_long"]),
        UsageErrorCase(
            "record_id repeated in the file", ["record_id": .text("same")], before: [["record_id": .text("same")]],
            expected: ["record_id.duplicate"]),
        UsageErrorCase(
            "record_id used by another live file", setup: .recordIDInAnotherFile, ["record_id": .text("r1")],
            expected: ["record_id.used_by_another_file"]),
        UsageErrorCase(
            "record_note too long", ["record_note": .text(String(repeating: "n", count: 2001))],
            expected: ["record_note.too_long"]),

        // item
        UsageErrorCase(
            "item_search_criteria empty", ["item_search_criteria": .empty],
            expected: ["item_search_criteria.required"]),
        UsageErrorCase(
            "item_search_criteria unknown", ["item_search_criteria": .text("item.name")],
            expected: ["item_search_criteria.unknown"]),
        UsageErrorCase(
            "item_search_value empty", ["item_search_value": .empty], expected: ["item_search_value.required"]),
        UsageErrorCase("unknown item", ["item_search_value": .text("NOPE")], expected: ["item.not_found"]),
        UsageErrorCase(
            "reservation item", ["item_search_value": .text("SEAT"), "quantity": .number("1")],
            expected: ["item.not_pay_as_you_go"]),
        UsageErrorCase(
            "dynamic item without a name", dynamic: true, with(dynamicRow, ["item_name": .empty]),
            expected: ["item_name.required"]),
        UsageErrorCase(
            "dynamic item with a long name", dynamic: true,
            with(dynamicRow, ["item_name": .text(String(repeating: "g", count: 256))]),
            expected: ["item_name.too_long"]),
        UsageErrorCase(
            "dynamic item whose MPN differs from the search value", dynamic: true,
            with(dynamicRow, ["item_mpn": .text("GPU-X")]), expected: ["item_mpn.mismatch"]),
        UsageErrorCase(
            "dynamic item without a unit", dynamic: true, with(dynamicRow, ["item_unit": .empty]),
            expected: ["item_unit.required"]),
        UsageErrorCase(
            "dynamic item without a precision", dynamic: true, with(dynamicRow, ["item_precision": .empty]),
            expected: ["item_precision.required"]),
        UsageErrorCase(
            "dynamic item with an unknown precision", dynamic: true,
            with(dynamicRow, ["item_precision": .text("decimal(3)")]), expected: ["item_precision.invalid"]),
        UsageErrorCase(
            "dynamic item the store refuses", dynamic: true, with(dynamicRow, ["item_unit": .text("parsec*h")]),
            expected: ["item.create_failed"]),

        // quantity
        UsageErrorCase("quantity empty", ["quantity": .empty], expected: ["quantity.required"]),
        UsageErrorCase("quantity as words", ["quantity": .text("ten")], expected: ["quantity.not_a_decimal"]),
        UsageErrorCase(
            "quantity as a boolean cell", ["quantity": .boolean(true)], expected: ["quantity.not_a_decimal"]),
        UsageErrorCase(
            "quantity 1e400 as text", ["quantity": .text("1e400")], expected: ["quantity.exponent_not_allowed"]),
        UsageErrorCase(
            "quantity 1e400 as a number cell", ["quantity": .number("1e400")], expected: ["quantity.overflow"]),
        UsageErrorCase("quantity NaN", ["quantity": .text("NaN")], expected: ["quantity.not_a_number"]),
        UsageErrorCase("quantity -0", ["quantity": .text("-0")], expected: ["quantity.negative_zero"]),
        UsageErrorCase(
            "quantity with 19 fractional digits", ["quantity": .text("0.1234567890123456789")],
            expected: ["quantity.too_many_fractional_digits"]),
        UsageErrorCase(
            "quantity with 39 digits", ["quantity": .text(String(repeating: "9", count: 39))],
            expected: ["quantity.overflow"]),
        UsageErrorCase("negative quantity", ["quantity": .text("-5")], expected: ["quantity.negative"]),
        UsageErrorCase("100.5 on an integer item", ["quantity": .number("100.5")], expected: ["quantity.precision"]),
        UsageErrorCase(
            "1.234567891 on a decimal(8) item",
            ["item_search_value": .text("REQ-8"), "quantity": .text("1.234567891")],
            expected: ["quantity.precision"]),

        // amount
        UsageErrorCase("PR amount empty", schema: .pr, [:], expected: ["amount.required"]),
        UsageErrorCase(
            "CR amount as words", schema: .cr, ["amount": .text("twelve")], expected: ["amount.not_a_decimal"]),
        UsageErrorCase(
            "PR amount with an exponent", schema: .pr, ["amount": .text("2.7E1")],
            expected: ["amount.exponent_not_allowed"]),
        UsageErrorCase("PR amount NaN", schema: .pr, ["amount": .text("nan")], expected: ["amount.not_a_number"]),
        UsageErrorCase("PR amount -0", schema: .pr, ["amount": .text("-0.00")], expected: ["amount.negative_zero"]),
        UsageErrorCase(
            "PR amount with 19 fractional digits", schema: .pr, ["amount": .text("1.0000000000000000001")],
            expected: ["amount.too_many_fractional_digits"]),
        UsageErrorCase(
            "PR amount with 39 digits", schema: .pr, ["amount": .text(String(repeating: "1", count: 39))],
            expected: ["amount.overflow"]),

        // tier
        UsageErrorCase("TR tier empty", schema: .tr, ["amount": .number("1")], expected: ["tier.required"]),
        UsageErrorCase(
            "TR tier 3", schema: .tr, ["amount": .number("1"), "tier": .number("3")], expected: ["tier.invalid"]),
        UsageErrorCase(
            "TR tier 1.5", schema: .tr, ["amount": .number("1"), "tier": .text("1.5")], expected: ["tier.invalid"]),
        UsageErrorCase(
            "TR tier 1 on a direct customer's subscription", schema: .tr,
            ["amount": .number("1"), "tier": .number("1"), "asset_search_value": .text("AS-1000-0000-0002")],
            expected: ["tier.not_on_subscription"]),

        // times
        UsageErrorCase("start empty", ["start_time_utc": .empty], expected: ["start_time_utc.required"]),
        UsageErrorCase(
            "start as words", ["start_time_utc": .text("1 March 2025")], expected: ["start_time_utc.invalid"]),
        UsageErrorCase(
            "start on 30 February", ["start_time_utc": .text("2025-02-30 00:00:00")],
            expected: ["start_time_utc.impossible"]),
        UsageErrorCase(
            "start at +02:00", ["start_time_utc": .text("2025-03-01T02:00:00+02:00")],
            expected: ["start_time_utc.not_utc"]),
        UsageErrorCase(
            "start before the period", ["start_time_utc": .text("2025-02-28 23:59:59")],
            expected: ["start_time_utc.before_period"]),
        UsageErrorCase("end empty", ["end_time_utc": .text("")], expected: ["end_time_utc.required"]),
        UsageErrorCase("end as a number", ["end_time_utc": .number("45747")], expected: ["end_time_utc.invalid"]),
        UsageErrorCase(
            "end at 24:00", ["end_time_utc": .text("2025-03-31 24:00:00")], expected: ["end_time_utc.impossible"]),
        UsageErrorCase(
            "end at -05:00", ["end_time_utc": .text("2025-03-31T10:00:00-05:00")], expected: ["end_time_utc.not_utc"]),
        UsageErrorCase(
            "end after the period", ["end_time_utc": .text("2025-04-01 00:00:00")],
            expected: ["end_time_utc.after_period"]),
        UsageErrorCase(
            "end equal to start", ["end_time_utc": .text("2025-03-01T00:00:00Z")],
            expected: ["end_time_utc.not_after_start"]),

        // subscription
        UsageErrorCase(
            "asset_search_criteria empty", ["asset_search_criteria": .empty],
            expected: ["asset_search_criteria.required"]),
        UsageErrorCase(
            "asset_search_criteria unknown", ["asset_search_criteria": .text("asset.name")],
            expected: ["asset_search_criteria.unknown"]),
        UsageErrorCase(
            "asset_search_value empty", ["asset_search_value": .empty], expected: ["asset_search_value.required"]),
        UsageErrorCase(
            "unknown subscription", ["asset_search_value": .text("AS-9999-9999-9999")],
            expected: ["subscription.not_found"]),
        UsageErrorCase(
            "another vendor's subscription", ["asset_search_value": .text("AS-3000-0000-0001")],
            expected: ["subscription.not_found"]),
        UsageErrorCase(
            "two subscriptions with the parameter", setup: .twinSubscriptions,
            ["asset_search_criteria": .text("parameter.tenant_id"), "asset_search_value": .text("tenant-twin")],
            expected: ["subscription.ambiguous"]),
        UsageErrorCase(
            "another product's subscription", ["asset_search_value": .text("AS-2000-0000-0002")],
            expected: ["subscription.other_product"]),
        UsageErrorCase(
            "another distributor's subscription", ["asset_search_value": .text("AS-2000-0000-0001")],
            expected: ["subscription.other_contract"]),
        UsageErrorCase(
            "subscription terminated before the record", setup: .terminatedInFebruary, [:],
            expected: ["subscription.inactive"]),

        // other columns
        UsageErrorCase("unknown category", ["category_id": .text("storage")], expected: ["category_id.not_found"]),
        UsageErrorCase(
            "asset_recon_id of another subscription", ["asset_recon_id": .text("tenant-b")],
            expected: ["asset_recon_id.mismatch"]),
        UsageErrorCase(
            "parameter value too long", ["region": .text(String(repeating: "r", count: 256))],
            expected: ["parameter.too_long"]),
    ]

    @Test(arguments: cases)
    func rowGetsExactlyItsErrors(_ errorCase: UsageErrorCase) throws {
        let lookup = ValidationWorld.lookup()
        switch errorCase.setup {
        case .none: break
        case .recordIDInAnotherFile: lookup.liveRecordIDs["r1"] = "UF-2025-02-0002-0002"
        case .twinSubscriptions:
            lookup.subscriptions += [
                ValidationWorld.subscription("AS-1000-0000-0008", tenant: "tenant-twin"),
                ValidationWorld.subscription("AS-1000-0000-0009", tenant: "tenant-twin"),
            ]
        case .terminatedInFebruary:
            lookup.subscriptions[0].history.append(
                StatusChange(
                    from: "active", to: "terminated", at: Timestamp(secondsSinceEpoch: 1_740_000_000),
                    actor: "PA-222-222"))
            lookup.subscriptions[0].status = .terminated
        }
        var validator = try ValidationWorld.validator(
            schema: errorCase.schema,
            product: ValidationWorld.product(schema: errorCase.schema, dynamic: errorCase.dynamic),
            lookup: lookup)
        var record: UsageRecord?
        for (index, changes) in errorCase.rows.enumerated() {
            record = try validator.validate(ValidationWorld.row(index + 1, changes))
        }
        let checked = try #require(record)
        #expect(checked.codes == errorCase.expected)
        #expect(checked.status == .invalid)
        for error in checked.errors {
            // The column is the code's subject; item and subscription errors are about the search value.
            let subject = String(error.code.prefix { $0 != "." })
            let column =
                switch subject {
                case "item": "item_search_value"
                case "subscription": "asset_search_value"
                case "parameter": "region"
                default: subject
                }
            #expect(error.column == column, "\(error.code)")
            #expect(error.message.contains(column), "\(error.message) names the column")
        }
        #expect(lookup.created.isEmpty, "an invalid row never creates an item")
    }

    @Test func everyCodeIsExercised() {
        let exercised = Set(Self.cases.flatMap(\.expected))
        let table = Set(UsageErrorCode.allCases.map(\.code))
        #expect(table.subtracting(exercised).sorted() == [])
        #expect(exercised.subtracting(table).sorted() == [])
    }

    @Test func codesAreStableDottedWords() {
        for code in UsageErrorCode.allCases {
            let parts = code.code.split(separator: ".")
            #expect(parts.count == 2, "\(code.code)")
            #expect(code.code.allSatisfy { $0.isLowercase || $0 == "_" || $0 == "." }, "\(code.code)")
        }
    }

    @Test func messagesNameTheValue() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let record = try validator.validate(
            ValidationWorld.row(
                1, ["quantity": .number("100.5"), "start_time_utc": .text("2025-03-01T00:00:00+02:00")]))
        #expect(record.codes == ["start_time_utc.not_utc", "quantity.precision"])
        #expect(record.errors[0].message.contains("\"2025-03-01T00:00:00+02:00\""))
        #expect(record.errors[1].message.contains("\"100.5\""))
        #expect(record.errors[1].message.contains("integer"))
    }

    @Test func everyErrorOfARowIsReported() throws {
        var validator = try ValidationWorld.validator(schema: .tr, lookup: ValidationWorld.lookup())
        let record = try validator.validate(
            ValidationWorld.row(
                1,
                [
                    "record_id": .empty, "item_search_value": .text("NOPE"), "quantity": .text("-1"),
                    "tier": .number("7"), "start_time_utc": .text("2025-02-01 00:00:00"),
                    "end_time_utc": .text("2025-04-30 00:00:00"), "asset_search_value": .text("AS-2000-0000-0001"),
                    "category_id": .text("none"),
                ]))
        #expect(
            record.codes == [
                "record_id.required", "start_time_utc.before_period", "end_time_utc.after_period",
                "quantity.negative", "amount.required", "tier.invalid", "item.not_found",
                "subscription.other_contract", "category_id.not_found",
            ])
        #expect(record.status == .invalid)
    }

    @Test func otherDistributorsSubscriptionLeaksNothing() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let record = try validator.validate(ValidationWorld.row(1, ["asset_search_value": .text("AS-2000-0000-0001")]))
        let message = try #require(record.errors.first).message
        #expect(!message.contains(ValidationWorld.otherContractID))
        #expect(!message.contains("PA-333-333"))
        #expect(!message.contains("tenant-other-distributor"))
        #expect(record.subscriptionID == nil, "a record never points at another contract's subscription")
    }

    @Test func duplicateNamesTheFirstRow() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        _ = try validator.validate(ValidationWorld.row(1, ["record_id": .text("dup")]))
        _ = try validator.validate(ValidationWorld.row(2, ["record_id": .text("other")]))
        let third = try validator.validate(ValidationWorld.row(3, ["record_id": .text(" dup ")]))
        #expect(third.codes == ["record_id.duplicate"])
        #expect(third.errors[0].message.contains("row 1"))
        #expect(third.recordID == "dup")
    }

    @Test func usedByAnotherFileNamesIt() throws {
        let lookup = ValidationWorld.lookup()
        lookup.liveRecordIDs = ["r1": "UF-2025-02-0002-0002", "r2": ValidationWorld.fileID]
        var validator = try ValidationWorld.validator(lookup: lookup)
        let first = try validator.validate(ValidationWorld.row(1))
        #expect(first.errors.first?.message.contains("UF-2025-02-0002-0002") == true)
        // The file's own earlier upload is being replaced, so its ids are free.
        #expect(try validator.validate(ValidationWorld.row(2)).status == .valid)
    }
}
