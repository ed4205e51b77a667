// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

import CZlib

/// The CRC-32 of ZIP entries (zlib's table-driven implementation).
public struct CRC32: Sendable, Hashable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        var pointer = base.assumingMemoryBound(to: UInt8.self)
        // zlib takes a 32-bit length; feed very large buffers in pieces.
        while remaining > 0 {
            let piece = min(remaining, 1 << 30)
            value = UInt32(crc32(uLong(value), pointer, uInt(piece)))
            pointer += piece
            remaining -= piece
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
