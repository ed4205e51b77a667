// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain

/// Takes a row's cells in column order, text as UTF-8 bytes, without a `UsageCell` or a string
/// per value: the form in which a record stream's rows are written down as they arrive.
///
/// A row is `beginRow(cellCount:)`, exactly that many cells, then `endRow()`. Text handed over is
/// valid UTF-8 and only borrowed for the call.
public protocol UsageCellWriter {
    mutating func beginRow(cellCount: Int)
    mutating func writeEmpty()
    /// A text cell, or a number cell's literal when `isNumber`.
    mutating func writeText(_ utf8: UnsafeRawBufferPointer, isNumber: Bool)
    mutating func writeDate(_ time: Timestamp)
    mutating func writeBoolean(_ value: Bool)
    mutating func endRow()
}

extension UsageCellWriter {
    /// Writes one cell of the value form.
    public mutating func write(_ cell: UsageCell) {
        switch cell {
        case .empty:
            writeEmpty()
        case .text(var text):
            text.withUTF8 { writeText(UnsafeRawBufferPointer($0), isNumber: false) }
        case .number(var literal):
            literal.withUTF8 { writeText(UnsafeRawBufferPointer($0), isNumber: true) }
        case .date(let time):
            writeDate(time)
        case .boolean(let value):
            writeBoolean(value)
        }
    }

    /// Writes a whole row of the value form.
    public mutating func write(_ cells: [UsageCell]) {
        beginRow(cellCount: cells.count)
        for cell in cells { write(cell) }
        endRow()
    }
}
