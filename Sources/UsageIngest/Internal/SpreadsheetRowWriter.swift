// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// What `UsageFileWriter` and `UsageExportWriter` share: an XLSX or CSV writer over one output
/// sink (a file, or memory taken in pieces), rows and sheets appended, and the end written once.
///
/// Sheets exist only in XLSX: `beginSheet` does nothing for CSV, whose output is the rows of the
/// sheet the writers fill last. Failures become an internal domain error naming `purpose`.
final class SpreadsheetRowWriter {
    private enum Backend {
        case xlsx(XLSXWriter<OutputSink>)
        case csv(CSVWriter<OutputSink>)
    }

    private let sink: OutputSink
    private let backend: Backend
    private let purpose: String
    private var finished = false

    /// A writer of `format` to `destination`; `purpose` ("a usage export") names it in errors.
    init(format: UsageFileFormat, destination: UsageFileWriter.Destination, purpose: String) throws(DomainError) {
        let path: String? = if case .file(let path) = destination { path } else { nil }
        sink = try IngestFailure.mapping { () throws(SpreadsheetError) in try OutputSink(path: path) }
        switch format {
        case .xlsx:
            var options = XLSXWriter<OutputSink>.Options()
            options.compressionLevel = 4
            backend = .xlsx(XLSXWriter(sink: sink, options: options))
        case .csv:
            backend = .csv(CSVWriter(sink: sink))
        }
        self.purpose = purpose
    }

    /// Starts a sheet (XLSX only).
    func beginSheet(_ name: String, widths: [Int] = []) throws(DomainError) {
        guard case .xlsx(let writer) = backend else { return }
        try write { () throws(SpreadsheetError) in try writer.beginSheet(name, columnWidths: widths) }
    }

    /// Appends a row to the current sheet; `bold` for a header (XLSX only).
    func appendRow(_ cells: [SpreadsheetCell], bold: Bool = false) throws(DomainError) {
        try write { () throws(SpreadsheetError) in
            switch backend {
            case .xlsx(let writer): try writer.appendRow(cells, bold: bold)
            case .csv(let writer): try writer.appendRow(cells)
            }
        }
    }

    /// The bytes written so far and not yet taken (always empty for a file destination).
    func takeOutput() -> [UInt8] {
        sink.take()
    }

    /// Ends the spreadsheet once; returns the remaining bytes (empty for a file destination).
    func finish() throws(DomainError) -> [UInt8] {
        if !finished {
            finished = true
            try write { () throws(SpreadsheetError) in
                switch backend {
                case .xlsx(let writer): try writer.finish()
                case .csv(let writer): try writer.finish()
                }
            }
        }
        return sink.take()
    }

    private func write(_ body: () throws(SpreadsheetError) -> Void) throws(DomainError) {
        do {
            try body()
        } catch {
            throw DomainError.internalFailure("writing \(purpose) failed: \(error)")
        }
    }
}
