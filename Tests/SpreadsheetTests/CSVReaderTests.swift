// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

import Spreadsheet
import Testing

func csvRows(_ bytes: [UInt8], chunkSize: Int = 65_536, options: CSVOptions = CSVOptions()) throws(SpreadsheetError) -> [[String]] {
    var reader = CSVReader(source: MemoryChunkSource(bytes, chunkSize: chunkSize), options: options)
    var rows: [[String]] = []
    while let row = try reader.next() { rows.append(row.cells.map(\.displayText)) }
    return rows
}

func csvRows(_ text: String, chunkSize: Int = 65_536, options: CSVOptions = CSVOptions()) throws(SpreadsheetError) -> [[String]] {
    try csvRows(Array(text.utf8), chunkSize: chunkSize, options: options)
}

@Suite struct CSVReaderTests {
    static let text = "\u{FEFF}id,note,qty\r\n1,\"quoted, with comma\",2.5\r\n2,\"multi\nline \"\"quote\"\"\",\r\n\r\n3,plain \"inner\" quote,7\n,,\n4,last,9"
    static let expected = [
        ["id", "note", "qty"], ["1", "quoted, with comma", "2.5"], ["2", "multi\nline \"quote\"", ""],
        ["3", "plain \"inner\" quote", "7"], ["4", "last", "9"],
    ]

    @Test(arguments: [1, 2, 3, 7, 65_536])
    func readsRFC4180(chunkSize: Int) throws {
        #expect(try csvRows(Self.text, chunkSize: chunkSize) == Self.expected)
    }

    @Test func rowNumbersAreStartingLines() throws {
        var reader = CSVReader(source: MemoryChunkSource(Self.text))
        var lines: [Int] = []
        while let row = try reader.next() { lines.append(row.number) }
        #expect(lines == [1, 2, 3, 6, 8])
    }

    @Test func lineEndingsOfEveryKind() throws {
        #expect(try csvRows("a,b\rc,d\r\ne,f\n", chunkSize: 1) == [["a", "b"], ["c", "d"], ["e", "f"]])
        #expect(try csvRows("\"a\"\r\n\"b\"\r") == [["a"], ["b"]])
    }

    @Test func anUnbalancedQuoteNamesItsLine() {
        do {
            _ = try csvRows("a,b\nc,d\n\"open,e\nf,g\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "csv.unbalanced_quote")
            #expect(error.message.hasPrefix("line 3:"))
        }
    }

    @Test func textAfterAClosingQuoteIsAnError() {
        #expect(errorCode { () throws(SpreadsheetError) in _ = try csvRows("\"a\"b,c\n") } == "csv.malformed")
    }

    @Test func invalidUTF8NamesItsLine() {
        do {
            _ = try csvRows(Array("a,b\n".utf8) + [0x63, 0xE9, 0x2C, 0x64, 0x0A])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "csv.invalid_utf8")
            #expect(error.message.hasPrefix("line 2:"))
        }
    }

    @Test func limitsAreEnforced() {
        var options = CSVOptions()
        options.maximumFieldSize = 10
        #expect(errorCode { () throws(SpreadsheetError) in _ = try csvRows("a,\(String(repeating: "x", count: 11))\n", options: options) } == "csv.field_too_large")
        options = CSVOptions()
        options.maximumRowSize = 10
        #expect(errorCode { () throws(SpreadsheetError) in _ = try csvRows("abcdef,ghijkl\n", options: options) } == "csv.row_too_large")
        options = CSVOptions()
        options.maximumFields = 3
        #expect(errorCode { () throws(SpreadsheetError) in _ = try csvRows("a,b,c,d\n", options: options) } == "csv.too_many_fields")
        options = CSVOptions()
        options.maximumRows = 2
        #expect(errorCode { () throws(SpreadsheetError) in _ = try csvRows("a\nb\nc\n", options: options) } == "csv.too_many_rows")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try csvRows("a\nb\n", options: options) } == nil)
    }

    @Test func emptyInputHasNoRows() throws {
        #expect(try csvRows("") == [])
        #expect(try csvRows("\r\n\n") == [])
        #expect(try csvRows("\"\"") == [])
    }

    @Test func writerOutputReadsBack() throws {
        let rows = [["plain", "with,comma", "with \"quote\""], ["line\nbreak", "", "cr\r"], ["ünï", " space ", "="]]
        let writer = CSVWriter(sink: MemoryByteSink())
        for row in rows { try writer.appendRow(row) }
        try writer.finish()
        #expect(String(decoding: writer.sink.bytes, as: UTF8.self).hasPrefix("plain,\"with,comma\",\"with \"\"quote\"\"\"\r\n"))
        #expect(try csvRows(writer.sink.bytes, chunkSize: 5) == rows)
    }

    @Test func writerFormatsCells() throws {
        let writer = CSVWriter(sink: MemoryByteSink())
        try writer.appendRow([.text("a"), .number("1.50"), .date(SpreadsheetDateTime(year: 2025, month: 1, day: 2, hour: 3)), .boolean(true), .empty])
        try writer.finish()
        #expect(String(decoding: writer.sink.bytes, as: UTF8.self) == "a,1.50,2025-01-02 03:00:00,TRUE,\r\n")
    }
}
