// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

import CZlib

/// A raw-deflate decompressor (no zlib header, as in ZIP) that owns its `z_stream`.
///
/// zlib keeps pointers into the stream structure, so it lives at a fixed heap address for the
/// life of this object and is released in `deinit`.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws(SpreadsheetError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_inflate_init2(stream, -15)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw SpreadsheetError(code: "zip.inflate", message: "cannot start decompression (zlib status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    enum Progress {
        /// Consumed `consumed` input bytes and produced `produced` output bytes; more may follow.
        case progress(consumed: Int, produced: Int)
        /// The deflate stream ended after `consumed` input bytes and `produced` output bytes.
        case finished(consumed: Int, produced: Int)
    }

    /// Inflates from `input` into `output` until one is exhausted or the stream ends.
    func inflate(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        entry: String
    ) throws(SpreadsheetError) -> Progress {
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        )
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch status {
        case Z_STREAM_END:
            return .finished(consumed: consumed, produced: produced)
        case Z_OK, Z_BUF_ERROR:
            return .progress(consumed: consumed, produced: produced)
        default:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw SpreadsheetError(code: "zip.corrupt", message: "\(entry): compressed data is corrupt (\(detail))")
        }
    }
}
