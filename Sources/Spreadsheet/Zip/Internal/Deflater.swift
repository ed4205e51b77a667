// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

import CZlib

/// A raw-deflate compressor (no zlib header, as in ZIP) that owns its `z_stream`.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 65_536)

    init(level: Int32) throws(SpreadsheetError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_deflate_init2(stream, level, -15, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw SpreadsheetError(code: "zip.deflate", message: "cannot start compression (zlib status \(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` (finishing the stream when `finish` is set), passing output to `emit`.
    func deflate(
        _ input: UnsafeRawBufferPointer,
        finish: Bool,
        emit: (UnsafeRawBufferPointer) throws(SpreadsheetError) -> Void
    ) throws(SpreadsheetError) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil }
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { raw in
                stream.pointee.next_out = raw.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(raw.count)
                let status = CZlib.deflate(stream, flush)
                stream.pointee.next_out = nil
                return (status, raw.count - Int(stream.pointee.avail_out))
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw SpreadsheetError(code: "zip.deflate", message: "compression failed (zlib status \(status))")
            }
            if produced > 0 {
                try output.withBytes { (raw) throws(SpreadsheetError) in
                    try emit(UnsafeRawBufferPointer(rebasing: raw[0..<produced]))
                }
            }
            if finish {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && produced < output.count {
                return
            }
        }
    }
}
