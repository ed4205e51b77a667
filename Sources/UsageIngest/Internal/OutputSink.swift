// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Spreadsheet

/// Where a usage file download goes: a file, or memory drained by the caller between rows.
///
/// A reference type, so the spreadsheet writer and `UsageFileWriter` share one sink: the writer
/// appends, and the owner takes what is ready and sends it on.
final class OutputSink: ByteSink {
    private let file: FileByteSink?
    private(set) var pending: [UInt8] = []

    init(path: String?) throws(SpreadsheetError) {
        file = try path.map { (path) throws(SpreadsheetError) in try FileByteSink(path: path) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        if let file {
            try file.write(bytes)
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    func take() -> [UInt8] {
        defer { pending = [] }
        return pending
    }
}
