// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Bounds on what a ZIP archive may ask of the reader, so a hostile upload is refused with a
/// precise error instead of exhausting memory or time.
public struct ZipLimits: Sendable, Hashable {
    /// The most entries the central directory may list.
    public var maximumEntries: Int = 10_000
    /// The longest entry name, in bytes.
    public var maximumNameLength: Int = 1024
    /// The largest central directory, in bytes (it is read whole).
    public var maximumCentralDirectorySize: Int = 16 << 20
    /// The most bytes one entry may inflate to.
    public var maximumEntrySize: Int64 = 1 << 30
    /// The most an entry may expand (inflated ÷ compressed) once it is past `ratioGrace` bytes.
    ///
    /// Deflate expands at most about 1,032:1; spreadsheet XML rarely passes 100:1. A ZIP bomb
    /// is caught here after a small, bounded amount of work even if it lies about its size.
    public var maximumCompressionRatio: Int64 = 500
    /// Inflated bytes allowed before the ratio is enforced (tiny parts compress extremely well).
    public var ratioGrace: Int64 = 1 << 20

    public init() {}
}
