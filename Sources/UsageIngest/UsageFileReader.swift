// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// A spooled upload (XLSX or CSV) opened for processing: its header, its categories, and its
/// data rows on demand.
///
/// Opening reads only what processing needs up front — the header row and the optional
/// `categories` sheet (and, for a workbook, its shared strings). `rows()` then streams the data
/// rows, so `UsageFileOperations.process` can pull them inside its write transaction without the
/// file ever being held in memory. The reader is a value that can cross to the storage executor.
///
/// In a workbook the sheets are found by name, as SPEC §3.1 says: `records` (or `usage_records`)
/// and the optional `categories`; `general`, `instructions`, `summary` and any other sheet are
/// ignored. A CSV file is the records sheet alone.
public struct UsageFileReader: Sendable {
    public struct Options: Sendable {
        public var xlsx = XLSXLimits()
        public var csv = CSVOptions()

        public init() {}
    }

    /// The names the records sheet may have, compared case-insensitively.
    public static let recordsSheetNames = ["records", "usage_records"]
    public static let categoriesSheetName = "categories"

    public let path: String
    public let format: UsageFileFormat
    /// The header row of the records sheet, as written (trimming and matching are the domain's).
    public let columns: [String]
    /// The row number (or CSV line) of the header.
    public let headerRow: Int
    /// The categories defined by the `categories` sheet, in order; empty when there is none.
    public let categories: [UsageCategory]
    private let options: Options
    private let workbook: XLSXWorkbook?
    private let recordsSheet: XLSXWorkbook.Sheet?

    /// Opens the file as `init(path:options:)` does, with the reading (a workbook's ZIP directory,
    /// a CSV's first bytes) on one of `io`'s threads: what an RPC handler on an event loop calls.
    public static func open(
        path: String, options: Options = Options(), on io: BlockingIO
    ) async throws(DomainError) -> UsageFileReader {
        try await io.run { () throws(DomainError) in try UsageFileReader(path: path, options: options) }
    }

    /// Opens the upload at `path`.
    ///
    /// Throws `invalidArgument`, with a message fit for the file's error detail, when the file
    /// cannot be read, has no records sheet, no header row, or a bad categories sheet.
    public init(path: String, options: Options = Options()) throws(DomainError) {
        self.path = path
        self.options = options
        let format = try UsageFileFormat.detect(path: path)
        self.format = format
        switch format {
        case .csv:
            workbook = nil
            recordsSheet = nil
            categories = []
            var reader = try Self.openCSV(path: path, options: options.csv)
            let header = try IngestFailure.mapping(context: "the CSV file cannot be read") {
                () throws(SpreadsheetError) in try reader.next()
            }
            guard let header else { throw IngestFailure.invalid("the CSV file is empty: it needs a header row") }
            columns = header.cells.map(\.displayText)
            headerRow = header.number
        case .xlsx:
            let workbook = try IngestFailure.mapping(context: "the XLSX file cannot be read") {
                () throws(SpreadsheetError) in try XLSXWorkbook(source: try FileByteSource(path: path), limits: options.xlsx)
            }
            let sheet = try Self.recordsSheet(of: workbook)
            var rows = try Self.rows(of: sheet, in: workbook)
            let header = try IngestFailure.mapping(context: "the \(sheet.name) sheet cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
            guard let header else {
                throw IngestFailure.invalid("the \(sheet.name) sheet is empty: it needs a header row")
            }
            self.workbook = workbook
            self.recordsSheet = sheet
            columns = header.cells.map(\.displayText)
            headerRow = header.number
            categories = try Self.categories(of: workbook)
        }
    }

    /// A fresh stream of the data rows (the rows after the header; blank rows are skipped).
    public func rows() throws(DomainError) -> UsageFileRows {
        switch format {
        case .csv:
            var reader = try Self.openCSV(path: path, options: options.csv)
            _ = try IngestFailure.mapping(context: "the CSV file cannot be read") {
                () throws(SpreadsheetError) in try reader.next()
            }
            return UsageFileRows(csv: reader)
        case .xlsx:
            guard let workbook, let recordsSheet else {
                throw DomainError.internalFailure("a workbook reader without its workbook")
            }
            var rows = try Self.rows(of: recordsSheet, in: workbook)
            _ = try IngestFailure.mapping(context: "the \(recordsSheet.name) sheet cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
            return UsageFileRows(xlsx: rows)
        }
    }

    // MARK: Internals

    private static func openCSV(path: String, options: CSVOptions) throws(DomainError) -> CSVReader<SequentialChunkSource> {
        let source = try IngestFailure.mapping { () throws(SpreadsheetError) in try FileByteSource(path: path) }
        return CSVReader(source: SequentialChunkSource(source), options: options)
    }

    private static func rows(of sheet: XLSXWorkbook.Sheet, in workbook: XLSXWorkbook) throws(DomainError) -> XLSXRowReader {
        try IngestFailure.mapping(context: "the \(sheet.name) sheet cannot be read") {
            () throws(SpreadsheetError) in try workbook.rows(of: sheet)
        }
    }

    static func recordsSheet(of workbook: XLSXWorkbook) throws(DomainError) -> XLSXWorkbook.Sheet {
        let found = recordsSheetNames.compactMap { workbook.sheet(named: $0) }
        guard found.count < 2 else {
            throw IngestFailure.invalid(
                "the workbook has both a \(found[0].name) and a \(found[1].name) sheet: keep only one records sheet")
        }
        guard let sheet = found.first else {
            let names = workbook.sheets.map(\.name).joined(separator: ", ")
            throw IngestFailure.invalid(
                "the workbook has no records sheet (named records or usage_records); its sheets are: \(names)")
        }
        return sheet
    }

    static func categories(of workbook: XLSXWorkbook) throws(DomainError) -> [UsageCategory] {
        guard let sheet = workbook.sheet(named: categoriesSheetName) else { return [] }
        var rows = try rows(of: sheet, in: workbook)
        var result: [UsageCategory] = []
        var parser: UsageCategorySheet?
        while let row = try IngestFailure.mapping(context: "the \(sheet.name) sheet cannot be read", {
            () throws(SpreadsheetError) in try rows.next()
        }) {
            guard parser != nil else {
                parser = try UsageCategorySheet(columns: row.cells.map(\.displayText))
                continue
            }
            if let category = try parser!.read(row.usageRow) { result.append(category) }
        }
        return result
    }
}
