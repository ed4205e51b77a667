// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler

/// One field of a message type: number, names, type and cardinality.
///
/// Everything a codec needs to know about a field is decided when the pool is built (packing,
/// presence, map-ness, the oneof it belongs to), so encoding and decoding only read it.
public struct FieldSchema: Sendable, Hashable, CustomStringConvertible {
    /// The type of a field's values (for a map field, see `mapKey` and `mapValue`).
    public enum Kind: Sendable, Hashable {
        case double, float, int64, uint64, int32, fixed64, fixed32, bool, string, bytes
        case uint32, sfixed32, sfixed64, sint32, sint64
        case enumeration(EnumSchema)
        case message(MessageSchema)
    }

    let storage: PoolStorage
    let messageIndex: Int
    let fieldIndex: Int

    init(storage: PoolStorage, messageIndex: Int, fieldIndex: Int) {
        self.storage = storage
        self.messageIndex = messageIndex
        self.fieldIndex = fieldIndex
    }

    var record: PoolStorage.FieldRecord { storage.messages[messageIndex].fields[fieldIndex] }

    /// The name as written in the `.proto` file, such as `response_size`.
    public var name: String { record.name }

    /// The lowerCamel name proto3 JSON uses, such as `responseSize`.
    public var jsonName: String { record.jsonName }

    public var number: Int { record.number }

    /// The message that declares the field.
    public var containingMessage: MessageSchema { MessageSchema(storage: storage, index: messageIndex) }

    public var kind: Kind {
        let record = record
        switch record.type {
        case .double: return .double
        case .float: return .float
        case .int64: return .int64
        case .uint64: return .uint64
        case .int32: return .int32
        case .fixed64: return .fixed64
        case .fixed32: return .fixed32
        case .bool: return .bool
        case .string: return .string
        case .bytes: return .bytes
        case .uint32: return .uint32
        case .sfixed32: return .sfixed32
        case .sfixed64: return .sfixed64
        case .sint32: return .sint32
        case .sint64: return .sint64
        case .enum: return .enumeration(EnumSchema(storage: storage, index: record.typeIndex))
        case .message, .group: return .message(MessageSchema(storage: storage, index: record.typeIndex))
        }
    }

    /// Whether the field is `repeated` (map fields are repeated too).
    public var isRepeated: Bool { record.isRepeated }

    /// Whether the field is a `map<K, V>`.
    public var isMap: Bool { record.isMap }

    /// The key field of a map field's entry type.
    public var mapKey: FieldSchema? {
        guard case .message(let entry) = kind, isMap else { return nil }
        return entry.field(number: 1)
    }

    /// The value field of a map field's entry type.
    public var mapValue: FieldSchema? {
        guard case .message(let entry) = kind, isMap else { return nil }
        return entry.field(number: 2)
    }

    /// Whether "set to the default" and "not set" are different states: true for message fields,
    /// oneof members, proto3 `optional` and proto2 singular fields.
    public var hasPresence: Bool { record.hasPresence }

    /// Whether repeated values are written packed (decoding accepts both forms).
    public var isPacked: Bool { record.isPacked }

    /// The real oneof the field belongs to, if any.
    public var oneof: OneofSchema? {
        record.oneofIndex.map { OneofSchema(storage: storage, messageIndex: messageIndex, oneofIndex: $0) }
    }

    /// The field's type as a reader would write it: `int32`, `repeated string`,
    /// `map<string, int32>`, `grpc.testing.Payload`, `enum grpc.testing.PayloadType`.
    public var typeDescription: String {
        if isMap, let key = mapKey, let value = mapValue {
            return "map<\(key.singularTypeDescription), \(value.singularTypeDescription)>"
        }
        return (isRepeated ? "repeated " : "") + singularTypeDescription
    }

    var singularTypeDescription: String {
        switch kind {
        case .enumeration(let schema): "enum " + schema.fullName
        case .message(let schema): schema.fullName
        default: Self.scalarName(record.type)
        }
    }

    static func scalarName(_ type: FieldDescriptor.FieldType) -> String {
        switch type {
        case .double: "double"
        case .float: "float"
        case .int64: "int64"
        case .uint64: "uint64"
        case .int32: "int32"
        case .fixed64: "fixed64"
        case .fixed32: "fixed32"
        case .bool: "bool"
        case .string: "string"
        case .bytes: "bytes"
        case .uint32: "uint32"
        case .sfixed32: "sfixed32"
        case .sfixed64: "sfixed64"
        case .sint32: "sint32"
        case .sint64: "sint64"
        case .enum: "enum"
        case .message: "message"
        case .group: "group"
        }
    }

    public var description: String { containingMessage.fullName + "." + name }

    public static func == (lhs: FieldSchema, rhs: FieldSchema) -> Bool {
        lhs.storage === rhs.storage && lhs.messageIndex == rhs.messageIndex && lhs.fieldIndex == rhs.fieldIndex
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(messageIndex)
        hasher.combine(fieldIndex)
    }
}

extension FieldSchema {
    /// The value an unset singular field reads as: the proto2 `[default = …]` when there is one,
    /// the first value of a closed enum, else the zero value of the type.
    var defaultValue: DynamicValue {
        let record = record
        let kind = kind
        if !record.isRepeated, let text = record.defaultValue {
            if case .bytes = kind { return .bytes(Array(text.utf8)) }
            if let parsed = try? ScalarText.parse(text, kind: kind) { return parsed }
        }
        if case .enumeration(let schema) = kind, schema.isClosed, let first = schema.values.first {
            return .enumValue(first.number)
        }
        return .zero(for: self)
    }
}
