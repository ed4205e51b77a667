// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// An XLSX workbook opened for reading: its sheets by name, shared strings and date styles.
///
/// Opening reads the small parts (relationships, workbook, styles) and the shared-string table;
/// sheet rows are then streamed with `rows(of:)`, so a sheet of any length is never held whole.
/// Sheets are found through the workbook's relationships, never by assuming file names, as
/// different writers (Excel, LibreOffice, openpyxl) name the parts differently.
public struct XLSXWorkbook: Sendable {
    public struct Sheet: Sendable, Hashable {
        public var name: String
        /// The ZIP entry holding the sheet XML.
        public var partName: String
    }

    public let archive: ZipArchive
    public let limits: XLSXLimits
    public let sheets: [Sheet]
    /// Whether serial dates count from 1904 (older Mac workbooks) instead of 1900.
    public let date1904: Bool
    let sharedStrings: SharedStrings
    let numberFormats: NumberFormats

    public init(source: any ByteSource, limits: XLSXLimits = XLSXLimits()) throws(SpreadsheetError) {
        let archive = try ZipArchive(source: source, limits: limits.zip)
        self.archive = archive
        self.limits = limits

        let workbookPart = try Self.officeDocumentPart(archive, limits: limits)
        guard let workbookEntry = archive.entry(named: workbookPart) else {
            throw SpreadsheetError(
                code: "xlsx.not_a_workbook",
                message: "the archive has no workbook part (\(workbookPart)): it is not an XLSX file"
            )
        }
        let directory = Self.directory(of: workbookPart)
        let relationships = try Self.relationships(
            archive, part: directory + "_rels/" + Self.fileName(of: workbookPart) + ".rels", base: directory, limits: limits
        )
        let workbook = try Self.parseWorkbook(
            archive.contents(of: workbookEntry, maximumSize: limits.maximumPartSize), partName: workbookEntry.name,
            limits: limits.xml
        )
        self.date1904 = workbook.date1904
        var sheets: [Sheet] = []
        for (name, relationshipID) in workbook.sheets {
            guard let target = relationships.first(where: { $0.id == relationshipID }) else {
                throw SpreadsheetError(
                    code: "xlsx.missing_part",
                    message: "sheet \(name) refers to relationship \(relationshipID), which the workbook does not define"
                )
            }
            sheets.append(Sheet(name: name, partName: target.target))
        }
        self.sheets = sheets

        let stylesPart = relationships.first { $0.type.hasSuffix("/styles") }?.target ?? directory + "styles.xml"
        if let entry = archive.entry(named: stylesPart) {
            numberFormats = try NumberFormats.load(
                from: archive.contents(of: entry, maximumSize: limits.maximumPartSize), partName: entry.name,
                limits: limits.xml
            )
        } else {
            numberFormats = NumberFormats()
        }
        let stringsPart = relationships.first { $0.type.hasSuffix("/sharedStrings") }?.target
            ?? directory + "sharedStrings.xml"
        if let entry = archive.entry(named: stringsPart) {
            sharedStrings = try SharedStrings.load(from: archive, entry: entry, limits: limits)
        } else {
            sharedStrings = SharedStrings()
        }
    }

    /// The sheet with this name, compared case-insensitively as Excel does.
    public func sheet(named name: String) -> Sheet? {
        let wanted = name.lowercased()
        return sheets.first { $0.name.lowercased() == wanted }
    }

    /// A streaming reader of the sheet's rows.
    public func rows(of sheet: Sheet) throws(SpreadsheetError) -> XLSXRowReader {
        guard let entry = archive.entry(named: sheet.partName) else {
            throw SpreadsheetError(
                code: "xlsx.missing_part",
                message: "sheet \(sheet.name) is stored in \(sheet.partName), which the archive does not contain"
            )
        }
        return XLSXRowReader(
            parser: XMLPullParser(source: try archive.stream(entry), partName: entry.name, limits: limits.xml),
            sheetName: sheet.name, workbook: self
        )
    }
}

// MARK: - Parts and relationships

extension XLSXWorkbook {
    struct Relationship {
        var id: String
        var type: String
        /// The target part's name inside the archive, resolved against the source part.
        var target: String
    }

    static func officeDocumentPart(_ archive: ZipArchive, limits: XLSXLimits) throws(SpreadsheetError) -> String {
        let relationships = try relationships(archive, part: "_rels/.rels", base: "", limits: limits)
        return relationships.first { $0.type.hasSuffix("/officeDocument") }?.target ?? "xl/workbook.xml"
    }

    static func relationships(
        _ archive: ZipArchive, part: String, base: String, limits: XLSXLimits
    ) throws(SpreadsheetError) -> [Relationship] {
        guard let entry = archive.entry(named: part) else { return [] }
        let bytes = try archive.contents(of: entry, maximumSize: limits.maximumPartSize)
        var parser = XMLPullParser(source: MemoryChunkSource(bytes), partName: entry.name, limits: limits.xml)
        var found: [Relationship] = []
        while true {
            switch try parser.next() {
            case .startElement where parser.name == "Relationship":
                guard try parser.attribute("TargetMode") != "External",
                    let id = try parser.attribute("Id"), let target = try parser.attribute("Target")
                else { continue }
                found.append(Relationship(id: id, type: try parser.attribute("Type") ?? "", target: resolve(target, base: base)))
            case .endOfDocument:
                return found
            default:
                continue
            }
        }
    }

    static func parseWorkbook(
        _ bytes: [UInt8], partName: String, limits: XMLLimits
    ) throws(SpreadsheetError) -> (sheets: [(String, String)], date1904: Bool) {
        var parser = XMLPullParser(source: MemoryChunkSource(bytes), partName: partName, limits: limits)
        var sheets: [(String, String)] = []
        var date1904 = false
        while true {
            switch try parser.next() {
            case .startElement where parser.name == "workbookPr":
                let value = try parser.attribute("date1904")?.lowercased()
                date1904 = value == "1" || value == "true"
            case .startElement where parser.name == "sheet":
                guard let name = try parser.attribute("name"), let id = try parser.attribute("id") else {
                    throw SpreadsheetError(code: "xlsx.malformed", message: "\(partName): a sheet without a name or relationship id")
                }
                sheets.append((name, id))
            case .endOfDocument:
                return (sheets, date1904)
            default:
                continue
            }
        }
    }

    /// Resolves a relationship target: absolute (`/xl/worksheets/sheet1.xml`) or relative to `base`,
    /// with `..` segments applied.
    static func resolve(_ target: String, base: String) -> String {
        let joined = target.hasPrefix("/") ? String(target.dropFirst()) : base + target
        var segments: [Substring] = []
        for segment in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == ".." {
                _ = segments.popLast()
            } else if segment != "." {
                segments.append(segment)
            }
        }
        return segments.joined(separator: "/")
    }

    /// `xl/` for `xl/workbook.xml`; empty for a part at the root.
    static func directory(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return "" }
        return String(part[...slash])
    }

    static func fileName(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return part }
        return String(part[part.index(after: slash)...])
    }
}
