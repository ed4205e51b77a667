// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// Writes exported usage records as a spreadsheet, streaming: one `records` sheet (XLSX) or the
/// rows alone (CSV) under a header of named columns.
///
/// Two uses share it: the server's whole-file export (the upload's columns followed by the
/// export's item, subscription, customer and billing columns) and the CLI's record export, which
/// writes to a file row by row. Either way output is taken in pieces (`takeOutput()`) or goes
/// straight to the file, so an export is never whole in memory.
public final class UsageExportWriter {
    public let format: UsageFileFormat
    public let columns: [String]
    private let output: SpreadsheetRowWriter
    /// Indexes of the columns written as number cells when their value is a plain number.
    private let numericColumns: Set<Int>
    /// For a whole-file export: how many leading columns are the upload's, and whether their
    /// values come from the records' fields (a record-stream upload has no row as uploaded).
    private var uploadColumnCount = 0
    private var deriveValues = false

    /// Starts a spreadsheet whose records sheet has `columns`; `numeric` names the columns whose
    /// plain-number values become number cells in XLSX (CSV has no cell types).
    public init(
        format: UsageFileFormat, columns: [String], numeric: Set<String> = [],
        to destination: UsageFileWriter.Destination = .memory, general: [(String, String)] = []
    ) throws(DomainError) {
        self.format = format
        self.columns = columns
        numericColumns = Set(columns.indices.filter { numeric.contains(columns[$0]) })
        output = try SpreadsheetRowWriter(format: format, destination: destination, purpose: "a usage export")
        if format == .xlsx, !general.isEmpty {
            try output.beginSheet("general", widths: [28, 40])
            try output.appendRow([.text("attribute_id"), .text("attribute_value")], bold: true)
            for (name, value) in general { try output.appendRow([.text(name), .text(value)]) }
        }
        try output.beginSheet("records", widths: columns.map { max(12, min($0.count + 4, 40)) })
        try output.appendRow(columns.map { .text($0) }, bold: true)
    }

    /// Appends one row, aligned with `columns` (missing values are empty, extra ones dropped).
    public func appendRow(_ values: [String]) throws(DomainError) {
        var cells: [SpreadsheetCell] = []
        cells.reserveCapacity(columns.count)
        for index in columns.indices {
            let value = index < values.count ? values[index] : ""
            if value.isEmpty {
                cells.append(.empty)
            } else if numericColumns.contains(index), UsageFileWriter.isPlainNumber(value) {
                cells.append(.number(value))
            } else {
                cells.append(.text(value))
            }
        }
        try output.appendRow(cells)
    }

    /// The bytes written so far and not yet taken (always empty for a file destination).
    public func takeOutput() -> [UInt8] {
        output.takeOutput()
    }

    /// Ends the spreadsheet; returns the remaining bytes (empty for a file destination).
    public func finish() throws(DomainError) -> [UInt8] {
        try output.finish()
    }
}

// MARK: - Whole-file export

extension UsageExportWriter {
    /// The columns a whole-file export adds after the upload's.
    public static let fileExportColumns = [
        "item_id", "item_mpn", "item_name", "subscription_id", "subscription_external_id", "customer_id",
        "customer_name", "status", "external_billing_id", "external_billing_note", "closed_at",
    ]

    /// Starts the export of an accepted or closed file: for XLSX a `general` sheet describing the
    /// file, then the records under the upload's header (the template's columns for a record-stream
    /// upload) followed by `fileExportColumns`.
    public static func usageFile(
        _ file: UsageFile, format: UsageFileFormat, to destination: UsageFileWriter.Destination = .memory
    ) throws(DomainError) -> UsageExportWriter {
        let derived = file.columns.allSatisfy { $0.isEmpty }
        let upload = derived ? UsageFileWriter.recordStreamColumns(file.schema) : file.columns
        let numeric: Set<String> = [UsageColumn.quantity.name, UsageColumn.amount.name, UsageColumn.tier.name]
        let writer = try UsageExportWriter(
            format: format, columns: upload + fileExportColumns, numeric: numeric, to: destination,
            general: UsageFileWriter.generalAttributes(file))
        writer.uploadColumnCount = upload.count
        writer.deriveValues = derived
        return writer
    }

    /// Appends one record of a whole-file export, with what it names from its batch.
    public func append(_ exported: ExportedRecord, in batch: ExportedRecordBatch) throws(DomainError) {
        let record = exported.record
        let uploadColumns = Array(columns.prefix(uploadColumnCount))
        var values =
            deriveValues ? UsageFileWriter.derivedValues(record, columns: uploadColumns) : record.rawValues
        if values.count < uploadColumnCount {
            values += Array(repeating: "", count: uploadColumnCount - values.count)
        } else if values.count > uploadColumnCount {
            values.removeLast(values.count - uploadColumnCount)
        }
        let item = record.itemID.flatMap { batch.items[$0] }
        let subscription = record.subscriptionID.flatMap { batch.subscriptions[$0] }
        let customer = subscription.flatMap { batch.customers[$0.tiers.customerID] }
        values += [
            record.itemID ?? "", item?.mpn ?? "", item?.name ?? "", record.subscriptionID ?? "",
            subscription?.externalID ?? "", customer?.id ?? "", customer?.name ?? "", record.status.rawValue,
            record.externalBillingID ?? "", record.externalBillingNote ?? "", record.closedAt.map(UsageTime.format) ?? "",
        ]
        try appendRow(values)
    }
}
