// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Everything the generator decides about one field before it writes any code for it.
struct FieldPlan {
    indirect enum Presence {
        /// proto3 singular scalar: stored directly, omitted from the wire when it holds the default.
        case implicit
        /// proto2 `optional`, proto3 `optional`, and every singular message: stored as an optional.
        case explicit
        case repeated
        case map(key: FieldPlan, value: FieldPlan)
        case oneofMember(OneofPlan)
    }

    enum Value {
        case scalar(codec: String, swiftType: String)
        case enumeration(SchemaIndex.EnumInfo)
        case message(SchemaIndex.MessageInfo)
        case group(SchemaIndex.MessageInfo)
    }

    let descriptor: FieldDescriptor
    let name: String
    let backing: String
    let presence: Presence
    let value: Value
    let packed: Bool
    let comment: String

    var number: Int { descriptor.number }

    /// The Swift type of one value.
    var swiftType: String {
        switch value {
        case .scalar(_, let swiftType): swiftType
        case .enumeration(let info): info.swiftName
        case .message(let info), .group(let info): info.swiftName
        }
    }

    /// The ProtoWire codec for one value.
    var codec: String {
        switch value {
        case .scalar(let codec, _): "ProtoWire.\(codec)"
        case .enumeration(let info): "ProtoWire.WireEnum<\(info.swiftName)>"
        case .message(let info), .group(let info): "ProtoWire.WireMessage<\(info.swiftName)>"
        }
    }

    var wireType: UInt32 {
        switch descriptor.type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enum: 0
        case .fixed64, .sfixed64, .double: 1
        case .string, .bytes, .message: 2
        case .group: 3
        case .fixed32, .sfixed32, .float: 5
        }
    }

    var isPackable: Bool {
        switch descriptor.type {
        case .string, .bytes, .message, .group: false
        default: true
        }
    }

    var isClosedEnum: Bool {
        if case .enumeration(let info) = value { return info.isClosed }
        return false
    }

    /// The raw tag for `wireType`.
    func tag(_ wireType: UInt32) -> UInt32 { UInt32(number) << 3 | wireType }
    var tag: UInt32 { tag(wireType) }
    var tagSize: Int { varintSize(UInt64(tag)) }

    /// The value a field reads as when nothing was set.
    var defaultExpression: String {
        if let text = descriptor.defaultValue {
            return Self.literal(forDefault: text, of: self)
        }
        switch value {
        case .scalar:
            switch descriptor.type {
            case .bool: return "false"
            case .string: return "\"\""
            case .bytes: return "[]"
            default: return "0"
            }
        case .enumeration(let info):
            return "\(info.swiftName)(rawValue: \(info.descriptor.values.first?.number ?? 0))"
        case .message(let info), .group(let info):
            return "\(info.swiftName)()"
        }
    }

    /// An expression that is true when `expression` (of this field's type) is not the default,
    /// for implicit-presence fields. Floats compare bit patterns so that -0.0 is still emitted.
    func isNonDefault(_ expression: String) -> String {
        switch descriptor.type {
        case .bool: expression
        case .string, .bytes: "!\(expression).isEmpty"
        case .float, .double: "\(expression).bitPattern != 0"
        case .enum: "\(expression).rawValue != 0"
        default: "\(expression) != 0"
        }
    }

    private static func literal(forDefault text: String, of field: FieldPlan) -> String {
        switch field.descriptor.type {
        case .string:
            return SwiftNaming.stringLiteral(text)
        case .bytes:
            let bytes = unescapeCBytes(text)
            return "[" + bytes.map { "0x" + String($0, radix: 16) }.joined(separator: ", ") + "]"
        case .bool:
            return text == "true" ? "true" : "false"
        case .float, .double:
            let type = field.descriptor.type == .float ? "Swift.Float" : "Swift.Double"
            switch text {
            case "inf": return "\(type).infinity"
            case "-inf": return "-\(type).infinity"
            case "nan": return "\(type).nan"
            default: return text
            }
        case .enum:
            if case .enumeration(let info) = field.value,
                let value = info.descriptor.values.first(where: { $0.name == text })
            {
                return "\(info.swiftName)(rawValue: \(value.number))"
            }
            return "\(field.swiftType)(rawValue: 0)"
        default:
            return text
        }
    }

    /// Undoes protoc's C-style escaping of `bytes` defaults (`\n`, `\"`, `\\`, `\ooo`, `\xhh`).
    static func unescapeCBytes(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let byte = input[index]
            index += 1
            guard byte == UInt8(ascii: "\\"), index < input.count else {
                output.append(byte)
                continue
            }
            let escape = input[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "a"): output.append(0x07)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "v"): output.append(0x0B)
            case UInt8(ascii: "x"):
                var value: UInt8 = 0
                var digits = 0
                while digits < 2, index < input.count, let digit = hexValue(input[index]) {
                    value = value &* 16 &+ digit
                    index += 1
                    digits += 1
                }
                output.append(value)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = escape - UInt8(ascii: "0")
                var digits = 1
                while digits < 3, index < input.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(input[index]) {
                    value = value &* 8 &+ (input[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                output.append(value)
            default: output.append(escape)
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A real (not synthetic) oneof and the members it holds.
final class OneofPlan {
    let name: String
    let backing: String
    let enumName: String
    let comment: String
    var members: [FieldPlan] = []

    init(name: String, backing: String, enumName: String, comment: String) {
        self.name = name
        self.backing = backing
        self.enumName = enumName
        self.comment = comment
    }
}

func varintSize(_ value: UInt64) -> Int {
    var size = 1
    var rest = value >> 7
    while rest != 0 {
        size += 1
        rest >>= 7
    }
    return size
}

/// The codec and Swift type for a scalar field type.
func scalarCodec(_ type: FieldDescriptor.FieldType) -> (codec: String, swiftType: String)? {
    switch type {
    case .double: ("WireDouble", "Swift.Double")
    case .float: ("WireFloat", "Swift.Float")
    case .int64: ("WireInt64", "Swift.Int64")
    case .uint64: ("WireUInt64", "Swift.UInt64")
    case .int32: ("WireInt32", "Swift.Int32")
    case .fixed64: ("WireFixed64", "Swift.UInt64")
    case .fixed32: ("WireFixed32", "Swift.UInt32")
    case .bool: ("WireBool", "Swift.Bool")
    case .string: ("WireString", "Swift.String")
    case .bytes: ("WireBytes", "[Swift.UInt8]")
    case .uint32: ("WireUInt32", "Swift.UInt32")
    case .sfixed32: ("WireSFixed32", "Swift.Int32")
    case .sfixed64: ("WireSFixed64", "Swift.Int64")
    case .sint32: ("WireSInt32", "Swift.Int32")
    case .sint64: ("WireSInt64", "Swift.Int64")
    case .enum, .message, .group: nil
    }
}
