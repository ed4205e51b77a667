// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// The two file formats a usage file is uploaded and downloaded in.
public enum UsageFileFormat: String, Sendable, Hashable, CaseIterable {
    case xlsx
    case csv

    /// The format of a spooled upload, decided by its first bytes rather than a file name the
    /// client chose: a ZIP archive is a workbook, anything else is read as CSV.
    ///
    /// Throws `invalidArgument` for formats that look like a spreadsheet but cannot be read: the
    /// Excel 97–2003 binary format and UTF-16 text.
    public static func detect(path: String) throws(DomainError) -> UsageFileFormat {
        let source = try IngestFailure.mapping { () throws(SpreadsheetError) in try FileByteSource(path: path) }
        let count = Int(min(source.size, 8))
        let head = try IngestFailure.mapping { () throws(SpreadsheetError) in
            try source.read(at: 0, count: count, what: "the start of the upload")
        }
        return try detect(head: head)
    }

    /// The format of an upload whose first (up to 8) bytes are `head`.
    public static func detect(head: [UInt8]) throws(DomainError) -> UsageFileFormat {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .xlsx
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw IngestFailure.invalid(
                "the file is in the Excel 97-2003 (XLS) format, which is not supported: save it as XLSX or CSV")
        }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw IngestFailure.invalid("the file is UTF-16 text: save the CSV as UTF-8")
        }
        return .csv
    }

    /// The media type of a download in this format.
    public var contentType: String {
        switch self {
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .csv: "text/csv"
        }
    }
}
