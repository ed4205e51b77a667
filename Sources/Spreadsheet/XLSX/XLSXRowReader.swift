// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Streams the rows of one worksheet as arrays of cells.
///
/// Cells are placed by their `r` reference (a missing reference means the next column), gaps are
/// `.empty`, and rows with no value at all are skipped. Shared strings are resolved, number
/// cells keep their literal text, and numbers with a date style become `.date`.
public struct XLSXRowReader {
    private var parser: XMLPullParser<ZipEntryStream>
    public let sheetName: String
    private let sharedStrings: SharedStrings
    private let numberFormats: NumberFormats
    private let date1904: Bool
    private let maximumRows: Int?
    private var rowsRead = 0
    private var lastRowNumber = 0
    private var finished = false
    /// The previous row's width, to size the next row's array in one allocation.
    private var lastWidth = 8

    init(parser: XMLPullParser<ZipEntryStream>, sheetName: String, workbook: XLSXWorkbook) {
        self.parser = parser
        self.sheetName = sheetName
        self.sharedStrings = workbook.sharedStrings
        self.numberFormats = workbook.numberFormats
        self.date1904 = workbook.date1904
        self.maximumRows = workbook.limits.maximumRows
    }

    /// How many non-blank rows have been returned.
    public var rowCount: Int { rowsRead }

    /// The next row with at least one value, or nil at the end of the sheet.
    public mutating func next() throws(SpreadsheetError) -> SpreadsheetRow? {
        while !finished {
            switch try parser.next() {
            case .startElement where parser.isName("row"):
                let number: Int = (parser.withPlainAttribute("r") { $0.flatMap(Self.integer) } ?? nil) ?? lastRowNumber + 1
                guard number > lastRowNumber else {
                    throw error("xlsx.row_order", "row \(number) follows row \(lastRowNumber)")
                }
                lastRowNumber = number
                let row = try readRow(number)
                guard !row.isBlank else { continue }
                rowsRead += 1
                if let maximumRows, rowsRead > maximumRows {
                    throw error("xlsx.too_many_rows", "the sheet has more than \(maximumRows) rows")
                }
                return row
            case .endElement where parser.isName("sheetData"):
                finished = true
            case .endOfDocument:
                finished = true
            default:
                continue
            }
        }
        return nil
    }

    private mutating func readRow(_ number: Int) throws(SpreadsheetError) -> SpreadsheetRow {
        var cells: [SpreadsheetCell] = []
        cells.reserveCapacity(lastWidth)
        var nextColumn = 0
        while true {
            switch try parser.next() {
            case .startElement where parser.isName("c"):
                var column = nextColumn
                let reference: CellPlace = parser.withPlainAttribute("r") { bytes in
                    guard let bytes else { return .next }
                    return Self.column(bytes).map { .column($0) } ?? .invalid
                } ?? .invalid
                switch reference {
                case .next:
                    break
                case .column(let index):
                    column = index
                case .invalid:
                    let text = try parser.attribute("r") ?? ""
                    throw error("xlsx.bad_reference", "cell reference \(text) in row \(number) is not valid")
                }
                guard column < CellReference.maximumColumns else {
                    throw error("xlsx.bad_reference", "row \(number) has more than \(CellReference.maximumColumns) columns")
                }
                let cell = try readCell(row: number, column: column)
                if column < cells.count {
                    cells[column] = cell
                } else {
                    while cells.count < column { cells.append(.empty) }
                    cells.append(cell)
                }
                nextColumn = column + 1
            case .endElement where parser.isName("row"):
                lastWidth = cells.count
                return SpreadsheetRow(number: number, cells: cells)
            case .endOfDocument:
                throw error("xlsx.truncated", "the sheet ends inside row \(number)")
            default:
                continue
            }
        }
    }

    /// Where a cell's `r` attribute puts it.
    private enum CellPlace {
        case next, column(Int), invalid
    }

    private enum CellType {
        case number, shared, inline, formula, boolean, error, date
    }

    /// Reads one `<c>` element (the parser is just past its start tag) through its end.
    private mutating func readCell(row: Int, column: Int) throws(SpreadsheetError) -> SpreadsheetCell {
        let type = try cellType(row: row, column: column)
        let style: Int = (parser.withPlainAttribute("s") { $0.flatMap(Self.integer) } ?? nil) ?? 0
        var value: [UInt8]?
        var inline: String?
        var inValue = false
        var inInlineText = false
        var phoneticDepth = 0
        let depth = parser.depth
        while true {
            switch try parser.next() {
            case .startElement:
                if parser.isName("v") {
                    inValue = true
                } else if parser.isName("t") {
                    inInlineText = phoneticDepth == 0
                } else if parser.isName("rPh") {
                    phoneticDepth += 1
                } else if parser.isName("f") {
                    try parser.skipElement()
                }
            case .endElement:
                if parser.depth < depth {
                    return try makeCell(type: type, style: style, value: value, inline: inline, row: row, column: column)
                }
                if parser.isName("v") {
                    inValue = false
                } else if parser.isName("t") {
                    inInlineText = false
                } else if parser.isName("rPh") {
                    phoneticDepth -= 1
                }
            case .text:
                if inValue {
                    if value == nil { value = parser.textUTF8 } else { value!.append(contentsOf: parser.textUTF8) }
                } else if inInlineText {
                    inline = (inline ?? "") + (try parser.text())
                }
            case .endOfDocument:
                throw error("xlsx.truncated", "the sheet ends inside cell \(CellReference.columnName(column))\(row)")
            }
        }
    }

    private func cellType(row: Int, column: Int) throws(SpreadsheetError) -> CellType {
        let type: CellType?? = parser.withPlainAttribute("t") { bytes -> CellType? in
            guard let bytes else { return .number }
            switch bytes.count {
            case 1:
                switch bytes[0] {
                case UInt8(ascii: "s"): return .shared
                case UInt8(ascii: "n"): return .number
                case UInt8(ascii: "b"): return .boolean
                case UInt8(ascii: "e"): return .error
                case UInt8(ascii: "d"): return .date
                default: return nil
                }
            // Byte comparisons, not `elementsEqual` over a string's UTF-8 view: openpyxl and others
            // mark every text cell `inlineStr`, so this runs per cell.
            case 3 where Self.equals(bytes, "str"):
                return .formula
            case 9 where Self.equals(bytes, "inlineStr"):
                return .inline
            default:
                return nil
            }
        }
        guard let known = type ?? nil else {
            let text = try parser.attribute("t") ?? ""
            throw error("xlsx.bad_cell_type", "cell \(CellReference.columnName(column))\(row) has the unknown type \(text)")
        }
        return known
    }

    private func makeCell(
        type: CellType, style: Int, value: [UInt8]?, inline: String?, row: Int, column: Int
    ) throws(SpreadsheetError) -> SpreadsheetCell {
        if type == .inline { return inline.map { .text($0) } ?? .empty }
        guard let value else { return .empty }
        if type == .shared {
            guard let index = value.withUnsafeBufferPointer(Self.integer), let text = sharedStrings[index] else {
                throw error(
                    "xlsx.bad_shared_string",
                    "cell \(CellReference.columnName(column))\(row) refers to shared string "
                        + "\(String(decoding: value, as: UTF8.self)), which does not exist"
                )
            }
            return .text(text)
        }
        guard let text = UTF8Text.string(value) else {
            throw error("xlsx.invalid_utf8", "cell \(CellReference.columnName(column))\(row) is not valid UTF-8")
        }
        switch type {
        case .formula:
            return .text(text)
        case .boolean:
            let flag = text.trimmingSpaces()
            return .boolean(flag == "1" || flag.lowercased() == "true")
        case .error:
            return .error(text)
        case .date:
            return ISODateTime.parse(text.trimmingSpaces()).map { .date($0) } ?? .text(text)
        default:
            let literal = text.trimmingSpaces()
            guard !literal.isEmpty else { return .empty }
            if numberFormats.isDate(style: style), let date = ExcelSerialDate.dateTime(serial: literal, date1904: date1904) {
                return .date(date)
            }
            return .number(literal)
        }
    }

    /// Whether the bytes are exactly the ASCII literal.
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
        return true
    }

    /// A non-negative decimal integer (surrounding spaces allowed), or nil.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        for byte in bytes {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                guard digits < 18 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            } else if !XMLBytes.isWhitespace(byte) {
                return nil
            }
        }
        return digits > 0 ? value : nil
    }

    /// The 0-based column of an A1 reference, or nil.
    static func column(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var column = 0
        var letters = 0
        for byte in bytes {
            let upper = byte & ~0x20
            guard upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(upper - UInt8(ascii: "A")) + 1
            letters += 1
            guard letters <= 3 else { return nil }
        }
        guard letters > 0, column <= CellReference.maximumColumns else { return nil }
        return column - 1
    }

    private func error(_ code: String, _ detail: String) -> SpreadsheetError {
        SpreadsheetError(code: code, message: "sheet \(sheetName): \(detail)")
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs and line breaks.
    func trimmingSpaces() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { !XMLBytes.isWhitespace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !XMLBytes.isWhitespace($0) })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}
