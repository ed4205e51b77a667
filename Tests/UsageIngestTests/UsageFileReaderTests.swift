// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

import Domain
import Spreadsheet
import Testing
import UsageIngest

@Suite struct UsageFileReaderTests {
    static let start = SpreadsheetDateTime(year: 2025, month: 3, day: 1)
    static let end = SpreadsheetDateTime(year: 2025, month: 3, day: 31, hour: 23, minute: 59, second: 59)

    @Test func readsAWorkbookBySheetName() throws {
        let scratch = ScratchDirectory()
        let bytes = try workbook([
            ("general", [texts("attribute_id", "attribute_value"), texts("product_id", "PRD-100-200-300")]),
            ("instructions", [texts("ignored")]),
            ("usage_records", [
                texts(" record_id ", "item_search_criteria", "item_search_value", "quantity", "start_time_utc",
                      "end_time_utc", "asset_search_criteria", "asset_search_value", "tenant"),
                [.text("r1"), .text("item.mpn"), .text("MPN-1"), .number("100"), .date(Self.start), .date(Self.end),
                 .text("asset.id"), .text("AS-1000-0000-0001"), .text("t-a")],
                [],
                [.text("r2"), .text("item.mpn"), .text("MPN-2"), .number("1E-3"), .text("2025-03-01 00:00:00"),
                 .date(SpreadsheetDateTime(year: 1900, month: 2, day: 29)), .text("asset.id"), .boolean(true)],
            ]),
            ("categories", [texts("category_id", "category_name"), texts("c1", "Compute"), texts("c2", "")]),
        ])
        let reader = try UsageFileReader(path: scratch.file("upload", bytes))
        #expect(reader.format == .xlsx)
        #expect(reader.columns.first == " record_id ")
        #expect(reader.columns.count == 9)
        #expect(reader.headerRow == 1)
        #expect(reader.categories == [
            UsageCategory(id: "c1", name: "Compute", description: ""), UsageCategory(id: "c2", name: "c2", description: ""),
        ])
        let rows = try allRows(reader)
        #expect(rows.map(\.position) == [2, 4])
        #expect(rows[0].cells == [
            .text("r1"), .text("item.mpn"), .text("MPN-1"), .number("100"),
            .date(Timestamp(secondsSinceEpoch: 1_740_787_200)), .date(Timestamp(secondsSinceEpoch: 1_743_465_599)),
            .text("asset.id"), .text("AS-1000-0000-0001"), .text("t-a"),
        ])
        #expect(rows[1].cells[3] == .number("1E-3"))
        #expect(rows[1].cells[4] == .text("2025-03-01 00:00:00"))
        #expect(rows[1].cells[5] == .text("1900-02-29 00:00:00"))
        #expect(rows[1].cells[7] == .boolean(true))
        // Rows can be read again from the start.
        #expect(try allRows(reader) == rows)
        // The header is what the domain expects.
        _ = try UsageHeader(columns: reader.columns, schema: .qt)
    }

    @Test func readsACSVFile() throws {
        let scratch = ScratchDirectory()
        let text = "\u{FEFF}" + qtHeader.joined(separator: ",") + "\r\n"
            + "r1,item.mpn,MPN-1,100,2025-03-01 00:00:00,2025-03-31 23:59:59,asset.id,AS-1\r\n\r\n"
            + "\"r,2\",item.mpn,\"multi\nline\",1.5,2025-03-01T00:00:00Z,2025-03-02 00:00:00,asset.id,AS-2\r\n"
        let reader = try UsageFileReader(path: scratch.file("upload.csv", text))
        #expect(reader.format == .csv)
        #expect(reader.columns == qtHeader)
        #expect(reader.categories == [])
        let rows = try allRows(reader)
        #expect(rows.map(\.position) == [2, 4])
        #expect(rows[1].cells[0] == .text("r,2"))
        #expect(rows[1].cells[2] == .text("multi\nline"))
        #expect(rows[1].cells[3] == .text("1.5"))
    }

    @Test func aBrokenCSVIsAFileError() throws {
        let scratch = ScratchDirectory()
        let path = try scratch.file("upload.csv", qtHeader.joined(separator: ",") + "\nr1,\"open,x\nr2,y\n")
        let reader = try UsageFileReader(path: path)
        let error = try #require(domainError { _ = try allRows(reader) })
        #expect(error.kind == .invalidArgument)
        #expect(error.message == "the CSV file cannot be read: line 2: a quoted field opened on this line is never closed")
        let utf8 = try scratch.file("bad.csv", Array("a,b\n".utf8) + [0xC3, 0x28, 0x0A])
        let invalid = try #require(domainError { _ = try allRows(UsageFileReader(path: utf8)) })
        #expect(invalid.message.contains("line 2"))
        #expect(invalid.message.contains("UTF-8"))
    }

    @Test func aWorkbookWithoutARecordsSheetIsRefused() throws {
        let scratch = ScratchDirectory()
        let path = try scratch.file("u", workbook([("general", [texts("a")]), ("Sheet1", [texts("record_id")])]))
        let error = try #require(domainError { _ = try UsageFileReader(path: path) })
        #expect(error.kind == .invalidArgument)
        #expect(error.message == "the workbook has no records sheet (named records or usage_records); its sheets are: general, Sheet1")
        let both = try scratch.file("b", workbook([("records", [texts("a")]), ("usage_records", [texts("a")])]))
        #expect(domainError { _ = try UsageFileReader(path: both) }?.message.contains("keep only one records sheet") == true)
    }

    @Test func anEmptyFileHasNoHeader() throws {
        let scratch = ScratchDirectory()
        let emptyCSV = try scratch.file("e.csv", "\r\n")
        #expect(domainError { _ = try UsageFileReader(path: emptyCSV) }?.message == "the CSV file is empty: it needs a header row")
        let emptySheet = try scratch.file("e.xlsx", workbook([("records", [[]])]))
        #expect(domainError { _ = try UsageFileReader(path: emptySheet) }?.message == "the records sheet is empty: it needs a header row")
    }

    @Test func aBadCategoriesSheetIsAFileError() throws {
        let scratch = ScratchDirectory()
        let path = try scratch.file("u", workbook([
            ("records", [texts("record_id")]), ("categories", [texts("category_id"), texts("c1"), texts("c1")]),
        ]))
        let error = try #require(domainError { _ = try UsageFileReader(path: path) })
        #expect(error.kind == .invalidArgument)
        #expect(error.message.contains("appears more than once"))
    }

    @Test func hostileArchivesAreFileErrors() throws {
        let scratch = ScratchDirectory()
        let good = try workbook([("records", [texts("record_id"), texts("r1")])])
        // Truncated at several points.
        for cut in [30, good.count / 2, good.count - 10] {
            let path = try scratch.file("cut\(cut).xlsx", Array(good.prefix(cut)))
            let error = try #require(domainError { _ = try allRows(UsageFileReader(path: path)) })
            #expect(error.kind == .invalidArgument)
            #expect(error.message.hasPrefix("the XLSX file cannot be read: "))
        }
        // Not an archive at all but starting like one.
        let fake = try scratch.file("fake.xlsx", Array("PK\u{3}\u{4} not really".utf8))
        #expect(domainError { _ = try UsageFileReader(path: fake) }?.kind == .invalidArgument)
        // Excel 97-2003.
        let xls = try scratch.file("old.xls", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0])
        #expect(domainError { _ = try UsageFileReader(path: xls) }?.message.contains("XLS") == true)
        // UTF-16 text.
        let utf16 = try scratch.file("u16.csv", [0xFF, 0xFE, 0x61, 0x00])
        #expect(domainError { _ = try UsageFileReader(path: utf16) }?.message.contains("UTF-16") == true)
    }

    @Test func aMissingFileIsTheServersProblem() {
        #expect(domainError { _ = try UsageFileReader(path: "/nonexistent/upload") }?.kind == .internalFailure)
    }

    @Test func formatDetection() throws {
        #expect(try UsageFileFormat.detect(head: [0x50, 0x4B, 3, 4, 0]) == .xlsx)
        #expect(try UsageFileFormat.detect(head: Array("record_id,".utf8)) == .csv)
        #expect(try UsageFileFormat.detect(head: []) == .csv)
    }
}
