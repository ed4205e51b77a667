// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// A spooled reconciliation file (XLSX or CSV) opened for applying: its header matched to the
/// columns a reconciliation needs, and its data rows on demand as closes.
///
/// Columns are matched by name, ignoring case and surrounding spaces: `record_id` and
/// `external_billing_id` are required, `external_billing_note` is optional, and any other column
/// is ignored, so a billing system's own export with extra columns reads as it is. In a workbook
/// the rows are on the sheet named `records` or, without one, on the first sheet. The header is
/// the first row with a value. The reader is a value that can cross to the storage executor, and
/// `entries()` streams from the file each time it is called.
public struct ReconciliationFileReader: Sendable {
    public struct Options: Sendable {
        public var xlsx = XLSXLimits()
        public var csv = CSVOptions()

        public init() {}
    }

    public static let recordIDColumn = "record_id"
    public static let billingIDColumn = "external_billing_id"
    public static let noteColumn = "external_billing_note"
    /// The sheet read when a workbook has it; otherwise its first sheet.
    public static let sheetName = "records"

    public let path: String
    public let format: UsageFileFormat
    /// The header row as written.
    public let columns: [String]
    private let recordIDIndex: Int
    private let billingIDIndex: Int
    private let noteIndex: Int?
    private let options: Options
    private let workbook: XLSXWorkbook?
    private let sheet: XLSXWorkbook.Sheet?

    /// Opens the file as `init(path:options:)` does, with the reading (a workbook's ZIP directory,
    /// a CSV's first bytes) on one of `io`'s threads: what an RPC handler on an event loop calls.
    public static func open(
        path: String, options: Options = Options(), on io: BlockingIO
    ) async throws(DomainError) -> ReconciliationFileReader {
        try await io.run { () throws(DomainError) in try ReconciliationFileReader(path: path, options: options) }
    }

    /// Opens the file at `path` and reads its header.
    ///
    /// Throws `invalidArgument`, with a message fit for the reconciliation's error detail, when
    /// the file cannot be read, has no sheet or header, or lacks a required column.
    public init(path: String, options: Options = Options()) throws(DomainError) {
        self.path = path
        self.options = options
        let format = try UsageFileFormat.detect(path: path)
        self.format = format
        let header: SpreadsheetRow?
        switch format {
        case .csv:
            workbook = nil
            sheet = nil
            var reader = try Self.openCSV(path: path, options: options.csv)
            header = try IngestFailure.mapping(context: "the CSV file cannot be read") {
                () throws(SpreadsheetError) in try reader.next()
            }
            guard header != nil else { throw IngestFailure.invalid("the CSV file is empty: it needs a header row") }
        case .xlsx:
            let workbook = try IngestFailure.mapping(context: "the XLSX file cannot be read") {
                () throws(SpreadsheetError) in try XLSXWorkbook(source: try FileByteSource(path: path), limits: options.xlsx)
            }
            guard let sheet = workbook.sheet(named: Self.sheetName) ?? workbook.sheets.first else {
                throw IngestFailure.invalid("the workbook has no sheet")
            }
            var rows = try Self.rows(of: sheet, in: workbook)
            header = try IngestFailure.mapping(context: "the \(sheet.name) sheet cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
            guard header != nil else {
                throw IngestFailure.invalid("the \(sheet.name) sheet is empty: it needs a header row")
            }
            self.workbook = workbook
            self.sheet = sheet
        }
        columns = header?.cells.map(\.displayText) ?? []
        let names = columns.map { $0.trimmingSpaces.lowercased() }
        func index(of name: String) throws(DomainError) -> Int? {
            let found = names.indices.filter { names[$0] == name }
            guard found.count < 2 else {
                throw IngestFailure.invalid("the header names the \(name) column \(found.count) times: keep one")
            }
            return found.first
        }
        let recordID = try index(of: Self.recordIDColumn)
        let billingID = try index(of: Self.billingIDColumn)
        let missing = [(Self.recordIDColumn, recordID), (Self.billingIDColumn, billingID)].filter { $0.1 == nil }
        guard let recordID, let billingID else {
            let shown = columns.isEmpty ? "none" : columns.joined(separator: ", ")
            throw IngestFailure.invalid(
                "the file has no \(missing.map(\.0).joined(separator: " or ")) column; a reconciliation file needs "
                    + "record_id and external_billing_id (and optionally external_billing_note); its columns are: "
                    + shown)
        }
        recordIDIndex = recordID
        billingIDIndex = billingID
        noteIndex = try index(of: Self.noteColumn)
    }

    /// A fresh stream of the data rows as closes (the rows after the header; blank rows skipped).
    public func entries() throws(DomainError) -> ReconciliationFileEntries {
        let layout = ReconciliationFileEntries.Layout(
            recordID: recordIDIndex, billingID: billingIDIndex, note: noteIndex)
        switch format {
        case .csv:
            var reader = try Self.openCSV(path: path, options: options.csv)
            _ = try IngestFailure.mapping(context: "the CSV file cannot be read") {
                () throws(SpreadsheetError) in try reader.next()
            }
            return ReconciliationFileEntries(csv: reader, layout: layout)
        case .xlsx:
            guard let workbook, let sheet else {
                throw DomainError.internalFailure("a workbook reader without its workbook")
            }
            var rows = try Self.rows(of: sheet, in: workbook)
            _ = try IngestFailure.mapping(context: "the \(sheet.name) sheet cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
            return ReconciliationFileEntries(xlsx: rows, layout: layout)
        }
    }

    // MARK: Internals

    private static func openCSV(path: String, options: CSVOptions) throws(DomainError)
        -> CSVReader<SequentialChunkSource>
    {
        let source = try IngestFailure.mapping { () throws(SpreadsheetError) in try FileByteSource(path: path) }
        return CSVReader(source: SequentialChunkSource(source), options: options)
    }

    private static func rows(of sheet: XLSXWorkbook.Sheet, in workbook: XLSXWorkbook) throws(DomainError)
        -> XLSXRowReader
    {
        try IngestFailure.mapping(context: "the \(sheet.name) sheet cannot be read") {
            () throws(SpreadsheetError) in try workbook.rows(of: sheet)
        }
    }
}

/// The data rows of a reconciliation file, read one at a time as closes. A row's position is its
/// sheet row number (or the CSV line it starts on), as a spreadsheet shows it.
public struct ReconciliationFileEntries: ReconciliationEntrySource {
    struct Layout {
        var recordID: Int
        var billingID: Int
        var note: Int?
    }

    private enum Reader {
        case xlsx(XLSXRowReader)
        case csv(CSVReader<SequentialChunkSource>)
        /// Held while a reader is taken out to advance, so its buffers stay uniquely referenced.
        case moving
    }

    private var reader: Reader
    private let layout: Layout

    init(xlsx: XLSXRowReader, layout: Layout) {
        reader = .xlsx(xlsx)
        self.layout = layout
    }

    init(csv: CSVReader<SequentialChunkSource>, layout: Layout) {
        reader = .csv(csv)
        self.layout = layout
    }

    public mutating func next() throws -> ReconciliationEntry? {
        try nextEntry()
    }

    /// `next()` with its error type spelled out.
    public mutating func nextEntry() throws(DomainError) -> ReconciliationEntry? {
        let row: SpreadsheetRow?
        switch reader {
        case .xlsx(var rows):
            reader = .moving
            defer { reader = .xlsx(rows) }
            row = try IngestFailure.mapping(context: "the \(rows.sheetName) sheet cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
        case .csv(var rows):
            reader = .moving
            defer { reader = .csv(rows) }
            row = try IngestFailure.mapping(context: "the CSV file cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
        case .moving:
            return nil
        }
        guard let row else { return nil }
        func text(_ index: Int?) -> String {
            guard let index, index < row.cells.count else { return "" }
            return row.cells[index].displayText.trimmingSpaces
        }
        return ReconciliationEntry(
            position: row.number, recordID: text(layout.recordID), externalBillingID: text(layout.billingID),
            note: text(layout.note))
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks: what a spreadsheet cell means.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
