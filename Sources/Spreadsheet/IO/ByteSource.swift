// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Bytes readable at any offset, without holding them all in memory.
///
/// A ZIP archive is read from its end (the central directory) and then entry by entry, so the
/// reader needs random access; uploads are spooled to a file first and read through `pread`.
public protocol ByteSource: Sendable {
    /// The total number of bytes.
    var size: Int64 { get }

    /// Reads up to `buffer.count` bytes starting at `offset`; returns how many were read (0 at the end).
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SpreadsheetError) -> Int
}

extension ByteSource {
    /// Reads exactly `count` bytes at `offset`, or throws `io.truncated` naming `what` when the
    /// source ends first.
    public func read(at offset: Int64, count: Int, what: String) throws(SpreadsheetError) -> [UInt8] {
        guard count >= 0, offset >= 0, offset <= size, Int64(count) <= size - offset else {
            throw SpreadsheetError(
                code: "io.truncated",
                message: "\(what) needs \(count) bytes at offset \(offset) but the data is \(size) bytes long"
            )
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        try bytes.withMutableBytes { (raw: UnsafeMutableRawBufferPointer) throws(SpreadsheetError) in
            while filled < count {
                let slice = UnsafeMutableRawBufferPointer(rebasing: raw[filled...])
                let got = try read(at: offset + Int64(filled), into: slice)
                if got == 0 { break }
                filled += got
            }
        }
        guard filled == count else {
            throw SpreadsheetError(code: "io.truncated", message: "\(what) ends after \(filled) of \(count) bytes")
        }
        return bytes
    }
}
