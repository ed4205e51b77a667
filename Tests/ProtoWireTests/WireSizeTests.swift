// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/ProtoWire/WireSize.swift

import ProtoWire
import Testing

@Suite("WireSize and ZigZag")
struct WireSizeTests {
    @Test(arguments: [
        (UInt64(0), 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3), (UInt64(UInt32.max), 5),
        (UInt64.max >> 1, 9), (UInt64.max, 10),
    ])
    func varintSizeMatchesTheEncoding(value: UInt64, size: Int) {
        #expect(WireSize.varint(value) == size)
        var buffer = [UInt8](repeating: 0, count: 10)
        let written = buffer.withUnsafeMutableBytes { raw -> Int in
            var writer = WireWriter(buffer: raw)
            writer.writeVarint(value)
            return writer.bytesWritten
        }
        #expect(written == size)
    }

    @Test func negativeInt32IsSignExtendedToTenBytes() {
        #expect(WireSize.int32(-1) == 10)
        #expect(WireSize.int32(Int32.min) == 10)
        #expect(WireSize.int32(1) == 1)
    }

    @Test(arguments: [(Int32(0), UInt32(0)), (-1, 1), (1, 2), (-2, 3), (Int32.max, UInt32.max - 1), (Int32.min, UInt32.max)])
    func zigZag32(value: Int32, encoded: UInt32) {
        #expect(ZigZag.encode32(value) == encoded)
        #expect(ZigZag.decode32(encoded) == value)
    }

    @Test(arguments: [(Int64(0), UInt64(0)), (-1, 1), (1, 2), (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max)])
    func zigZag64(value: Int64, encoded: UInt64) {
        #expect(ZigZag.encode64(value) == encoded)
        #expect(ZigZag.decode64(encoded) == value)
    }
}
