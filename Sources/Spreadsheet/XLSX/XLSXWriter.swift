// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Writes an XLSX workbook row by row, straight into a deflated ZIP stream.
///
/// Sheets are written one after another; each row goes out as soon as the buffer fills, so a
/// processed file of a million records needs no more memory than one buffer (with inline
/// strings, the default; the shared-string option keeps each distinct string until `finish()`).
/// The workbook parts that list the sheets are written last, which ZIP's central directory allows.
public final class XLSXWriter<Sink: ByteSink> {
    public struct Options: Sendable {
        /// Store text in a shared-string table (smaller files with repeated text) instead of inline.
        public var sharedStrings = false
        /// Count serial dates from 1904 instead of 1900.
        public var date1904 = false
        /// zlib level, 1 (fastest) to 9 (smallest).
        public var compressionLevel: Int32 = 6

        public init() {}
    }

    private let zip: ZipWriter<Sink>
    private let options: Options
    private var sheetNames: [String] = []
    private var buffer: [UInt8] = []
    private var rowNumber = 0
    private var sheetOpen = false
    private var finished = false
    private var columnNames: [[UInt8]] = []
    private var stringIndex: [String: Int] = [:]
    private var strings: [String] = []
    private var stringReferences = 0

    static var flushThreshold: Int { 64 << 10 }
    static var dateStyle: Int { 1 }
    static var boldStyle: Int { 2 }

    public init(sink: Sink, options: Options = Options()) {
        self.zip = ZipWriter(sink: sink, compressionLevel: options.compressionLevel)
        self.options = options
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// The sink, holding a complete workbook once `finish()` has returned.
    public var sink: Sink { zip.sink }

    /// Starts a new sheet (ending the previous one). Names follow Excel's rules: 1–31 characters,
    /// none of `[]:*?/\`, unique regardless of case. Widths are in characters, from column A on.
    public func beginSheet(_ name: String, columnWidths: [Int] = []) throws(SpreadsheetError) {
        guard !finished else { throw SpreadsheetError(code: "xlsx.finished", message: "the workbook is already finished") }
        try endSheet()
        guard !name.isEmpty, name.count <= 31, !name.contains(where: { "[]:*?/\\".contains($0) }) else {
            throw SpreadsheetError(code: "xlsx.bad_sheet_name", message: "\(name) is not a valid sheet name")
        }
        guard !sheetNames.contains(where: { $0.lowercased() == name.lowercased() }) else {
            throw SpreadsheetError(code: "xlsx.bad_sheet_name", message: "the workbook already has a sheet named \(name)")
        }
        sheetNames.append(name)
        try zip.beginEntry("xl/worksheets/sheet\(sheetNames.count).xml")
        append(Self.xmlDeclaration)
        append("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
        if !columnWidths.isEmpty {
            append("<cols>")
            for (index, width) in columnWidths.enumerated() {
                append("<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(max(1, min(width, 255)))\" customWidth=\"1\"/>")
            }
            append("</cols>")
        }
        append("<sheetData>")
        rowNumber = 0
        sheetOpen = true
    }

    /// Appends a row to the current sheet; `bold` sets a header style on its text cells.
    public func appendRow(_ cells: [SpreadsheetCell], bold: Bool = false) throws(SpreadsheetError) {
        guard sheetOpen else { throw SpreadsheetError(code: "xlsx.no_sheet", message: "appendRow called with no sheet open") }
        guard cells.count <= CellReference.maximumColumns else {
            throw SpreadsheetError(code: "xlsx.too_many_columns", message: "a row of \(cells.count) cells is wider than a sheet")
        }
        guard rowNumber < 1_048_576 else {
            throw SpreadsheetError(code: "xlsx.too_many_rows", message: "a sheet holds at most 1,048,576 rows")
        }
        rowNumber += 1
        let row = String(rowNumber)
        append("<row r=\"")
        append(row)
        append("\">")
        for (column, cell) in cells.enumerated() {
            try appendCell(cell, column: column, row: row, bold: bold)
        }
        append("</row>")
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Ends the last sheet and writes the workbook, styles, strings and package parts.
    public func finish() throws(SpreadsheetError) {
        guard !finished else { return }
        if sheetNames.isEmpty { try beginSheet("Sheet1") }
        try endSheet()
        finished = true
        try zip.addEntry("[Content_Types].xml", contents: Array(contentTypes().utf8))
        try zip.addEntry("_rels/.rels", contents: Array(Self.packageRelationships.utf8))
        try zip.addEntry("xl/workbook.xml", contents: Array(workbookXML().utf8))
        try zip.addEntry("xl/_rels/workbook.xml.rels", contents: Array(workbookRelationships().utf8))
        try zip.addEntry("xl/styles.xml", contents: Array(Self.stylesXML.utf8))
        if options.sharedStrings {
            try zip.beginEntry("xl/sharedStrings.xml")
            append(Self.xmlDeclaration)
            append("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"\(stringReferences)\" uniqueCount=\"\(strings.count)\">")
            for string in strings {
                append("<si>")
                appendTextElement(string)
                append("</si>")
                if buffer.count >= Self.flushThreshold { try flush() }
            }
            append("</sst>")
            try flush()
            strings = []
            stringIndex = [:]
        }
        try zip.finish()
    }
}

// MARK: - Cells

extension XLSXWriter {
    private func appendCell(_ cell: SpreadsheetCell, column: Int, row: String, bold: Bool) throws(SpreadsheetError) {
        switch cell {
        case .empty:
            return
        case .text(let text):
            if text.isEmpty && !bold { return }
            openCell(column: column, row: row, style: bold ? Self.boldStyle : nil, type: options.sharedStrings ? "s" : "inlineStr")
            if options.sharedStrings {
                let index: Int
                if let existing = stringIndex[text] {
                    index = existing
                } else {
                    index = strings.count
                    strings.append(text)
                    stringIndex[text] = index
                }
                stringReferences += 1
                append("<v>\(index)</v></c>")
            } else {
                append("<is>")
                appendTextElement(text)
                append("</is></c>")
            }
        case .number(let literal):
            guard Self.isNumberLiteral(literal) else {
                try appendCell(.text(literal), column: column, row: row, bold: bold)
                return
            }
            openCell(column: column, row: row, style: nil, type: nil)
            append("<v>")
            append(literal)
            append("</v></c>")
        case .boolean(let value):
            openCell(column: column, row: row, style: nil, type: "b")
            append(value ? "<v>1</v></c>" : "<v>0</v></c>")
        case .date(let date):
            guard date.isValidCalendarDate || (date.year == 1900 && date.month == 2 && date.day == 29),
                let serial = ExcelSerialDate.serial(of: date, date1904: options.date1904)
            else {
                try appendCell(.text(date.description), column: column, row: row, bold: bold)
                return
            }
            openCell(column: column, row: row, style: Self.dateStyle, type: nil)
            append("<v>")
            append(serial)
            append("</v></c>")
        case .error(let text):
            openCell(column: column, row: row, style: nil, type: "str")
            append("<v>")
            appendEscaped(text)
            append("</v></c>")
        }
    }

    private func openCell(column: Int, row: String, style: Int?, type: String?) {
        append("<c r=\"")
        while columnNames.count <= column { columnNames.append(Array(CellReference.columnName(columnNames.count).utf8)) }
        buffer.append(contentsOf: columnNames[column])
        append(row)
        append("\"")
        if let style {
            append(" s=\"")
            append(String(style))
            append("\"")
        }
        if let type {
            append(" t=\"")
            append(type)
            append("\"")
        }
        append(">")
    }

    /// `<t>` with the text escaped, preserving leading and trailing spaces.
    private func appendTextElement(_ text: String) {
        let utf8 = text.utf8
        let padded = utf8.first.map { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A } == true
            || utf8.last.map { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A } == true
        append(padded ? "<t xml:space=\"preserve\">" : "<t>")
        appendEscaped(text)
        append("</t>")
    }

    /// Escapes markup characters; control characters XML cannot carry are written as Excel's
    /// `_xHHHH_` escapes instead of producing an unreadable file.
    private func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): append("&amp;")
            case UInt8(ascii: "<"): append("&lt;")
            case UInt8(ascii: ">"): append("&gt;")
            case UInt8(ascii: "\""): append("&quot;")
            case 0x09, 0x0A, 0x0D: buffer.append(byte)
            case 0..<0x20:
                let hex = String(byte, radix: 16, uppercase: true)
                append("_x00\(hex.count == 1 ? "0" : "")\(hex)_")
            default: buffer.append(byte)
            }
        }
    }

    /// `-?digits[.digits][E[+-]digits]`: what a `<v>` of a number cell may hold.
    static func isNumberLiteral(_ literal: String) -> Bool {
        var bytes = literal.utf8.makeIterator()
        var byte = bytes.next()
        if byte == UInt8(ascii: "-") { byte = bytes.next() }
        func digits(_ byte: inout UInt8?) -> Int {
            var count = 0
            while let b = byte, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                count += 1
                byte = bytes.next()
            }
            return count
        }
        var count = digits(&byte)
        if byte == UInt8(ascii: ".") {
            byte = bytes.next()
            count += digits(&byte)
        }
        guard count > 0 else { return false }
        if byte == UInt8(ascii: "E") || byte == UInt8(ascii: "e") {
            byte = bytes.next()
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = bytes.next() }
            guard digits(&byte) > 0 else { return false }
        }
        return byte == nil
    }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    private func append(_ text: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private func flush() throws(SpreadsheetError) {
        guard !buffer.isEmpty else { return }
        try zip.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func endSheet() throws(SpreadsheetError) {
        guard sheetOpen else { return }
        append("</sheetData></worksheet>")
        try flush()
        try zip.endEntry()
        sheetOpen = false
    }
}

// MARK: - Package parts

extension XLSXWriter {
    static var xmlDeclaration: StaticString { "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" }

    static var packageRelationships: String {
        "\(xmlDeclaration)<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
            + "</Relationships>"
    }

    /// Cell formats: 0 default, 1 date and time, 2 bold (header).
    static var stylesXML: String {
        "\(xmlDeclaration)<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            + "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>"
            + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>"
            + "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
            + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
            + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
            + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
            + "<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
            + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
            + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
            + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
            + "</styleSheet>"
    }

    private func contentTypes() -> String {
        var xml = "\(Self.xmlDeclaration)<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        for index in sheetNames.indices {
            xml += "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" "
                + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        if options.sharedStrings {
            xml += "<Override PartName=\"/xl/sharedStrings.xml\" "
                + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
        }
        return xml + "</Types>"
    }

    private func workbookXML() -> String {
        var xml = "\(Self.xmlDeclaration)<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
            + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        if options.date1904 { xml += "<workbookPr date1904=\"1\"/>" }
        xml += "<sheets>"
        for (index, name) in sheetNames.enumerated() {
            xml += "<sheet name=\"\(Self.escapeAttribute(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        return xml + "</sheets></workbook>"
    }

    private func workbookRelationships() -> String {
        let base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        var xml = "\(Self.xmlDeclaration)<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for index in sheetNames.indices {
            xml += "<Relationship Id=\"rId\(index + 1)\" Type=\"\(base)worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>"
        }
        let next = sheetNames.count + 1
        xml += "<Relationship Id=\"rId\(next)\" Type=\"\(base)styles\" Target=\"styles.xml\"/>"
        if options.sharedStrings {
            xml += "<Relationship Id=\"rId\(next + 1)\" Type=\"\(base)sharedStrings\" Target=\"sharedStrings.xml\"/>"
        }
        return xml + "</Relationships>"
    }

    static func escapeAttribute(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
