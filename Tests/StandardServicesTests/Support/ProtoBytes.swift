// SPDX-License-Identifier: Apache-2.0
// UsageFlow — test support for StandardServicesTests

/// Just enough of a protobuf encoder to hand-build descriptors the generated files do not cover.
enum ProtoBytes {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(number) << 3 | 2) + varint(UInt64(payload.count)) + payload
    }

    static func field(_ number: Int, _ string: String) -> [UInt8] {
        field(number, Array(string.utf8))
    }

    static func field(_ number: Int, varint value: UInt64) -> [UInt8] {
        varint(UInt64(number) << 3) + varint(value)
    }
}
