// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

import Domain
import Spreadsheet
import Testing
import UsageIngest

@Suite struct UsageFileWriterTests {
    static let columns = qtHeader + ["tenant"]

    static let records = [
        UsageRecord(
            fileID: "UF-2025-03-0001-0001", position: 2, recordID: "r1",
            rawValues: ["r1", "item.mpn", "MPN-1", "100", "2025-03-01 00:00:00", "2025-03-31 23:59:59", "asset.id", "AS-1", "t-a"],
            status: .valid),
        UsageRecord(
            fileID: "UF-2025-03-0001-0001", position: 3, recordID: "r2",
            rawValues: ["r2", "item.mpn", "MPN-2", "3.257", "2025-03-01 00:00:00", "", "asset.id"],
            status: .invalid,
            errors: [
                UsageRecordError(code: "quantity.precision", column: "quantity", message: "quantity 3.257 has 3 decimals"),
                UsageRecordError(code: "end_time_utc.required", column: "end_time_utc", message: "end_time_utc is empty"),
            ]),
    ]

    @Test func processedWorkbookHasTheUploadPlusStatusAndErrors() throws {
        let writer = try UsageFileWriter.processedFile(
            sampleFile(columns: Self.columns), categories: [UsageCategory(id: "c1", name: "Compute", description: "d")],
            format: .xlsx)
        var bytes: [UInt8] = []
        for record in Self.records {
            try writer.append(record)
            bytes += writer.takeOutput()
        }
        bytes += try writer.finish()
        let book = try XLSXWorkbook(source: MemoryByteSource(bytes))
        #expect(book.sheets.map(\.name) == ["general", "categories", "records"])

        var records = try book.rows(of: book.sheet(named: "records")!)
        #expect(try records.next()?.cells == (Self.columns + ["status", "errors"]).map { .text($0) })
        let first = try #require(try records.next())
        #expect(first.cells[3] == .number("100"))
        #expect(first.cells[8] == .text("t-a"))
        #expect(first.cells[9] == .text("valid"))
        #expect(first.cells.count == 10)
        let second = try #require(try records.next())
        #expect(second.cells[3] == .number("3.257"))
        #expect(second.cells[5] == .empty)
        #expect(second.cells[9] == .text("invalid"))
        #expect(second.cells[10] == .text("quantity.precision: quantity 3.257 has 3 decimals\nend_time_utc.required: end_time_utc is empty"))
        #expect(try records.next() == nil)

        var general = try book.rows(of: book.sheet(named: "general")!)
        var attributes: [String: String] = [:]
        while let row = try general.next() { attributes[row.cells[0].displayText] = row.cells.count > 1 ? row.cells[1].displayText : "" }
        #expect(attributes["report_id"] == "UF-2025-03-0001-0001")
        #expect(attributes["report_start_time_utc"] == "2025-03-01 00:00:00")
        #expect(attributes["report_end_time_utc"] == "2025-03-31 23:59:59")
        #expect(attributes["usage_schema"] == "QT")
        #expect(attributes["invalid_records"] == "1")
        #expect(!attributes.values.contains("internal only"))

        var categories = try book.rows(of: book.sheet(named: "categories")!)
        _ = try categories.next()
        #expect(try categories.next()?.cells == texts("c1", "Compute", "d"))
    }

    @Test func processedCSVReadsBackAsAnUpload() throws {
        let scratch = ScratchDirectory()
        let path = scratch.path + "/processed.csv"
        let writer = try UsageFileWriter.processedFile(
            sampleFile(columns: Self.columns), categories: [], format: .csv, to: .file(path: path))
        for record in Self.records { try writer.append(record) }
        #expect(try writer.finish() == [])
        let reader = try UsageFileReader(path: path)
        #expect(reader.columns == Self.columns + ["status", "errors"])
        let rows = try allRows(reader)
        #expect(rows.count == 2)
        #expect(rows[1].cells[9] == .text("invalid"))
        #expect(rows[1].cells[10].text.contains("\n"))
    }

    @Test func aRecordStreamFileGetsTheTemplateColumns() throws {
        let record = UsageRecord(
            fileID: "UF-2025-03-0001-0001", position: 1, recordID: "s1", itemID: "PRD-100-200-300-0001",
            subscriptionID: "AS-1000-0000-0001", quantity: try Decimal(parsing: "12.50"), amount: try Decimal(parsing: "-3"),
            tier: 2, start: Timestamp(secondsSinceEpoch: 1_740_787_200), end: Timestamp(secondsSinceEpoch: 1_740_790_800),
            status: .valid)
        let writer = try UsageFileWriter.processedFile(sampleFile(columns: [], schema: .tr), categories: [], format: .csv)
        try writer.append(record)
        let text = String(decoding: try writer.finish(), as: UTF8.self)
        #expect(text == """
            record_id,record_note,item_search_criteria,item_search_value,quantity,amount,tier,start_time_utc,end_time_utc,\
            asset_search_criteria,asset_search_value,category_id,asset_recon_id,status,errors\r
            s1,,item.id,PRD-100-200-300-0001,12.50,-3,2,2025-03-01 00:00:00,2025-03-01 01:00:00,asset.id,AS-1000-0000-0001,,,valid,\r

            """)
    }

    @Test(arguments: [PPUSchema.qt, .pr, .cr, .tr])
    func templatesAreValidUploadHeaders(schema: PPUSchema) throws {
        let scratch = ScratchDirectory()
        for dynamic in [false, true] {
            let product = sampleProduct(schema: schema, dynamic: dynamic)
            for format in UsageFileFormat.allCases {
                let path = try scratch.file("template-\(dynamic)-\(format.rawValue)", UsageFileWriter.template(for: product, format: format))
                let reader = try UsageFileReader(path: path)
                #expect(reader.format == format)
                #expect(reader.columns == UsageFileWriter.templateColumns(for: product).map(\.name))
                #expect(try allRows(reader).isEmpty)
                _ = try UsageHeader(columns: reader.columns, schema: schema)
                #expect(reader.columns.contains("item_precision") == dynamic)
                #expect(reader.columns.contains("amount") == (schema != .qt))
                #expect(reader.columns.contains("tier") == (schema == .tr))
            }
        }
    }

    @Test func theXLSXTemplateHasTheConnectSheets() throws {
        let bytes = try UsageFileWriter.template(for: sampleProduct(schema: .qt), format: .xlsx)
        let book = try XLSXWorkbook(source: MemoryByteSource(bytes))
        #expect(book.sheets.map(\.name) == ["instructions", "general", "records", "categories"])
    }

    @Test(arguments: [("12.50", true), ("-3", true), ("0", true), ("1E-3", false), ("1.", false), (".5", false),
                      ("abc", false), ("", false), ("1234567890.123456", false)])
    func plainNumbers(text: String, plain: Bool) {
        let writer = try? UsageFileWriter.processedFile(sampleFile(columns: ["quantity"]), categories: [], format: .csv)
        #expect(writer != nil)
        #expect(UsageFileWriterTests.isPlain(text) == plain)
    }

    static func isPlain(_ text: String) -> Bool {
        // The processed workbook writes plain numbers as number cells and anything else as text.
        let writer = try! UsageFileWriter.processedFile(sampleFile(columns: ["quantity"]), categories: [], format: .xlsx)
        try! writer.append(UsageRecord(fileID: "f", position: 1, recordID: "r", rawValues: [text], status: .valid))
        let book = try! XLSXWorkbook(source: MemoryByteSource(try! writer.finish()))
        var rows = try! book.rows(of: book.sheet(named: "records")!)
        _ = try! rows.next()
        if case .number = try! rows.next()!.cells[0] { return true }
        return false
    }
}
