// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// A forward-only stream of byte chunks: an inflating ZIP entry, a file, or bytes in memory.
///
/// The XML tokenizer and the CSV reader pull from it, so neither ever needs a whole part in memory.
public protocol ByteChunkSource {
    /// The next chunk (never empty), or nil at the end.
    mutating func nextChunk() throws(SpreadsheetError) -> [UInt8]?
}

/// Bytes in memory handed out in chunks of a fixed size; tests use small sizes to split every token.
public struct MemoryChunkSource: ByteChunkSource {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var offset = 0

    public init(_ bytes: [UInt8], chunkSize: Int = 65_536) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public init(_ text: String, chunkSize: Int = 65_536) {
        self.init(Array(text.utf8), chunkSize: chunkSize)
    }

    public mutating func nextChunk() throws(SpreadsheetError) -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + chunkSize)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// A byte source read front to back in chunks: how a spooled CSV upload is streamed.
public struct SequentialChunkSource: ByteChunkSource {
    private let source: any ByteSource
    private let chunkSize: Int
    private var offset: Int64 = 0

    public init(_ source: any ByteSource, chunkSize: Int = 65_536) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
    }

    public mutating func nextChunk() throws(SpreadsheetError) -> [UInt8]? {
        guard offset < source.size else { return nil }
        let count = Int(min(Int64(chunkSize), source.size - offset))
        var chunk = [UInt8](repeating: 0, count: count)
        let got = try chunk.withMutableBytes { (raw) throws(SpreadsheetError) in
            try source.read(at: offset, into: raw)
        }
        guard got > 0 else { return nil }
        if got < count { chunk.removeLast(count - got) }
        offset += Int64(got)
        return chunk
    }
}
