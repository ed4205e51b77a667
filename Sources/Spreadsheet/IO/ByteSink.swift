// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Where written spreadsheets go: a file, memory, or a callback that streams chunks to a client.
public protocol ByteSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError)
}

extension ByteSink {
    public mutating func write(_ bytes: [UInt8]) throws(SpreadsheetError) {
        try bytes.withBytes { (raw) throws(SpreadsheetError) in try write(raw) }
    }
}

/// Collects the bytes in memory (tests, small exports).
public struct MemoryByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        self.bytes.append(contentsOf: bytes)
    }
}

/// Hands every write to a closure as an array, e.g. to send it as one message of a server stream.
///
/// Writers buffer their output (64 KiB rounds), so the closure sees a few large chunks, not many
/// tiny ones.
public struct ChunkByteSink: ByteSink {
    private let deliver: ([UInt8]) throws(SpreadsheetError) -> Void

    public init(_ deliver: @escaping ([UInt8]) throws(SpreadsheetError) -> Void) {
        self.deliver = deliver
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        guard bytes.count > 0 else { return }
        try deliver(Array(bytes))
    }
}
