// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// One file in a ZIP archive, as its central directory describes it.
public struct ZipEntry: Sendable, Hashable {
    public enum Method: Sendable, Hashable {
        case stored
        case deflated
    }

    public var name: String
    public var method: Method
    public var crc32: UInt32
    public var compressedSize: Int64
    public var uncompressedSize: Int64
    /// Where the entry's local header starts.
    public var localHeaderOffset: Int64

    public init(
        name: String, method: Method, crc32: UInt32, compressedSize: Int64, uncompressedSize: Int64,
        localHeaderOffset: Int64
    ) {
        self.name = name
        self.method = method
        self.crc32 = crc32
        self.compressedSize = compressedSize
        self.uncompressedSize = uncompressedSize
        self.localHeaderOffset = localHeaderOffset
    }

    /// Directory entries carry no data; their names end with a slash.
    public var isDirectory: Bool { name.hasSuffix("/") }
}
