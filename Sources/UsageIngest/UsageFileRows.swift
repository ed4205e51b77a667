// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// The data rows of a spooled upload, read one at a time as usage rows.
///
/// A row's position is its spreadsheet row number (or the CSV line it starts on), so error
/// messages and the processed file point where the vendor will look. A file that turns out to be
/// unreadable part way (a truncated archive, a broken quote) throws `invalidArgument`.
public struct UsageFileRows: UsageRowSource {
    private enum Reader {
        case xlsx(XLSXRowReader)
        case csv(CSVReader<SequentialChunkSource>)
        /// Held while a reader is taken out to advance, so its buffers stay uniquely referenced
        /// (mutating a copy still held by the enum would copy them on every row).
        case moving
    }

    private var reader: Reader

    init(xlsx: XLSXRowReader) {
        reader = .xlsx(xlsx)
    }

    init(csv: CSVReader<SequentialChunkSource>) {
        reader = .csv(csv)
    }

    public mutating func next() throws -> UsageRow? {
        try nextRow()
    }

    /// `next()` with its error type spelled out.
    public mutating func nextRow() throws(DomainError) -> UsageRow? {
        switch reader {
        case .xlsx(var rows):
            reader = .moving
            defer { reader = .xlsx(rows) }
            let row = try IngestFailure.mapping(context: "the \(rows.sheetName) sheet cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
            return row?.usageRow
        case .csv(var rows):
            reader = .moving
            defer { reader = .csv(rows) }
            let row = try IngestFailure.mapping(context: "the CSV file cannot be read") {
                () throws(SpreadsheetError) in try rows.next()
            }
            return row?.usageRow
        case .moving:
            return nil
        }
    }
}
