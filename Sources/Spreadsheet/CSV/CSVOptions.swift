// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// The dialect and bounds of a CSV file.
public struct CSVOptions: Sendable, Hashable {
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// The longest field, in bytes.
    public var maximumFieldSize: Int = 1 << 20
    /// The longest row, in bytes of field content.
    public var maximumRowSize: Int = 16 << 20
    /// The most fields in one row.
    public var maximumFields: Int = CellReference.maximumColumns
    /// The most non-blank rows; nil for no limit.
    public var maximumRows: Int? = nil

    public init() {}
}
