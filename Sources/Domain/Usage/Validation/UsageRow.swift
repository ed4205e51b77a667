// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One data row of an upload: its position and its cells, aligned with the header.
public struct UsageRow: Sendable, Hashable {
    /// The 1-based row number the vendor sees: the spreadsheet row, the CSV line's record number,
    /// or the record's place in the stream. Error messages and the processed file use it.
    public var position: Int
    /// The cells in header order; a row may be shorter than the header (missing cells are empty)
    /// or longer (cells beyond the header are ignored).
    public var cells: [UsageCell]

    public init(position: Int, cells: [UsageCell]) {
        self.position = position
        self.cells = cells
    }

    /// The cell at `index`, or `.empty` past the end of the row.
    public subscript(index: Int) -> UsageCell {
        index >= 0 && index < cells.count ? cells[index] : .empty
    }

    /// Whether every cell is blank, so readers can skip trailing formatted-but-empty rows.
    public var isBlank: Bool { cells.allSatisfy(\.isBlank) }
}
