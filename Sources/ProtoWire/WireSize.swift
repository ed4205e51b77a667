// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// Encoded sizes, for the size pass that precedes every encode.
public enum WireSize {
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inlinable
    public static func varint32(_ value: UInt32) -> Int {
        let bits = 32 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Size of an `int32` or enum value: negative numbers are sign-extended to ten bytes.
    @inlinable
    public static func int32(_ value: Int32) -> Int {
        value < 0 ? 10 : varint32(UInt32(value))
    }

    @inlinable
    public static func string(_ value: String) -> Int {
        let count = value.utf8.count
        return varint(UInt64(count)) + count
    }

    @inlinable
    public static func bytes(_ value: [UInt8]) -> Int {
        varint(UInt64(value.count)) + value.count
    }

    /// Size of a length-delimited sub-message, prefix included.
    @inlinable
    public static func message<M: ProtoMessage>(_ message: M) -> Int {
        let size = message.serializedSize()
        return varint(UInt64(size)) + size
    }

    /// Size of a length-delimited payload of `count` bytes, prefix included.
    @inlinable
    public static func lengthDelimited(_ count: Int) -> Int {
        varint(UInt64(count)) + count
    }
}

/// ZigZag mapping for `sint32`/`sint64`: small magnitudes of either sign become small varints.
public enum ZigZag {
    @inlinable public static func encode32(_ value: Int32) -> UInt32 {
        UInt32(bitPattern: (value << 1) ^ (value >> 31))
    }

    @inlinable public static func encode64(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inlinable public static func decode32(_ value: UInt32) -> Int32 {
        Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    @inlinable public static func decode64(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
