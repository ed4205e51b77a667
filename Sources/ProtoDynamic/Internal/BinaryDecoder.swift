// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler
import ProtoWire

/// Decodes the binary format into `DynamicMessage`s, one `WireReader` per nested message.
///
/// ProtoWire's reader nests only into generated messages, so each sub-message gets a reader of
/// its own over its bytes. Errors keep their meaning across that split: each level adds the
/// offset of its bytes within the whole input, so a `WireError` always points into the caller's
/// buffer, and the depth limit counts every level.
struct BinaryDecoder {
    /// The start of the whole input, for turning sub-reader offsets into input offsets.
    let root: UnsafeRawPointer
    let depthLimit: Int

    func merge(_ raw: UnsafeRawBufferPointer, into message: inout DynamicMessage, depth: Int) throws(WireError) {
        let origin = raw.baseAddress.map { $0 - root } ?? 0
        var reader = WireReader(bytes: raw)
        // Set while a nested level runs: its errors are already input offsets.
        var nested = false
        do throws(WireError) {
            while let tag = try reader.nextTag() {
                try decodeField(tag, from: &reader, in: raw, into: &message, depth: depth, nested: &nested)
            }
        } catch {
            if nested { throw error }
            throw WireError(code: error.code, offset: error.offset + origin)
        }
    }

    private func decodeField(
        _ tag: FieldTag, from reader: inout WireReader, in buffer: UnsafeRawBufferPointer,
        into message: inout DynamicMessage, depth: Int, nested: inout Bool
    ) throws(WireError) {
        let record = message.schema.record
        guard let index = record.fieldIndexByNumber[tag.fieldNumber] else {
            try reader.skipField(tag, into: &message.unknownFields)
            return
        }
        let field = record.fields[index]
        let schemaField = FieldSchema(
            storage: message.schema.storage, messageIndex: message.schema.index, fieldIndex: index)
        let wire = tag.rawValue & 7
        let expected = DynamicMessage.wireType(field.type)

        if field.isMap {
            guard wire == 2 else { return try reader.skipField(tag, into: &message.unknownFields) }
            let raw = try reader.withLengthDelimited { $0 }
            guard depth < depthLimit else { throw WireError(code: .depthLimitExceeded, offset: reader.offset) }
            nested = true
            let (key, value) = try decodeEntry(
                raw, entryIndex: field.typeIndex, storage: message.schema.storage, depth: depth + 1)
            nested = false
            message.setEntryUnchecked(key: key, value: value, in: schemaField)
            return
        }

        if field.type == .message || field.type == .group {
            let raw: UnsafeRawBufferPointer
            if field.type == .message, wire == 2 {
                raw = try reader.withLengthDelimited { $0 }
            } else if field.type == .group, wire == 3 {
                // The reader checks the group's structure while skipping it; the fields are what
                // lies between the start tag and the end tag (both the same size).
                let start = reader.offset
                try reader.skipValue(tag)
                let end = reader.offset - WireSize.varint32(tag.rawValue + 1)
                raw = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            } else {
                return try reader.skipField(tag, into: &message.unknownFields)
            }
            guard depth < depthLimit else { throw WireError(code: .depthLimitExceeded, offset: reader.offset) }
            let subSchema = MessageSchema(storage: message.schema.storage, index: field.typeIndex)
            var sub: DynamicMessage
            if !field.isRepeated, case .single(.message(let existing)) = message.slots[field.number] {
                sub = existing  // a repeated occurrence of a singular message merges into it
            } else {
                sub = DynamicMessage(schema: subSchema)
            }
            nested = true
            try merge(raw, into: &sub, depth: depth + 1)
            nested = false
            if field.isRepeated {
                message.appendUnchecked(.message(sub), to: schemaField)
            } else {
                message.store(.message(sub), in: schemaField)
            }
            return
        }

        if field.isRepeated, wire == 2, field.type != .string, field.type != .bytes {
            // Packed, whatever the schema prefers: parsers accept both forms.
            let raw = try reader.withLengthDelimited { $0 }
            nested = true
            let values = try decodePacked(raw, field: field, into: &message)
            nested = false
            for value in values { message.appendUnchecked(value, to: schemaField) }
            return
        }

        guard wire == expected else { return try reader.skipField(tag, into: &message.unknownFields) }
        let value = try Self.readScalar(field.type, from: &reader)
        if field.type == .enum, case .enumValue(let number) = value,
            !isKnown(number, enumIndex: field.typeIndex, storage: message.schema.storage)
        {
            // A closed enum keeps a number it does not name as an unknown field, like generated code.
            message.unknownFields.append(reader.currentFieldBytes)
            return
        }
        if field.isRepeated {
            message.appendUnchecked(value, to: schemaField)
        } else {
            message.store(value, in: schemaField)
        }
    }

    private func isKnown(_ number: Int32, enumIndex: Int, storage: PoolStorage) -> Bool {
        let record = storage.enums[enumIndex]
        return !record.isClosed || record.values.contains { $0.number == number }
    }

    private func decodePacked(
        _ raw: UnsafeRawBufferPointer, field: PoolStorage.FieldRecord, into message: inout DynamicMessage
    ) throws(WireError) -> [DynamicValue] {
        let origin = raw.baseAddress.map { $0 - root } ?? 0
        var reader = WireReader(bytes: raw)
        var values: [DynamicValue] = []
        do throws(WireError) {
            while !reader.isAtEnd {
                let value = try Self.readScalar(field.type, from: &reader)
                if field.type == .enum, case .enumValue(let number) = value,
                    !isKnown(number, enumIndex: field.typeIndex, storage: message.schema.storage)
                {
                    message.unknownFields.appendVarint(
                        fieldNumber: field.number, value: UInt64(bitPattern: Int64(number)))
                    continue
                }
                values.append(value)
            }
        } catch {
            let code = error.code == .truncated ? WireError.Code.packedLengthMismatch : error.code
            throw WireError(code: code, offset: error.offset + origin)
        }
        return values
    }

    private func decodeEntry(
        _ raw: UnsafeRawBufferPointer, entryIndex: Int, storage: PoolStorage, depth: Int
    ) throws(WireError) -> (DynamicValue, DynamicValue) {
        let origin = raw.baseAddress.map { $0 - root } ?? 0
        let entry = storage.messages[entryIndex]
        let keyField = FieldSchema(storage: storage, messageIndex: entryIndex, fieldIndex: 0)
        let valueField = FieldSchema(storage: storage, messageIndex: entryIndex, fieldIndex: 1)
        var key = DynamicValue.zero(for: keyField)
        var value = DynamicValue.zero(for: valueField)
        var reader = WireReader(bytes: raw)
        var nested = false
        do throws(WireError) {
            while let tag = try reader.nextTag() {
                let wire = tag.rawValue & 7
                switch tag.fieldNumber {
                case 1 where wire == DynamicMessage.wireType(entry.fields[0].type):
                    key = try Self.readScalar(entry.fields[0].type, from: &reader)
                case 2 where wire == DynamicMessage.wireType(entry.fields[1].type):
                    let valueType = entry.fields[1].type
                    if valueType == .message {
                        let sub = try reader.withLengthDelimited { $0 }
                        guard depth < depthLimit else {
                            throw WireError(code: .depthLimitExceeded, offset: reader.offset)
                        }
                        var message =
                            value.messageValue
                            ?? DynamicMessage(schema: MessageSchema(storage: storage, index: entry.fields[1].typeIndex))
                        nested = true
                        try merge(sub, into: &message, depth: depth + 1)
                        nested = false
                        value = .message(message)
                    } else {
                        value = try Self.readScalar(valueType, from: &reader)
                    }
                default:
                    try reader.skipValue(tag)
                }
            }
        } catch {
            if nested { throw error }
            throw WireError(code: error.code, offset: error.offset + origin)
        }
        return (key, value)
    }

    /// Reads one non-message value of a type whose wire type has been checked.
    static func readScalar(
        _ type: FieldDescriptor.FieldType, from reader: inout WireReader
    ) throws(WireError) -> DynamicValue {
        switch type {
        case .int32: .int32(try WireInt32.read(from: &reader))
        case .sint32: .int32(try WireSInt32.read(from: &reader))
        case .sfixed32: .int32(try WireSFixed32.read(from: &reader))
        case .int64: .int64(try WireInt64.read(from: &reader))
        case .sint64: .int64(try WireSInt64.read(from: &reader))
        case .sfixed64: .int64(try WireSFixed64.read(from: &reader))
        case .uint32: .uint32(try WireUInt32.read(from: &reader))
        case .fixed32: .uint32(try WireFixed32.read(from: &reader))
        case .uint64: .uint64(try WireUInt64.read(from: &reader))
        case .fixed64: .uint64(try WireFixed64.read(from: &reader))
        case .float: .float(try WireFloat.read(from: &reader))
        case .double: .double(try WireDouble.read(from: &reader))
        case .bool: .bool(try WireBool.read(from: &reader))
        case .enum: .enumValue(Int32(truncatingIfNeeded: try reader.readVarint()))
        case .string: .string(try reader.readString())
        case .bytes: .bytes(try reader.readBytes())
        case .message, .group: preconditionFailure("messages are decoded by merge(_:into:depth:)")
        }
    }
}
