// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// Parses the text form of scalar values — integers, floats, bools, bytes, enum names — for
/// command-line flags, JSON strings and proto2 defaults.
///
/// Each parser checks the value against the exact range of the field's type and says what it
/// expected, because its message reaches a person who typed the value.
enum ScalarText {
    /// Parses text as a value of a non-message field kind.
    static func parse(_ text: String, kind: FieldSchema.Kind) throws(ValueProblem) -> DynamicValue {
        switch kind {
        case .bool: return .bool(try bool(text))
        case .int32, .sint32, .sfixed32:
            return .int32(
                Int32(try integer(text, min: Int64(Int32.min), max: UInt64(Int32.max), typeName: kind.scalarName)))
        case .int64, .sint64, .sfixed64:
            return .int64(Int64(try integer(text, min: Int64.min, max: UInt64(Int64.max), typeName: kind.scalarName)))
        case .uint32, .fixed32:
            return .uint32(UInt32(try integer(text, min: 0, max: UInt64(UInt32.max), typeName: kind.scalarName)))
        case .uint64, .fixed64:
            return .uint64(UInt64(try integer(text, min: 0, max: UInt64.max, typeName: kind.scalarName)))
        case .float: return .float(try float(text))
        case .double: return .double(try double(text))
        case .string: return .string(text)
        case .bytes: return .bytes(try bytes(text))
        case .enumeration(let schema): return .enumValue(try enumNumber(text, schema))
        case .message(let schema):
            throw ValueProblem(.wrongType, "\(schema.fullName) is a message, not a scalar")
        }
    }

    static func bool(_ text: String) throws(ValueProblem) -> Bool {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ValueProblem(.invalidValue, "invalid bool \(quoted(text)) (expected true or false)")
        }
    }

    /// An integer in decimal (or `0x` hexadecimal) within `min...max`, returned as its two's
    /// complement bits so one function serves signed and unsigned types.
    static func integer(_ text: String, min: Int64, max: UInt64, typeName: String) throws(ValueProblem) -> IntegerBits {
        let range = "\(min) to \(max)"
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        } else if digits.first == "+" {
            digits = digits.dropFirst()
        }
        var radix: UInt64 = 10
        if digits.count > 2, digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty else { throw ValueProblem(.invalidValue, "invalid \(typeName) \(quoted(text))") }
        var magnitude: UInt64 = 0
        var overflow = false
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else {
                throw ValueProblem(.invalidValue, "invalid \(typeName) \(quoted(text))")
            }
            let (shifted, o1) = magnitude.multipliedReportingOverflow(by: radix)
            let (added, o2) = shifted.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            magnitude = added
        }
        let outOfRange = ValueProblem(.outOfRange, "\(text) is out of range for \(typeName) (\(range))")
        if overflow { throw outOfRange }
        if negative {
            guard magnitude <= min.magnitude else { throw outOfRange }
            return IntegerBits(bits: 0 &- magnitude)
        }
        guard magnitude <= max else { throw outOfRange }
        return IntegerBits(bits: magnitude)
    }

    static func double(_ text: String) throws(ValueProblem) -> Double {
        if let special = specialFloat(text) { return special }
        guard isDecimalNumber(text), let value = Double(text) else {
            throw ValueProblem(.invalidValue, "invalid double \(quoted(text))")
        }
        guard value.isFinite else { throw ValueProblem(.outOfRange, "\(text) is out of range for double") }
        return value
    }

    static func float(_ text: String) throws(ValueProblem) -> Float {
        if let special = specialFloat(text) { return Float(special) }
        guard isDecimalNumber(text), let value = Double(text) else {
            throw ValueProblem(.invalidValue, "invalid float \(quoted(text))")
        }
        return try narrow(value, text: text)
    }

    /// A double as a float, rejecting finite values beyond the float range.
    static func narrow(_ value: Double, text: String) throws(ValueProblem) -> Float {
        let narrowed = Float(value)
        guard value.isFinite, narrowed.isFinite else {
            throw ValueProblem(.outOfRange, "\(text) is out of range for float")
        }
        return narrowed
    }

    /// `inf`, `-Infinity`, `nan` and the like, in any case.
    static func specialFloat(_ text: String) -> Double? {
        switch text.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": .infinity
        case "-inf", "-infinity": -.infinity
        case "nan": .nan
        default: nil
        }
    }

    /// Whether text is a plain decimal number (optional sign, digits, fraction, exponent); keeps
    /// out the hexadecimal floats and stray spaces `Double.init` would otherwise accept.
    static func isDecimalNumber(_ text: String) -> Bool {
        var sawDigit = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                if index == 0 { continue }
                let previous = text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: index - 1)]
                if previous != UInt8(ascii: "e"), previous != UInt8(ascii: "E") { return false }
            default: return false
            }
        }
        return sawDigit
    }

    /// Standard or URL-safe base64, with or without padding.
    static func bytes(_ text: String) throws(ValueProblem) -> [UInt8] {
        let standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        guard standard.utf8.allSatisfy({ $0 < 0x80 }), let decoded = Base64.decode(standard) else {
            throw ValueProblem(.invalidValue, "invalid base64 \(quoted(text))")
        }
        return decoded
    }

    /// An enum value by name (see `EnumSchema.value(matching:)`) or by number.
    static func enumNumber(_ text: String, _ schema: EnumSchema) throws(ValueProblem) -> Int32 {
        if let value = schema.value(matching: text) { return value.number }
        if let first = text.first, first == "-" || first.isNumber {
            let number = Int32(
                truncatingIfNeeded: try integer(text, min: Int64(Int32.min), max: UInt64(Int32.max), typeName: "enum")
                    .bits)
            guard !schema.isClosed || schema.name(for: number) != nil else {
                throw ValueProblem(.invalidValue, "\(number) is not a value of enum \(schema.fullName)")
            }
            return number
        }
        let names = schema.values.map(\.name)
        let listed =
            names.count <= 12 ? names.joined(separator: ", ") : names.prefix(12).joined(separator: ", ") + ", …"
        throw ValueProblem(
            .invalidValue, "unknown value \(quoted(text)) for enum \(schema.fullName) (expected one of \(listed))")
    }

    /// The text of a map key, as JSON object keys and `key=value` flags write it.
    static func keyText(_ key: DynamicValue) -> String {
        switch key {
        case .bool(let value): value ? "true" : "false"
        case .int32(let value): String(value)
        case .int64(let value): String(value)
        case .uint32(let value): String(value)
        case .uint64(let value): String(value)
        case .string(let value): value
        default: ""
        }
    }
}

/// An integer's 64 bits, read back as whichever Swift type the field needs (the range is
/// already checked).
struct IntegerBits {
    let bits: UInt64
}

extension Int32 {
    init(_ integer: IntegerBits) { self.init(truncatingIfNeeded: integer.bits) }
}

extension Int64 {
    init(_ integer: IntegerBits) { self.init(bitPattern: integer.bits) }
}

extension UInt32 {
    init(_ integer: IntegerBits) { self.init(truncatingIfNeeded: integer.bits) }
}

extension UInt64 {
    init(_ integer: IntegerBits) { self = integer.bits }
}

extension FieldSchema.Kind {
    /// The protobuf name of a scalar kind (`sfixed32`), the full name of an enum or message.
    var scalarName: String {
        switch self {
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
        case .enumeration(let schema): schema.fullName
        case .message(let schema): schema.fullName
        }
    }
}
