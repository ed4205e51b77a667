// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Bounds on what a workbook may ask of the reader.
public struct XLSXLimits: Sendable, Hashable {
    public var zip = ZipLimits()
    public var xml = XMLLimits()
    /// The most non-blank rows one sheet may have; nil for no limit beyond Excel's own.
    public var maximumRows: Int? = nil
    /// The total UTF-8 bytes of the shared-string table, which is held in memory.
    public var maximumSharedStringBytes: Int = 128 << 20
    /// The most shared strings.
    public var maximumSharedStrings: Int = 8_000_000
    /// The largest small part read whole: workbook, relationships, styles.
    public var maximumPartSize: Int = 16 << 20

    public init() {}
}
