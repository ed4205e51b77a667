// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// One value of a field of a `DynamicMessage`, tagged with its Swift representation.
///
/// Several protobuf types share one case, as they share one Swift type in generated code:
/// `int32`, `sint32` and `sfixed32` are `.int32`; `uint32` and `fixed32` are `.uint32`; the 64-bit
/// ones likewise. Enums are their number, so values the schema does not name survive a round trip.
public enum DynamicValue: Sendable, Hashable {
    case bool(Bool)
    case int32(Int32)
    case int64(Int64)
    case uint32(UInt32)
    case uint64(UInt64)
    case float(Float)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case enumValue(Int32)
    case message(DynamicMessage)

    /// The message, if this is a message value.
    public var messageValue: DynamicMessage? {
        if case .message(let message) = self { return message }
        return nil
    }

    /// The value as a 64-bit signed integer, for any integer or enum case that fits.
    public var integerValue: Int64? {
        switch self {
        case .int32(let value): Int64(value)
        case .int64(let value): value
        case .uint32(let value): Int64(value)
        case .uint64(let value): Int64(exactly: value)
        case .enumValue(let value): Int64(value)
        default: nil
        }
    }

    /// The string, if this is a string value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

extension DynamicValue {
    /// The zero value of a field's type: what an unset implicit-presence field reads as.
    static func zero(for field: FieldSchema) -> DynamicValue {
        switch field.kind {
        case .bool: .bool(false)
        case .int32, .sint32, .sfixed32: .int32(0)
        case .int64, .sint64, .sfixed64: .int64(0)
        case .uint32, .fixed32: .uint32(0)
        case .uint64, .fixed64: .uint64(0)
        case .float: .float(0)
        case .double: .double(0)
        case .string: .string("")
        case .bytes: .bytes([])
        case .enumeration: .enumValue(0)
        case .message(let schema): .message(DynamicMessage(schema: schema))
        }
    }

    /// Whether the value is the zero value of its type, which implicit-presence fields do not store.
    var isZero: Bool {
        switch self {
        case .bool(let value): !value
        case .int32(let value): value == 0
        case .int64(let value): value == 0
        case .uint32(let value): value == 0
        case .uint64(let value): value == 0
        // -0.0 is not the default: its bit pattern differs, and protobuf keeps it.
        case .float(let value): value.bitPattern == 0
        case .double(let value): value.bitPattern == 0
        case .string(let value): value.isEmpty
        case .bytes(let value): value.isEmpty
        case .enumValue(let value): value == 0
        case .message: false
        }
    }

    /// Whether the value has the Swift representation of a field's type (and, for messages, its schema).
    func fits(_ field: FieldSchema) -> Bool {
        switch (field.kind, self) {
        case (.bool, .bool), (.float, .float), (.double, .double), (.string, .string), (.bytes, .bytes):
            true
        case (.int32, .int32), (.sint32, .int32), (.sfixed32, .int32):
            true
        case (.int64, .int64), (.sint64, .int64), (.sfixed64, .int64):
            true
        case (.uint32, .uint32), (.fixed32, .uint32), (.uint64, .uint64), (.fixed64, .uint64):
            true
        case (.enumeration, .enumValue):
            true
        case (.message(let schema), .message(let message)):
            message.schema == schema
        default:
            false
        }
    }

    /// The order map keys are written in: numbers by value, `false` before `true`, strings by
    /// their UTF-8 bytes — as the other protobuf runtimes order them.
    static func keyPrecedes(_ lhs: DynamicValue, _ rhs: DynamicValue) -> Bool {
        switch (lhs, rhs) {
        case (.int32(let a), .int32(let b)): a < b
        case (.int64(let a), .int64(let b)): a < b
        case (.uint32(let a), .uint32(let b)): a < b
        case (.uint64(let a), .uint64(let b)): a < b
        case (.bool(let a), .bool(let b)): !a && b
        case (.string(let a), .string(let b)): a.utf8.lexicographicallyPrecedes(b.utf8)
        default: false
        }
    }
}
