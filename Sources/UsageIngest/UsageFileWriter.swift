// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// Writes usage files for download, streaming: the processed file of an upload (the uploaded
/// columns plus `status` and `errors`) and a product's upload template, as XLSX or CSV.
///
/// Output goes to a file path or stays in memory for the caller to take in pieces
/// (`takeOutput()` after each batch of records), so a million-record processed file streams to
/// the client without ever being whole in memory.
public final class UsageFileWriter {
    public enum Destination: Sendable, Hashable {
        case file(path: String)
        /// Kept until taken with `takeOutput()` or returned by `finish()`.
        case memory
    }

    public let format: UsageFileFormat
    private let output: SpreadsheetRowWriter
    private var columns: [String] = []
    /// Indexes of the columns written as numbers when their value is a number.
    private var numericColumns: Set<Int> = []
    private var deriveValues = false

    private init(format: UsageFileFormat, destination: Destination) throws(DomainError) {
        self.format = format
        output = try SpreadsheetRowWriter(format: format, destination: destination, purpose: "a usage file download")
    }

    /// The bytes written so far and not yet taken (always empty for a file destination).
    public func takeOutput() -> [UInt8] {
        output.takeOutput()
    }

    /// Ends the download; returns the remaining bytes (empty for a file destination).
    public func finish() throws(DomainError) -> [UInt8] {
        try output.finish()
    }

    private func appendRow(_ cells: [SpreadsheetCell], bold: Bool = false) throws(DomainError) {
        try output.appendRow(cells, bold: bold)
    }

    private func beginSheet(_ name: String, widths: [Int] = []) throws(DomainError) {
        try output.beginSheet(name, widths: widths)
    }
}

// MARK: - Processed file

extension UsageFileWriter {
    /// The column added after the uploaded ones with each record's status.
    public static let statusColumn = "status"
    /// The column added after `status` with each record's errors, one `code: message` per line.
    public static let errorsColumn = "errors"

    /// Starts the processed file of `file`: for XLSX, a `general` sheet describing the file and a
    /// `categories` sheet, then the `records` sheet that `append` fills; for CSV, the records alone.
    ///
    /// The records carry the upload's cells (`rawValues`) under the upload's header
    /// (`file.columns`). A file with no stored header (a record-stream upload) gets the template's
    /// columns, filled from the records' fields. The internal note is never written: the file
    /// may be shown to the distributor.
    public static func processedFile(
        _ file: UsageFile, categories: [UsageCategory], format: UsageFileFormat, to destination: Destination = .memory
    ) throws(DomainError) -> UsageFileWriter {
        let writer = try UsageFileWriter(format: format, destination: destination)
        if format == .xlsx {
            try writer.beginSheet("general", widths: [28, 40])
            try writer.appendRow([.text("attribute_id"), .text("attribute_value")], bold: true)
            for (name, value) in generalAttributes(file) {
                try writer.appendRow([.text(name), .text(value)])
            }
            try writer.beginSheet(UsageFileReader.categoriesSheetName, widths: [20, 30, 40])
            try writer.appendRow(
                [.text("category_id"), .text("category_name"), .text("category_description")], bold: true)
            for category in categories {
                try writer.appendRow([.text(category.id), .text(category.name), .text(category.description)])
            }
        }
        writer.deriveValues = file.columns.allSatisfy { $0.isEmpty }
        writer.columns = writer.deriveValues ? recordStreamColumns(file.schema) : file.columns
        let numeric: Set<String> = [UsageColumn.quantity.name, UsageColumn.amount.name, UsageColumn.tier.name]
        writer.numericColumns = Set(writer.columns.indices.filter { numeric.contains(writer.columns[$0].lowercased()) })
        try writer.beginSheet("records", widths: writer.columns.map { max(12, min($0.count + 4, 40)) } + [10, 60])
        try writer.appendRow((writer.columns + [statusColumn, errorsColumn]).map { .text($0) }, bold: true)
        return writer
    }

    /// Appends one record of the processed file (records in position order).
    public func append(_ record: UsageRecord) throws(DomainError) {
        var values = deriveValues ? Self.derivedValues(record, columns: columns) : record.rawValues
        if values.count < columns.count {
            values += Array(repeating: "", count: columns.count - values.count)
        } else if values.count > columns.count {
            values.removeLast(values.count - columns.count)
        }
        var cells: [SpreadsheetCell] = []
        cells.reserveCapacity(values.count + 2)
        for (index, value) in values.enumerated() {
            if value.isEmpty {
                cells.append(.empty)
            } else if numericColumns.contains(index), Self.isPlainNumber(value) {
                cells.append(.number(value))
            } else {
                cells.append(.text(value))
            }
        }
        cells.append(.text(record.status.rawValue))
        cells.append(record.errors.isEmpty ? .empty : .text(Self.describe(record.errors)))
        try appendRow(cells)
    }

    /// `code: message` per error, one per line.
    static func describe(_ errors: [UsageRecordError]) -> String {
        errors.map { "\($0.code): \($0.message)" }.joined(separator: "\n")
    }

    static func generalAttributes(_ file: UsageFile) -> [(String, String)] {
        [
            ("report_id", file.id),
            ("report_name", file.name),
            ("report_description", file.description),
            ("status", file.status.rawValue),
            ("environment", file.environment.rawValue),
            ("report_start_time_utc", "\(file.periodFrom) 00:00:00"),
            ("report_end_time_utc", "\(file.periodTo) 23:59:59"),
            ("usage_schema", file.schema.rawValue.uppercased()),
            ("currency", file.currency),
            ("product_id", file.productID),
            ("marketplace_id", file.marketplaceID),
            ("vendor_account_id", file.vendorID),
            ("distributor_account_id", file.distributorID),
            ("distribution_contract_id", file.contractID),
            ("external_id", file.externalID ?? ""),
            ("uploaded_records", String(file.counts.uploaded)),
            ("valid_records", String(file.counts.valid)),
            ("invalid_records", String(file.counts.invalid)),
            ("error_detail", file.errorDetail),
        ]
    }

    /// The columns of a processed file whose upload was a record stream.
    static func recordStreamColumns(_ schema: PPUSchema) -> [String] {
        var columns: [UsageColumn] = [.recordID, .recordNote, .itemSearchCriteria, .itemSearchValue, .quantity]
        if schema != .qt { columns.append(.amount) }
        if schema == .tr { columns.append(.tier) }
        columns += [.startTime, .endTime, .assetSearchCriteria, .assetSearchValue, .categoryID, .assetReconID]
        return columns.map(\.name)
    }

    /// A record's values for `recordStreamColumns`, from its validated fields.
    static func derivedValues(_ record: UsageRecord, columns: [String]) -> [String] {
        columns.map { name in
            switch UsageColumn(header: name) {
            case .recordID: record.recordID
            case .recordNote: record.note
            case .itemSearchCriteria: record.itemID == nil ? "" : "item.id"
            case .itemSearchValue: record.itemID ?? ""
            case .quantity: record.quantity.map { "\($0)" } ?? ""
            case .amount: record.amount.map { "\($0)" } ?? ""
            case .tier: record.tier.map(String.init) ?? ""
            case .startTime: record.start.map(UsageTime.format) ?? ""
            case .endTime: record.end.map(UsageTime.format) ?? ""
            case .assetSearchCriteria: record.subscriptionID == nil ? "" : "asset.id"
            case .assetSearchValue: record.subscriptionID ?? ""
            case .categoryID: record.categoryID ?? ""
            case .assetReconID: record.assetReconID ?? ""
            default: ""
            }
        }
    }

    /// `-?digits[.digits]`: the values a number cell can show exactly as uploaded.
    static func isPlainNumber(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        guard let first = utf8.first, first != UInt8(ascii: "."), utf8.last != UInt8(ascii: ".") else { return false }
        var points = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                points += 1
            } else if byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") {
                return false
            }
        }
        // More digits than a spreadsheet keeps would be rounded on display; keep those as text.
        return points <= 1 && utf8.count <= 15
    }
}

// MARK: - Template

extension UsageFileWriter {
    /// The columns of a product's upload template, in the template's order: the columns every
    /// upload needs, those the product's schema needs, the dynamic-item columns when the product
    /// allows dynamic items, and the optional ones.
    public static func templateColumns(for product: Product) -> [UsageColumn] {
        let schema = product.capabilities.schema
        var columns: [UsageColumn] = [.recordID, .recordNote, .itemSearchCriteria, .itemSearchValue]
        if product.capabilities.dynamic { columns += [.itemName, .itemMPN, .itemUnit, .itemPrecision] }
        columns.append(.quantity)
        if schema == .pr || schema == .cr || schema == .tr { columns.append(.amount) }
        if schema == .tr { columns.append(.tier) }
        columns += [.startTime, .endTime, .assetSearchCriteria, .assetSearchValue, .categoryID, .assetReconID]
        return columns
    }

    /// Writes `product`'s upload template: for XLSX, `instructions`, `general`, `records` (the
    /// header row) and `categories` sheets; for CSV, the header row alone.
    public static func template(
        for product: Product, format: UsageFileFormat, to destination: Destination = .memory
    ) throws(DomainError) -> [UInt8] {
        let writer = try UsageFileWriter(format: format, destination: destination)
        let columns = templateColumns(for: product)
        if format == .xlsx {
            try writer.beginSheet("instructions", widths: [100])
            for line in instructions(product, columns: columns) { try writer.appendRow([.text(line)]) }
            try writer.beginSheet("general", widths: [28, 40])
            try writer.appendRow([.text("attribute_id"), .text("attribute_value")], bold: true)
            try writer.appendRow([.text("product_id"), .text(product.id)])
            try writer.appendRow([.text("product_name"), .text(product.name)])
            try writer.appendRow([.text("usage_schema"), .text(product.capabilities.schema?.rawValue.uppercased() ?? "")])
        }
        try writer.beginSheet("records", widths: columns.map { max(14, $0.name.count + 4) })
        try writer.appendRow(columns.map { .text($0.name) }, bold: true)
        if format == .xlsx {
            try writer.beginSheet(UsageFileReader.categoriesSheetName, widths: [20, 30, 40])
            try writer.appendRow([.text("category_id"), .text("category_name"), .text("category_description")], bold: true)
        }
        return try writer.finish()
    }

    static func instructions(_ product: Product, columns: [UsageColumn]) -> [String] {
        var lines = [
            "Usage file template for product \(product.id) (\(product.name)).",
            "Fill one row per usage record in the records sheet; columns are matched by name, so their order may change.",
            "Columns other than the listed ones become record parameters.",
            "Times are UTC: YYYY-MM-DD HH:MM:SS, ISO 8601 with Z or +00:00, or date cells.",
            "Quantities are exact decimals with no more fractional digits than the item's precision.",
            "item_search_criteria: item.mpn, item.local_id, item.global_id or item.id.",
            "asset_search_criteria: asset.id, asset.external_id, asset.external_uid, asset.recon_id or parameter.<name>.",
            "category_id, when given, must be listed in the categories sheet.",
        ]
        switch product.capabilities.schema {
        case .tr: lines.append("Schema TR: amount and tier (0 customer, 1 tier 1, 2 tier 2) are required on every row.")
        case .pr: lines.append("Schema PR: amount (the end-customer price) is required on every row.")
        case .cr: lines.append("Schema CR: amount (the distributor's cost) is required on every row.")
        case .qt, nil: lines.append("Schema QT: report quantities only.")
        }
        if product.capabilities.dynamic {
            lines.append("Items not yet defined are created from item_name, item_mpn, item_unit and item_precision.")
        }
        lines.append("Columns: " + columns.map(\.name).joined(separator: ", "))
        return lines
    }
}
