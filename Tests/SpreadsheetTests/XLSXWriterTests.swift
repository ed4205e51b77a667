// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

import Spreadsheet
import Testing

@Suite struct XLSXWriterTests {
    static let rows: [[SpreadsheetCell]] = [
        [.text("record_id"), .text("quantity"), .text("start_time_utc"), .text("flag"), .text("note")],
        [.text("r-1"), .number("12.50"), .date(SpreadsheetDateTime(year: 2025, month: 3, day: 1, hour: 10, minute: 5, second: 7)),
         .boolean(true), .text("  spaced & <escaped> \"text\" ")],
        [.text("r-2"), .number("-0.00000001"), .date(SpreadsheetDateTime(year: 2025, month: 3, day: 31, hour: 23, minute: 59, second: 59)),
         .boolean(false), .text("line\nbreak, ünïcödé ✓")],
        [.empty, .number("1E-3"), .empty, .empty, .text("control \u{1} char")],
    ]

    func write(_ options: XLSXWriter<MemoryByteSink>.Options) throws(SpreadsheetError) -> [UInt8] {
        let writer = XLSXWriter(sink: MemoryByteSink(), options: options)
        try writer.beginSheet("records", columnWidths: [20, 12])
        for (index, row) in Self.rows.enumerated() { try writer.appendRow(row, bold: index == 0) }
        try writer.beginSheet("categories")
        try writer.appendRow([.text("category_id"), .text("category_name")])
        try writer.appendRow([.text("c1"), .text("record_id")])
        try writer.finish()
        return writer.sink.bytes
    }

    @Test(arguments: [false, true])
    func writtenWorkbooksReadBack(sharedStrings: Bool) throws {
        var options = XLSXWriter<MemoryByteSink>.Options()
        options.sharedStrings = sharedStrings
        let workbook = try XLSXWorkbook(source: MemoryByteSource(write(options)))
        #expect(workbook.sheets.map(\.name) == ["records", "categories"])
        let records = try allRows(workbook, "records")
        var expected = Self.rows
        expected[3][4] = .text("control _x0001_ char")
        #expect(records.map(\.cells) == expected.map { row in
            var row = row
            while row.last == .empty { row.removeLast() }
            return row
        })
        #expect(records.map(\.number) == [1, 2, 3, 4])
        #expect(try allRows(workbook, "categories").map(\.cells) == [
            [.text("category_id"), .text("category_name")], [.text("c1"), .text("record_id")],
        ])
    }

    @Test func datesRoundTripIn1904Mode() throws {
        var options = XLSXWriter<MemoryByteSink>.Options()
        options.date1904 = true
        let workbook = try XLSXWorkbook(source: MemoryByteSource(write(options)))
        #expect(workbook.date1904)
        #expect(try allRows(workbook, "records")[1].cells[2] == Self.rows[1][2])
    }

    @Test func aLargeSheetStreams() throws {
        let writer = XLSXWriter(sink: MemoryByteSink())
        try writer.beginSheet("records")
        for index in 0..<20_000 {
            try writer.appendRow([.text("record-\(index)"), .number("\(index).25"), .text("item.mpn")])
        }
        try writer.finish()
        let workbook = try XLSXWorkbook(source: MemoryByteSource(writer.sink.bytes))
        var reader = try workbook.rows(of: workbook.sheets[0])
        var count = 0
        while let row = try reader.next() {
            #expect(row.cells[1] == .number("\(count).25"))
            count += 1
        }
        #expect(count == 20_000)
    }

    @Test func nonNumericLiteralsAreWrittenAsText() throws {
        let writer = XLSXWriter(sink: MemoryByteSink())
        try writer.beginSheet("s")
        try writer.appendRow([.number("NaN"), .number("1e400"), .number("1.5.2"), .number("")])
        try writer.finish()
        let workbook = try XLSXWorkbook(source: MemoryByteSource(writer.sink.bytes))
        #expect(try allRows(workbook, "s")[0].cells == [.text("NaN"), .number("1e400"), .text("1.5.2")])
    }

    @Test func sheetNamesFollowExcelRules() {
        let writer = XLSXWriter(sink: MemoryByteSink())
        #expect(errorCode { () throws(SpreadsheetError) in try writer.beginSheet("a/b") } == "xlsx.bad_sheet_name")
        #expect(errorCode { () throws(SpreadsheetError) in try writer.beginSheet(String(repeating: "x", count: 32)) } == "xlsx.bad_sheet_name")
        #expect(errorCode { () throws(SpreadsheetError) in
            try writer.beginSheet("records")
            try writer.beginSheet("RECORDS")
        } == "xlsx.bad_sheet_name")
    }

    @Test func anEmptyWorkbookStillHasASheet() throws {
        let writer = XLSXWriter(sink: MemoryByteSink())
        try writer.finish()
        let workbook = try XLSXWorkbook(source: MemoryByteSource(writer.sink.bytes))
        #expect(workbook.sheets.map(\.name) == ["Sheet1"])
    }
}
