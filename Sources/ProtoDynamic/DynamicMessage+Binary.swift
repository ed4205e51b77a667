// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler
import ProtoWire

/// The protobuf binary format, with ProtoWire's reader and writer.
///
/// Encoding follows generated code byte for byte (fields in number order, packed where the schema
/// says, map entries in key order with key and value always written, unknown fields last), so a
/// request built here is the request a generated client would send. Decoding accepts what any
/// conforming encoder writes: packed or unpacked repeated scalars, repeated singular fields (last
/// wins, messages merge), and fields of the wrong wire type kept as unknown fields.
extension DynamicMessage {
    /// Decodes a message of a type from its binary encoding.
    public init(
        schema: MessageSchema, serializedBytes bytes: [UInt8], depthLimit: Int = WireReader.defaultDepthLimit
    ) throws(WireError) {
        self.init(schema: schema)
        try merge(serializedBytes: bytes, depthLimit: depthLimit)
    }

    /// Merges the fields encoded in `bytes` into this message, as protobuf's MergeFrom does.
    public mutating func merge(
        serializedBytes bytes: [UInt8], depthLimit: Int = WireReader.defaultDepthLimit
    ) throws(WireError) {
        var failure: WireError?
        var message = self
        bytes.withUnsafeBytes { raw in
            let root = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 0x1)!
            let decoder = BinaryDecoder(root: root, depthLimit: depthLimit)
            do throws(WireError) {
                try decoder.merge(raw, into: &message, depth: 0)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        self = message
    }

    /// Encodes the message: one size pass, one buffer of exactly that size, one write pass.
    public func serializedBytes() -> [UInt8] {
        let size = serializedSize()
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = WireWriter(buffer: UnsafeMutableRawBufferPointer(buffer))
            encodeFields(to: &writer)
            precondition(writer.bytesWritten == size, "\(schema.fullName): size pass and write pass disagree")
            initialized = size
        }
    }

    /// The exact number of bytes `serializedBytes()` returns.
    public func serializedSize() -> Int {
        var size = 0
        for field in schema.record.fields {
            guard let slot = slots[field.number] else { continue }
            let tagSize = WireSize.varint32(UInt32(field.number) << 3)
            switch slot {
            case .single(let value):
                size += Self.fieldSize(value, field.type, tagSize: tagSize)
            case .list(let values):
                if field.isPacked {
                    var payload = 0
                    for value in values { payload += Self.valueSize(value, field.type) }
                    size += tagSize + WireSize.lengthDelimited(payload)
                } else {
                    for value in values { size += Self.fieldSize(value, field.type, tagSize: tagSize) }
                }
            case .map(let map):
                let entry = schema.storage.messages[field.typeIndex].fields
                for (key, value) in map {
                    let entrySize = 2 + Self.valueSize(key, entry[0].type) + Self.valueSize(value, entry[1].type)
                    size += tagSize + WireSize.lengthDelimited(entrySize)
                }
            }
        }
        return size + unknownFields.bytes.count
    }

    func encodeFields(to writer: inout WireWriter) {
        for field in schema.record.fields {
            guard let slot = slots[field.number] else { continue }
            let number = UInt32(field.number)
            switch slot {
            case .single(let value):
                Self.writeField(number, value, field.type, to: &writer)
            case .list(let values):
                if field.isPacked {
                    var payload = 0
                    for value in values { payload += Self.valueSize(value, field.type) }
                    writer.writeTag(number << 3 | 2)
                    writer.writeVarint(UInt64(payload))
                    for value in values { Self.write(value, field.type, to: &writer) }
                } else {
                    for value in values { Self.writeField(number, value, field.type, to: &writer) }
                }
            case .map(let map):
                let entry = schema.storage.messages[field.typeIndex].fields
                let keyType = entry[0].type
                let valueType = entry[1].type
                for (key, value) in map.sorted(by: { DynamicValue.keyPrecedes($0.key, $1.key) }) {
                    writer.writeTag(number << 3 | 2)
                    writer.writeVarint(UInt64(2 + Self.valueSize(key, keyType) + Self.valueSize(value, valueType)))
                    writer.writeByte(UInt8(1 << 3 | Self.wireType(keyType)))
                    Self.write(key, keyType, to: &writer)
                    writer.writeByte(UInt8(2 << 3 | Self.wireType(valueType)))
                    Self.write(value, valueType, to: &writer)
                }
            }
        }
        writer.writeUnknownFields(unknownFields)
    }

    /// The size of one field occurrence: tag and value, or for a group both tags and the fields.
    static func fieldSize(_ value: DynamicValue, _ type: FieldDescriptor.FieldType, tagSize: Int) -> Int {
        if type == .group, case .message(let message) = value {
            return 2 * tagSize + message.serializedSize()
        }
        return tagSize + valueSize(value, type)
    }

    static func writeField(
        _ number: UInt32, _ value: DynamicValue, _ type: FieldDescriptor.FieldType, to writer: inout WireWriter
    ) {
        if type == .group, case .message(let message) = value {
            writer.writeTag(number << 3 | 3)
            message.encodeFields(to: &writer)
            writer.writeTag(number << 3 | 4)
            return
        }
        writer.writeTag(number << 3 | wireType(type))
        write(value, type, to: &writer)
    }

    static func wireType(_ type: FieldDescriptor.FieldType) -> UInt32 {
        switch type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enum: 0
        case .fixed64, .sfixed64, .double: 1
        case .string, .bytes, .message: 2
        case .group: 3
        case .fixed32, .sfixed32, .float: 5
        }
    }

    /// The encoded size of one value (for messages, strings and bytes, with the length prefix).
    static func valueSize(_ value: DynamicValue, _ type: FieldDescriptor.FieldType) -> Int {
        switch (type, value) {
        case (.int32, .int32(let v)): WireInt32.size(of: v)
        case (.sint32, .int32(let v)): WireSInt32.size(of: v)
        case (.sfixed32, .int32), (.fixed32, .uint32), (.float, .float): 4
        case (.int64, .int64(let v)): WireInt64.size(of: v)
        case (.sint64, .int64(let v)): WireSInt64.size(of: v)
        case (.sfixed64, .int64), (.fixed64, .uint64), (.double, .double): 8
        case (.uint32, .uint32(let v)): WireUInt32.size(of: v)
        case (.uint64, .uint64(let v)): WireUInt64.size(of: v)
        case (.bool, .bool): 1
        case (.enum, .enumValue(let v)): WireInt32.size(of: v)
        case (.string, .string(let v)): WireString.size(of: v)
        case (.bytes, .bytes(let v)): WireBytes.size(of: v)
        case (.message, .message(let v)), (.group, .message(let v)): WireSize.lengthDelimited(v.serializedSize())
        default: preconditionFailure("a \(value.kindName) value stored in a \(type) field")
        }
    }

    static func write(_ value: DynamicValue, _ type: FieldDescriptor.FieldType, to writer: inout WireWriter) {
        switch (type, value) {
        case (.int32, .int32(let v)): WireInt32.write(v, to: &writer)
        case (.sint32, .int32(let v)): WireSInt32.write(v, to: &writer)
        case (.sfixed32, .int32(let v)): WireSFixed32.write(v, to: &writer)
        case (.int64, .int64(let v)): WireInt64.write(v, to: &writer)
        case (.sint64, .int64(let v)): WireSInt64.write(v, to: &writer)
        case (.sfixed64, .int64(let v)): WireSFixed64.write(v, to: &writer)
        case (.uint32, .uint32(let v)): WireUInt32.write(v, to: &writer)
        case (.fixed32, .uint32(let v)): WireFixed32.write(v, to: &writer)
        case (.uint64, .uint64(let v)): WireUInt64.write(v, to: &writer)
        case (.fixed64, .uint64(let v)): WireFixed64.write(v, to: &writer)
        case (.float, .float(let v)): WireFloat.write(v, to: &writer)
        case (.double, .double(let v)): WireDouble.write(v, to: &writer)
        case (.bool, .bool(let v)): WireBool.write(v, to: &writer)
        case (.enum, .enumValue(let v)): WireInt32.write(v, to: &writer)
        case (.string, .string(let v)): WireString.write(v, to: &writer)
        case (.bytes, .bytes(let v)): WireBytes.write(v, to: &writer)
        case (.message, .message(let v)), (.group, .message(let v)):
            writer.writeVarint(UInt64(v.serializedSize()))
            v.encodeFields(to: &writer)
        default: preconditionFailure("a \(value.kindName) value stored in a \(type) field")
        }
    }
}
