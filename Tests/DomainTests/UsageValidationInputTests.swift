// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// The parts of validation below the rules: headers, cells, times, number cells, the record id
// set, the lookup memos and the categories sheet.

@Suite struct UsageValidationHeaderTests {
    @Test func columnsMatchByNameInAnyOrderAndCase() throws {
        let header = try UsageHeader(columns: [
            " Quantity ", "ASSET_SEARCH_VALUE", "asset_search_criteria", "end_time_utc", "Start_Time_UTC",
            "item_search_value", "item_search_criteria", "record_id", "", "v.region", "Notes",
        ])
        #expect(header.index(of: .quantity) == 0)
        #expect(header.index(of: .startTime) == 4)
        #expect(header.index(of: .recordID) == 7)
        #expect(header.index(of: .amount) == nil)
        #expect(header.parameterColumns.map(\.name) == ["v.region", "Notes"])
        #expect(header.parameterColumns.map(\.index) == [9, 10])
        #expect(header.columns[0] == "Quantity")
    }

    @Test func everyKnownColumnIsFound() throws {
        let header = try UsageHeader(columns: UsageColumn.allCases.reversed().map(\.name))
        for (offset, column) in UsageColumn.allCases.reversed().enumerated() {
            #expect(header.index(of: column) == offset, "\(column)")
        }
        #expect(header.parameterColumns.isEmpty)
    }

    @Test func missingRequiredColumnsAreNamed() {
        let error = #expect(throws: DomainError.self) {
            try UsageHeader(columns: ["record_id", "quantity"])
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("item_search_criteria, item_search_value") == true)
        #expect(error?.message.contains("start_time_utc") == true)
    }

    @Test(arguments: [PPUSchema.pr, .cr, .tr])
    func ratedSchemasNeedAnAmountColumn(schema: PPUSchema) {
        let base = UsageColumn.alwaysRequired.map(\.name)
        let error = #expect(throws: DomainError.self) { try UsageHeader(columns: base, schema: schema) }
        #expect(error?.message.contains("amount") == true)
        #expect(error?.message.contains(schema == .tr ? "amount, tier" : "amount is missing") == true)
        #expect((try? UsageHeader(columns: base, schema: .qt)) != nil)
    }

    @Test func repeatedColumnsAreRefused() {
        let columns = UsageColumn.alwaysRequired.map(\.name) + ["Quantity", "region", "REGION"]
        let error = #expect(throws: DomainError.self) { try UsageHeader(columns: columns) }
        #expect(error?.message.contains("\"Quantity\"") == true)
        #expect(error?.message.contains("\"REGION\"") == true)
    }

    @Test func rowsShorterThanTheHeaderReadAsEmpty() throws {
        let header = try ValidationWorld.header()
        let row = UsageRow(position: 1, cells: [.text("r1")])
        #expect(header.cell(.recordID, in: row) == .text("r1"))
        #expect(header.cell(.quantity, in: row) == .empty)
        #expect(UsageRow(position: 2, cells: [.empty, .text("  "), .number("")]).isBlank)
        #expect(!UsageRow(position: 2, cells: [.empty, .boolean(false)]).isBlank)
    }

    @Test func rawValuesAreTheRowAsUploaded() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let record = try validator.validate(
            ValidationWorld.row(
                4,
                [
                    "start_time_utc": .date(Timestamp(secondsSinceEpoch: 1_740_787_200)), "region": .text(" eu-west "),
                    "record_note": .boolean(true),
                ]))
        #expect(record.rawValues.count == ValidationWorld.columns.count)
        #expect(record.rawValues[ValidationWorld.columns.firstIndex(of: "start_time_utc")!] == "2025-03-01 00:00:00")
        #expect(record.rawValues[ValidationWorld.columns.firstIndex(of: "record_note")!] == "TRUE")
        #expect(record.parameters == [UsageParameter(name: "region", value: "eu-west")])
        #expect(record.position == 4)
        #expect(record.fileID == ValidationWorld.fileID)
    }
}

@Suite struct UsageValidationTimeTests {
    static let accepted: [(String, String)] = [
        ("2025-03-01 00:00:00", "2025-03-01T00:00:00.000000Z"),
        ("2020-02-25 9:21:39", "2020-02-25T09:21:39.000000Z"),
        ("2025-03-01T12:30:45", "2025-03-01T12:30:45.000000Z"),
        ("2025-03-01t12:30:45z", "2025-03-01T12:30:45.000000Z"),
        ("2025-03-01T12:30:45Z", "2025-03-01T12:30:45.000000Z"),
        ("2025-03-01T12:30:45+00:00", "2025-03-01T12:30:45.000000Z"),
        ("2025-03-01 12:30:45+0000", "2025-03-01T12:30:45.000000Z"),
        ("2025-03-01T12:30:45.5Z", "2025-03-01T12:30:45.500000Z"),
        ("2025-03-01T12:30:45.123456+00:00", "2025-03-01T12:30:45.123456Z"),
        ("2024-02-29 23:59:59", "2024-02-29T23:59:59.000000Z"),
        ("1969-12-31 23:59:59", "1969-12-31T23:59:59.000000Z"),
    ]

    @Test(arguments: accepted)
    func acceptedTimes(text: String, expected: String) throws {
        #expect(try UsageTime.parse(text).description == expected)
    }

    static let refused: [(String, String)] = [
        ("2025-03-01", "is not a time in UTC"),
        ("2025-03-01 00:00", "is not a time in UTC"),
        ("01/03/2025 00:00:00", "is not a time in UTC"),
        ("2025-3-01 00:00:00", "is not a time in UTC"),
        ("2025-03-01 00:00:00 ", "is not a time in UTC"),
        ("2025-03-01T00:00:00.1234567Z", "more than 6 fractional"),
        ("2025-03-01T00:00:00+02:00", "offset other than zero"),
        ("2025-03-01T00:00:00-00:30", "offset other than zero"),
        ("2026-02-29 00:00:00", "not a date that exists"),
        ("2025-02-30 00:00:00", "not a date that exists"),
        ("2025-13-01 00:00:00", "not a date that exists"),
        ("2025-03-00 00:00:00", "not a date that exists"),
        ("2025-03-01 24:00:00", "not a time of day"),
        ("2025-03-01 23:60:00", "not a time of day"),
        ("2025-03-01 23:59:60", "not a time of day"),
    ]

    @Test(arguments: refused)
    func refusedTimes(text: String, reason: String) {
        let error = #expect(throws: UsageTime.ParseError.self) { try UsageTime.parse(text) }
        #expect(error?.message.contains(reason) == true, "\(text): \(error?.message ?? "")")
    }

    @Test func formatIsTheTemplateLayout() {
        #expect(UsageTime.format(Timestamp(secondsSinceEpoch: 1_740_787_200)) == "2025-03-01 00:00:00")
        #expect(
            UsageTime.format(Timestamp(microsecondsSinceEpoch: 1_740_787_200_000_250)) == "2025-03-01 00:00:00.000250")
    }

    /// Every formatted time parses back to itself, before 1970 and at the ends of the years a
    /// text time can have, and agrees with the ISO form of `Timestamp.description`.
    @Test(arguments: [
        "1970-01-01 00:00:00", "1969-12-31 23:59:59.999999", "1900-02-28 12:34:56.000001", "2024-02-29 23:59:59",
        "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2000-10-09 08:07:06.543210",
    ])
    func formatRoundTrips(text: String) throws {
        let time = try UsageTime.parse(text)
        #expect(UsageTime.format(time) == text)
        let iso = time.description.dropLast().split(separator: "T").joined(separator: " ")
        #expect(text.contains(".") ? iso == text : iso == text + ".000000")
    }
}

@Suite struct UsageValidationNumberTests {
    /// Spreadsheet number literals and the exact value read.
    static let numberCells: [(String, String)] = [
        ("7", "7"), ("7.0", "7.0"), ("3.257", "3.257"), ("1E-3", "0.001"), ("1.5e3", "1500"), ("2.5E+2", "250"),
        ("1.25E1", "12.5"), ("-4E-2", "-0.04"), ("0E5", "0"), ("1e-18", "0.000000000000000001"),
        ("0.30000000000000004", "0.30000000000000004"),
    ]

    @Test(arguments: numberCells)
    func numberCellsAreReadExactly(literal: String, expected: String) throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let record = try validator.validate(
            ValidationWorld.row(1, ["item_search_value": .text("REQ-8"), "quantity": .number(literal)]))
        #expect(record.quantity?.description == expected)
    }

    static let refusedLiterals: [(String, String)] = [
        ("1e400", "quantity.overflow"), ("1e-400", "quantity.too_many_fractional_digits"),
        ("1e-19", "quantity.too_many_fractional_digits"), ("-0E3", "quantity.negative_zero"),
        ("1e", "quantity.not_a_decimal"), ("e5", "quantity.not_a_decimal"), ("1.e5", "quantity.not_a_decimal"),
        ("NaN", "quantity.not_a_number"), ("1E999999999999999999999", "quantity.not_a_decimal"),
        ("-1E2", "quantity.negative"),
    ]

    @Test(arguments: refusedLiterals)
    func refusedNumberCells(literal: String, code: String) throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let record = try validator.validate(
            ValidationWorld.row(1, ["item_search_value": .text("REQ-8"), "quantity": .number(literal)]))
        #expect(record.codes == [code])
        #expect(record.errors[0].message.contains("quantity"))
    }

    @Test func textQuantitiesAreTrimmedAndStrict() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        #expect(try validator.validate(ValidationWorld.row(1, ["quantity": .text(" 12 ")])).quantity == Decimal(12))
        #expect(
            try validator.validate(ValidationWorld.row(2, ["quantity": .text("+12")])).codes == [
                "quantity.not_a_decimal"
            ])
        #expect(
            try validator.validate(ValidationWorld.row(3, ["quantity": .text("1,5")])).codes == [
                "quantity.not_a_decimal"
            ])
        #expect(try validator.validate(ValidationWorld.row(4, ["quantity": .text("0")])).status == .valid)
        #expect(try validator.validate(ValidationWorld.row(5, ["quantity": .text("1.000")])).status == .valid)
    }
}

@Suite struct UsageValidationMemoryTests {
    @Test func recordIDsAreExactAcrossManyRows() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let total = 200_000
        var duplicates = 0
        for position in 1...total {
            // Every 1000th row repeats the id of row position - 500.
            let id = position % 1000 == 0 ? "rec-\(position - 500)" : "rec-\(position)"
            let record = try validator.validate(ValidationWorld.row(position, ["record_id": .text(id)]))
            if record.codes == ["record_id.duplicate"] {
                duplicates += 1
                #expect(record.errors[0].message.contains("row \(position - 500)"))
            } else {
                #expect(record.status == .valid)
            }
        }
        #expect(duplicates == total / 1000)
        #expect(validator.recordIDCount == total - total / 1000)
    }

    @Test func idsThatDifferOnlyInCaseOrUnicodeAreDistinct() throws {
        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup())
        let ids = ["a", "A", "é", "e\u{301}", "ñ-1", "", "日本"]
        let records = try ids.enumerated().map {
            try validator.validate(ValidationWorld.row($0 + 1, ["record_id": .text($1)]))
        }
        #expect(records.filter { $0.codes.contains("record_id.duplicate") }.isEmpty)
    }

    @Test func lookupsAreRememberedBetweenRows() throws {
        let lookup = ValidationWorld.lookup()
        var validator = try ValidationWorld.validator(lookup: lookup)
        for position in 1...500 {
            _ = try validator.validate(ValidationWorld.row(position))
            _ = try validator.validate(ValidationWorld.row(1000 + position, ["item_search_value": .text("NOPE")]))
        }
        #expect(lookup.itemQueries == 2)
        #expect(lookup.subscriptionQueries == 1)
    }

    /// Rows cycling through many searches, none repeating its predecessor, are answered from the
    /// memo: each distinct search reaches the store once.
    @Test func lookupsCyclingThroughManySearchesAreRemembered() throws {
        let lookup = ValidationWorld.lookup()
        var validator = try ValidationWorld.validator(lookup: lookup)
        for position in 1...600 {
            let value = position % 3 == 0 ? nil : "NOPE-\(position % 20)"
            let row = ValidationWorld.row(position, value.map { ["item_search_value": .text($0)] } ?? [:])
            let record = try validator.validate(row)
            #expect(record.status == (value == nil ? .valid : .invalid))
        }
        #expect(lookup.itemQueries == 21)  // 20 unknown MPNs and the known one
        #expect(lookup.subscriptionQueries == 1)
    }
}

@Suite struct UsageValidationCategoryTests {
    @Test func categoriesAreReadByHeaderName() throws {
        var sheet = try UsageCategorySheet(columns: ["Category_Description", "category_id", "category_name"])
        let first = try sheet.read(UsageRow(position: 2, cells: [.text("Compute"), .text("compute"), .text("CPU")]))
        #expect(first == UsageCategory(id: "compute", name: "CPU", description: "Compute"))
        let second = try sheet.read(UsageRow(position: 3, cells: [.empty, .number("7")]))
        #expect(second == UsageCategory(id: "7", name: "7", description: ""))
        #expect(try sheet.read(UsageRow(position: 4, cells: [.empty, .text(" ")])) == nil)
        #expect(sheet.categoryIDs == ["compute", "7"])

        var validator = try ValidationWorld.validator(lookup: ValidationWorld.lookup(), categories: sheet.categoryIDs)
        #expect(
            try validator.validate(ValidationWorld.row(1, ["category_id": .text("compute")])).categoryID == "compute")
        #expect(
            try validator.validate(ValidationWorld.row(2, ["category_id": .text("Compute")])).codes == [
                "category_id.not_found"
            ])
    }

    @Test func sheetErrorsNameTheRow() throws {
        #expect(throws: DomainError.self) { try UsageCategorySheet(columns: ["category_name"]) }
        #expect(throws: DomainError.self) { try UsageCategorySheet(columns: ["category_id", "CATEGORY_ID"]) }
        var sheet = try UsageCategorySheet(columns: ["category_id", "category_name"])
        _ = try sheet.read(UsageRow(position: 2, cells: [.text("a")]))
        let repeated = #expect(throws: DomainError.self) { try sheet.read(UsageRow(position: 3, cells: [.text("a")])) }
        #expect(repeated?.message.contains("categories row 3") == true)
        let empty = #expect(throws: DomainError.self) {
            try sheet.read(UsageRow(position: 4, cells: [.empty, .text("name only")]))
        }
        #expect(empty?.message.contains("category_id is empty") == true)
    }
}
