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
            case .startElement where parser.name == "row":
                let number = parser.attribute("r").flatMap { Int($0) } ?? lastRowNumber + 1
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
            case .endElement where parser.name == "sheetData":
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
        var nextColumn = 0
        while true {
            switch try parser.next() {
            case .startElement where parser.name == "c":
                var column = nextColumn
                if let reference = parser.attribute("r") {
                    guard let index = CellReference.columnIndex(reference) else {
                        throw error("xlsx.bad_reference", "cell reference \(reference) in row \(number) is not valid")
                    }
                    column = index
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
            case .endElement where parser.name == "row":
                return SpreadsheetRow(number: number, cells: cells)
            case .endOfDocument:
                throw error("xlsx.truncated", "the sheet ends inside row \(number)")
            default:
                continue
            }
        }
    }

    /// Reads one `<c>` element (the parser is just past its start tag) through its end.
    private mutating func readCell(row: Int, column: Int) throws(SpreadsheetError) -> SpreadsheetCell {
        let type = parser.attribute("t") ?? "n"
        let style = parser.attribute("s").flatMap { Int($0) } ?? 0
        var value: String?
        var inline: String?
        var inValue = false
        var inInlineText = false
        var phoneticDepth = 0
        let depth = parser.depth
        while true {
            let token = try parser.next()
            switch token {
            case .startElement:
                switch parser.name {
                case "v": inValue = true
                case "t" where phoneticDepth == 0: inInlineText = true
                case "rPh": phoneticDepth += 1
                case "f": try parser.skipElement()
                default: break
                }
            case .endElement:
                if parser.depth < depth { return try makeCell(type: type, style: style, value: value, inline: inline, row: row, column: column) }
                switch parser.name {
                case "v": inValue = false
                case "t": inInlineText = false
                case "rPh": phoneticDepth -= 1
                default: break
                }
            case .text:
                if inValue {
                    value = (value ?? "") + (try parser.text())
                } else if inInlineText {
                    inline = (inline ?? "") + (try parser.text())
                }
            case .endOfDocument:
                throw error("xlsx.truncated", "the sheet ends inside cell \(CellReference.columnName(column))\(row)")
            }
        }
    }

    private func makeCell(
        type: String, style: Int, value: String?, inline: String?, row: Int, column: Int
    ) throws(SpreadsheetError) -> SpreadsheetCell {
        switch type {
        case "s":
            guard let value else { return .empty }
            guard let index = Int(value.trimmingSpaces()), let text = sharedStrings[index] else {
                throw error(
                    "xlsx.bad_shared_string",
                    "cell \(CellReference.columnName(column))\(row) refers to shared string \(value), which does not exist"
                )
            }
            return .text(text)
        case "inlineStr":
            return inline.map { .text($0) } ?? value.map { .text($0) } ?? .empty
        case "str":
            return value.map { .text($0) } ?? .empty
        case "b":
            guard let value else { return .empty }
            return .boolean(value.trimmingSpaces() == "1" || value.trimmingSpaces().lowercased() == "true")
        case "e":
            return value.map { .error($0) } ?? .empty
        case "d":
            guard let value else { return .empty }
            return ISODateTime.parse(value).map { .date($0) } ?? .text(value)
        default:
            guard let value else { return .empty }
            let literal = value.trimmingSpaces()
            guard !literal.isEmpty else { return .empty }
            if numberFormats.isDate(style: style), let date = ExcelSerialDate.dateTime(serial: literal, date1904: date1904) {
                return .date(date)
            }
            return .number(literal)
        }
    }

    private func error(_ code: String, _ detail: String) -> SpreadsheetError {
        SpreadsheetError(code: code, message: "sheet \(sheetName): \(detail)")
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs and line breaks.
    func trimmingSpaces() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { !XMLPullParser<MemoryChunkSource>.isWhitespace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !XMLPullParser<MemoryChunkSource>.isWhitespace($0) })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}
