// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// How one protobuf scalar type reads, sizes and writes its values.
///
/// Generated code names a codec per field (`WireSInt64`, `WireString`, …) so that packed fields,
/// map entries and singular fields share one implementation of each type.
public protocol WireCodec {
    associatedtype Value: Hashable & Sendable
    /// The wire type of one value (for packed fields, of one element).
    static var wireType: UInt32 { get }
    /// The bytes of one value when every value has the same size, or 0 when sizes vary.
    static var fixedSize: Int { get }
    static var defaultValue: Value { get }
    static func read(from reader: inout WireReader) throws(WireError) -> Value
    /// Reads a value into an existing one: the last value wins, except for messages, which merge.
    static func merge(from reader: inout WireReader, into value: inout Value) throws(WireError)
    static func size(of value: Value) -> Int
    static func write(_ value: Value, to writer: inout WireWriter)
}

extension WireCodec {
    @inlinable public static var fixedSize: Int { 0 }

    @inlinable
    public static func merge(from reader: inout WireReader, into value: inout Value) throws(WireError) {
        value = try read(from: &reader)
    }
}

public enum WireInt32: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: Int32 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Int32 {
        Int32(truncatingIfNeeded: try reader.readVarint())
    }
    @inlinable public static func size(of value: Int32) -> Int { WireSize.int32(value) }
    @inlinable public static func write(_ value: Int32, to writer: inout WireWriter) {
        writer.writeVarint(UInt64(bitPattern: Int64(value)))
    }
}

public enum WireInt64: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: Int64 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Int64 {
        Int64(bitPattern: try reader.readVarint())
    }
    @inlinable public static func size(of value: Int64) -> Int { WireSize.varint(UInt64(bitPattern: value)) }
    @inlinable public static func write(_ value: Int64, to writer: inout WireWriter) {
        writer.writeVarint(UInt64(bitPattern: value))
    }
}

public enum WireUInt32: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: UInt32 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try reader.readVarint())
    }
    @inlinable public static func size(of value: UInt32) -> Int { WireSize.varint32(value) }
    @inlinable public static func write(_ value: UInt32, to writer: inout WireWriter) { writer.writeVarint32(value) }
}

public enum WireUInt64: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: UInt64 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> UInt64 {
        try reader.readVarint()
    }
    @inlinable public static func size(of value: UInt64) -> Int { WireSize.varint(value) }
    @inlinable public static func write(_ value: UInt64, to writer: inout WireWriter) { writer.writeVarint(value) }
}

public enum WireSInt32: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: Int32 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Int32 {
        ZigZag.decode32(UInt32(truncatingIfNeeded: try reader.readVarint()))
    }
    @inlinable public static func size(of value: Int32) -> Int { WireSize.varint32(ZigZag.encode32(value)) }
    @inlinable public static func write(_ value: Int32, to writer: inout WireWriter) {
        writer.writeVarint32(ZigZag.encode32(value))
    }
}

public enum WireSInt64: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: Int64 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Int64 {
        ZigZag.decode64(try reader.readVarint())
    }
    @inlinable public static func size(of value: Int64) -> Int { WireSize.varint(ZigZag.encode64(value)) }
    @inlinable public static func write(_ value: Int64, to writer: inout WireWriter) {
        writer.writeVarint(ZigZag.encode64(value))
    }
}

public enum WireFixed32: WireCodec {
    @inlinable public static var wireType: UInt32 { 5 }
    @inlinable public static var fixedSize: Int { 4 }
    @inlinable public static var defaultValue: UInt32 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> UInt32 {
        try reader.readFixed32()
    }
    @inlinable public static func size(of value: UInt32) -> Int { 4 }
    @inlinable public static func write(_ value: UInt32, to writer: inout WireWriter) { writer.writeFixed32(value) }
}

public enum WireFixed64: WireCodec {
    @inlinable public static var wireType: UInt32 { 1 }
    @inlinable public static var fixedSize: Int { 8 }
    @inlinable public static var defaultValue: UInt64 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> UInt64 {
        try reader.readFixed64()
    }
    @inlinable public static func size(of value: UInt64) -> Int { 8 }
    @inlinable public static func write(_ value: UInt64, to writer: inout WireWriter) { writer.writeFixed64(value) }
}

public enum WireSFixed32: WireCodec {
    @inlinable public static var wireType: UInt32 { 5 }
    @inlinable public static var fixedSize: Int { 4 }
    @inlinable public static var defaultValue: Int32 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Int32 {
        Int32(bitPattern: try reader.readFixed32())
    }
    @inlinable public static func size(of value: Int32) -> Int { 4 }
    @inlinable public static func write(_ value: Int32, to writer: inout WireWriter) {
        writer.writeFixed32(UInt32(bitPattern: value))
    }
}

public enum WireSFixed64: WireCodec {
    @inlinable public static var wireType: UInt32 { 1 }
    @inlinable public static var fixedSize: Int { 8 }
    @inlinable public static var defaultValue: Int64 { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Int64 {
        Int64(bitPattern: try reader.readFixed64())
    }
    @inlinable public static func size(of value: Int64) -> Int { 8 }
    @inlinable public static func write(_ value: Int64, to writer: inout WireWriter) {
        writer.writeFixed64(UInt64(bitPattern: value))
    }
}

public enum WireFloat: WireCodec {
    @inlinable public static var wireType: UInt32 { 5 }
    @inlinable public static var fixedSize: Int { 4 }
    @inlinable public static var defaultValue: Float { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Float {
        Float(bitPattern: try reader.readFixed32())
    }
    @inlinable public static func size(of value: Float) -> Int { 4 }
    @inlinable public static func write(_ value: Float, to writer: inout WireWriter) {
        writer.writeFixed32(value.bitPattern)
    }
}

public enum WireDouble: WireCodec {
    @inlinable public static var wireType: UInt32 { 1 }
    @inlinable public static var fixedSize: Int { 8 }
    @inlinable public static var defaultValue: Double { 0 }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Double {
        Double(bitPattern: try reader.readFixed64())
    }
    @inlinable public static func size(of value: Double) -> Int { 8 }
    @inlinable public static func write(_ value: Double, to writer: inout WireWriter) {
        writer.writeFixed64(value.bitPattern)
    }
}

public enum WireBool: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: Bool { false }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> Bool {
        try reader.readVarint() != 0
    }
    @inlinable public static func size(of value: Bool) -> Int { 1 }
    @inlinable public static func write(_ value: Bool, to writer: inout WireWriter) { writer.writeByte(value ? 1 : 0) }
}

public enum WireString: WireCodec {
    @inlinable public static var wireType: UInt32 { 2 }
    @inlinable public static var defaultValue: String { "" }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> String {
        try reader.readString()
    }
    @inlinable public static func size(of value: String) -> Int { WireSize.string(value) }
    @inlinable public static func write(_ value: String, to writer: inout WireWriter) { writer.writeString(value) }
}

public enum WireBytes: WireCodec {
    @inlinable public static var wireType: UInt32 { 2 }
    @inlinable public static var defaultValue: [UInt8] { [] }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> [UInt8] {
        try reader.readBytes()
    }
    @inlinable public static func size(of value: [UInt8]) -> Int { WireSize.bytes(value) }
    @inlinable public static func write(_ value: [UInt8], to writer: inout WireWriter) { writer.writeBytes(value) }
}

/// An enum carried as an `int32` varint.
public enum WireEnum<E: ProtoEnum>: WireCodec {
    @inlinable public static var wireType: UInt32 { 0 }
    @inlinable public static var defaultValue: E { E(rawValue: 0) }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> E {
        E(rawValue: Int32(truncatingIfNeeded: try reader.readVarint()))
    }
    @inlinable public static func size(of value: E) -> Int { WireSize.int32(value.rawValue) }
    @inlinable public static func write(_ value: E, to writer: inout WireWriter) {
        writer.writeVarint(UInt64(bitPattern: Int64(value.rawValue)))
    }
}

/// A sub-message carried as a length-delimited field; repeated occurrences merge.
public enum WireMessage<M: ProtoMessage>: WireCodec {
    @inlinable public static var wireType: UInt32 { 2 }
    @inlinable public static var defaultValue: M { M() }
    @inlinable public static func read(from reader: inout WireReader) throws(WireError) -> M {
        var message = M()
        try reader.readMessage(into: &message)
        return message
    }
    @inlinable public static func merge(from reader: inout WireReader, into value: inout M) throws(WireError) {
        try reader.readMessage(into: &value)
    }
    @inlinable public static func size(of value: M) -> Int { WireSize.message(value) }
    @inlinable public static func write(_ value: M, to writer: inout WireWriter) { writer.writeMessage(value) }
}
