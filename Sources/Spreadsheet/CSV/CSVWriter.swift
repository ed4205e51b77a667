// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Writes RFC 4180 CSV: CRLF line ends, fields quoted when they hold the delimiter, a quote or a
/// line break, quotes doubled. Output is buffered and handed to the sink in 64 KiB rounds.
public final class CSVWriter<Sink: ByteSink> {
    public private(set) var sink: Sink
    private let delimiter: UInt8
    private var buffer: [UInt8] = []

    public init(sink: Sink, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.sink = sink
        self.delimiter = delimiter
        buffer.reserveCapacity(68 << 10)
    }

    public func appendRow(_ fields: [String]) throws(SpreadsheetError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(delimiter) }
            appendField(field)
        }
        buffer.append(0x0D)
        buffer.append(0x0A)
        if buffer.count >= 64 << 10 { try flush() }
    }

    /// Appends cells as text: numbers as written, dates as `YYYY-MM-DD HH:MM:SS`.
    public func appendRow(_ cells: [SpreadsheetCell]) throws(SpreadsheetError) {
        try appendRow(cells.map(\.displayText))
    }

    /// Writes out what is buffered; call once after the last row.
    public func finish() throws(SpreadsheetError) {
        try flush()
    }

    private func appendField(_ field: String) {
        let utf8 = field.utf8
        let needsQuotes = utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            buffer.append(contentsOf: utf8)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private func flush() throws(SpreadsheetError) {
        guard !buffer.isEmpty else { return }
        try sink.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
