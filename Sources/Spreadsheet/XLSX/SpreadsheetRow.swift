// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// One row of a sheet or CSV file.
public struct SpreadsheetRow: Sendable, Hashable {
    /// The 1-based row number in the sheet, or the line the row starts on in a CSV file.
    public var number: Int
    /// The cells from column A on; missing cells before the last present one are `.empty`.
    public var cells: [SpreadsheetCell]

    public init(number: Int, cells: [SpreadsheetCell]) {
        self.number = number
        self.cells = cells
    }

    /// True when no cell holds a value.
    public var isBlank: Bool { cells.allSatisfy(\.isBlank) }
}
