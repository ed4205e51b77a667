// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// Reads a `JSONValue` tree into a `DynamicMessage` by the proto3 JSON mapping.
///
/// Accepts what the mapping says parsers accept — JSON or proto field names, integers as numbers
/// or strings, `"NaN"`/`"Infinity"`, standard or URL-safe base64, enum names or numbers, `null`
/// for "not set" — and rejects the rest with the path of the field and the value that was wrong.
struct JSONMessageDecoder {
    let options: JSONDecodingOptions

    func merge(_ json: JSONValue, into message: inout DynamicMessage, path: String) throws(DynamicMessageError) {
        if message.schema.wellKnown != nil, try mergeWellKnown(json, into: &message, path: path) { return }
        guard case .object(let members) = json else {
            throw DynamicMessageError(
                .wrongType, path: path, "expected an object for \(message.schema.fullName), got \(json.kindDescription)"
            )
        }
        try mergeMembers(members, into: &message, path: path)
    }

    private func mergeMembers(
        _ members: [JSONMember], into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) {
        var seen: [Int: String] = [:]
        var oneofMembers: [OneofSchema: String] = [:]
        for member in members {
            let key = member.key
            let value = member.value
            let fieldPath = path.isEmpty ? key : path + "." + key
            guard let field = message.schema.field(named: key) else {
                if options.ignoreUnknownFields { continue }
                throw DynamicMessageError(
                    .unknownField, path: fieldPath, "no field named \(quoted(key)) in \(message.schema.fullName)")
            }
            if let earlier = seen[field.number] {
                let how = earlier == key ? "twice" : "twice (as \(quoted(earlier)) and \(quoted(key)))"
                throw DynamicMessageError(.duplicateField, path: fieldPath, "field \(field.name) is given \(how)")
            }
            seen[field.number] = key
            if case .null = value, !Self.acceptsNull(field) { continue }
            if let oneof = field.oneof {
                if let other = oneofMembers[oneof] {
                    throw DynamicMessageError(
                        .duplicateField, path: fieldPath,
                        "\(quoted(other)) and \(quoted(key)) are both set, but oneof \(oneof.name) allows one")
                }
                oneofMembers[oneof] = key
            }
            try mergeField(value, field, into: &message, path: fieldPath)
        }
    }

    /// Whether `null` is a value for the field (a `google.protobuf.Value` or `NullValue`) rather
    /// than "not set".
    static func acceptsNull(_ field: FieldSchema) -> Bool {
        guard !field.isRepeated else { return false }
        return acceptsNull(field.kind)
    }

    static func acceptsNull(_ kind: FieldSchema.Kind) -> Bool {
        switch kind {
        case .message(let schema): schema.wellKnown == .value
        case .enumeration(let schema): schema.fullName == "google.protobuf.NullValue"
        default: false
        }
    }

    private func mergeField(
        _ json: JSONValue, _ field: FieldSchema, into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) {
        if field.isMap {
            guard let keyField = field.mapKey, let valueField = field.mapValue else { return }
            guard case .object(let entries) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path,
                    "expected an object for \(field.typeDescription), got \(json.kindDescription)")
            }
            for entry in entries {
                let keyText = entry.key
                let valueJSON = entry.value
                let entryPath = "\(path)[\(quoted(keyText))]"
                let key: DynamicValue
                do throws(ValueProblem) {
                    key = try ScalarText.parse(keyText, kind: keyField.kind)
                } catch {
                    throw DynamicMessageError(error.code, path: entryPath, "invalid map key: \(error.text)")
                }
                if case .null = valueJSON, !Self.acceptsNull(valueField.kind) {
                    throw DynamicMessageError(.wrongType, path: entryPath, "map values cannot be null")
                }
                guard let value = try decodeValue(valueJSON, valueField.kind, path: entryPath) else { continue }
                message.setEntryUnchecked(key: key, value: value, in: field)
            }
        } else if field.isRepeated {
            guard case .array(let elements) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path,
                    "expected an array for \(field.typeDescription), got \(json.kindDescription)")
            }
            for (index, element) in elements.enumerated() {
                let elementPath = "\(path)[\(index)]"
                if case .null = element, !Self.acceptsNull(field.kind) {
                    throw DynamicMessageError(.wrongType, path: elementPath, "list elements cannot be null")
                }
                guard let value = try decodeValue(element, field.kind, path: elementPath) else { continue }
                message.appendUnchecked(value, to: field)
            }
        } else {
            if case .message(let schema) = field.kind {
                // Merge into what is there, as binary decoding does.
                var inner = message.valueIfPresent(field)?.messageValue ?? DynamicMessage(schema: schema)
                try merge(json, into: &inner, path: path)
                message.store(.message(inner), in: field)
                return
            }
            guard let value = try decodeValue(json, field.kind, path: path) else { return }
            message.store(value, in: field)
        }
    }

    /// One value of a kind; nil for an enum name the schema does not know when unknown names
    /// are ignored.
    func decodeValue(
        _ json: JSONValue, _ kind: FieldSchema.Kind, path: String
    ) throws(DynamicMessageError) -> DynamicValue? {
        if case .message(let schema) = kind {
            var inner = DynamicMessage(schema: schema)
            try merge(json, into: &inner, path: path)
            return .message(inner)
        }
        let typeName = kind.scalarName
        do throws(ValueProblem) {
            switch kind {
            case .int32, .sint32, .sfixed32:
                return .int32(
                    Int32(try integer(json, min: Int64(Int32.min), max: UInt64(Int32.max), typeName: typeName)))
            case .int64, .sint64, .sfixed64:
                return .int64(Int64(try integer(json, min: Int64.min, max: UInt64(Int64.max), typeName: typeName)))
            case .uint32, .fixed32:
                return .uint32(UInt32(try integer(json, min: 0, max: UInt64(UInt32.max), typeName: typeName)))
            case .uint64, .fixed64:
                return .uint64(UInt64(try integer(json, min: 0, max: UInt64.max, typeName: typeName)))
            case .float:
                let (value, text) = try floatingPoint(json, typeName: typeName)
                return .float(value.isFinite ? try ScalarText.narrow(value, text: text) : Float(value))
            case .double:
                return .double(try floatingPoint(json, typeName: typeName).0)
            case .bool:
                guard case .bool(let flag) = json else {
                    throw ValueProblem(.wrongType, "expected true or false, got \(json.kindDescription)")
                }
                return .bool(flag)
            case .string:
                guard case .string(let text) = json else {
                    throw ValueProblem(.wrongType, "expected a string, got \(json.kindDescription)")
                }
                return .string(text)
            case .bytes:
                guard case .string(let text) = json else {
                    throw ValueProblem(.wrongType, "expected a base64 string for bytes, got \(json.kindDescription)")
                }
                return .bytes(try ScalarText.bytes(text))
            case .enumeration(let schema):
                switch json {
                case .null where schema.fullName == "google.protobuf.NullValue":
                    return .enumValue(0)
                case .string(let text):
                    if let value = schema.value(matching: text) { return .enumValue(value.number) }
                    if options.ignoreUnknownFields { return nil }
                    return .enumValue(try ScalarText.enumNumber(text, schema))
                case .number(let text):
                    let number = Int32(
                        try integer(json, min: Int64(Int32.min), max: UInt64(Int32.max), typeName: "enum"))
                    guard !schema.isClosed || schema.name(for: number) != nil else {
                        throw ValueProblem(.invalidValue, "\(text) is not a value of enum \(schema.fullName)")
                    }
                    return .enumValue(number)
                default:
                    throw ValueProblem(
                        .wrongType,
                        "expected an enum name or number for \(schema.fullName), got \(json.kindDescription)")
                }
            case .message:
                preconditionFailure("messages are decoded above")
            }
        } catch {
            throw error.at(path)
        }
    }

    /// An integer from a JSON number or a string holding one; an exponent or fraction is accepted
    /// only when the value is still a whole number.
    private func integer(
        _ json: JSONValue, min: Int64, max: UInt64, typeName: String
    ) throws(ValueProblem) -> IntegerBits {
        let text: String
        switch json {
        case .number(let number): text = number
        case .string(let string):
            guard Self.isJSONNumber(string) else {
                throw ValueProblem(.invalidValue, "invalid \(typeName) \(quoted(string))")
            }
            text = string
        default:
            throw ValueProblem(
                .wrongType, "expected \(typeName) as a number or a numeric string, got \(json.kindDescription)")
        }
        if text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }) {
            return try ScalarText.integer(text, min: min, max: max, typeName: typeName)
        }
        guard let value = Double(text), value.isFinite else {
            throw ValueProblem(.outOfRange, "\(text) is out of range for \(typeName) (\(min) to \(max))")
        }
        guard value.rounded() == value else {
            throw ValueProblem(.invalidValue, "\(text) is not an integer (\(typeName))")
        }
        guard value >= Double(min), value < Double(max) + 1 else {
            throw ValueProblem(.outOfRange, "\(text) is out of range for \(typeName) (\(min) to \(max))")
        }
        return value < 0 ? IntegerBits(bits: UInt64(bitPattern: Int64(value))) : IntegerBits(bits: UInt64(value))
    }

    private func floatingPoint(_ json: JSONValue, typeName: String) throws(ValueProblem) -> (Double, String) {
        switch json {
        case .number(let text):
            guard let value = Double(text), value.isFinite else {
                throw ValueProblem(.outOfRange, "\(text) is out of range for \(typeName)")
            }
            return (value, text)
        case .string(let text):
            switch text {
            case "NaN": return (.nan, text)
            case "Infinity": return (.infinity, text)
            case "-Infinity": return (-.infinity, text)
            default:
                guard Self.isJSONNumber(text), let value = Double(text) else {
                    throw ValueProblem(.invalidValue, "invalid \(typeName) \(quoted(text))")
                }
                guard value.isFinite else { throw ValueProblem(.outOfRange, "\(text) is out of range for \(typeName)") }
                return (value, text)
            }
        default:
            throw ValueProblem(.wrongType, "expected \(typeName) as a number, got \(json.kindDescription)")
        }
    }

    /// Whether a string holds exactly a JSON number (no spaces, no leading `+`, no hex).
    static func isJSONNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Bool {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index > start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() else { return false }
        }
        return index == bytes.count
    }

    // MARK: Well-known types

    /// Reads the special JSON form of a well-known type; false when the type has none (Empty).
    private func mergeWellKnown(
        _ json: JSONValue, into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) -> Bool {
        guard let wellKnown = message.schema.wellKnown else { return false }
        let typeName = message.schema.fullName
        switch wellKnown {
        case .timestamp, .duration:
            guard case .string(let text) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path, "expected a string for \(typeName), got \(json.kindDescription)")
            }
            do throws(ValueProblem) {
                let (seconds, nanos) =
                    wellKnown == .timestamp ? try TimeText.parseTimestamp(text) : try TimeText.parseDuration(text)
                message.put(1, .int64(seconds))
                message.put(2, .int32(nanos))
            } catch {
                throw error.at(path)
            }
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            guard let field = message.field(1) else { return false }
            if let value = try decodeValue(json, field.kind, path: path) { message.store(value, in: field) }
        case .fieldMask:
            guard case .string(let text) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path, "expected a string for \(typeName), got \(json.kindDescription)")
            }
            for part in text.split(separator: ",") {
                message.add(1, .string(FieldMaskText.fromJSON(String(part))))
            }
        case .structValue:
            guard case .object(let members) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path, "expected an object for \(typeName), got \(json.kindDescription)")
            }
            try mergeStruct(members, into: &message, path: path)
        case .listValue:
            guard case .array(let elements) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path, "expected an array for \(typeName), got \(json.kindDescription)")
            }
            try mergeList(elements, into: &message, path: path)
        case .value:
            try mergeStructValue(json, into: &message, path: path)
        case .any:
            guard case .object(let members) = json else {
                throw DynamicMessageError(
                    .wrongType, path: path, "expected an object for \(typeName), got \(json.kindDescription)")
            }
            try mergeAny(members, into: &message, path: path)
        case .empty:
            return false
        }
        return true
    }

    private func mergeStruct(
        _ members: [JSONMember], into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) {
        guard let field = message.field(1),
            let valueSchema = field.mapValue.flatMap({ field -> MessageSchema? in
                if case .message(let schema) = field.kind { return schema }
                return nil
            })
        else { return }
        for member in members {
            let key = member.key
            let json = member.value
            var value = DynamicMessage(schema: valueSchema)
            try mergeStructValue(json, into: &value, path: "\(path)[\(quoted(key))]")
            message.setEntryUnchecked(key: .string(key), value: .message(value), in: field)
        }
    }

    private func mergeList(
        _ elements: [JSONValue], into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) {
        guard let valueSchema = message.messageSchema(1) else { return }
        for (index, json) in elements.enumerated() {
            var value = DynamicMessage(schema: valueSchema)
            try mergeStructValue(json, into: &value, path: "\(path)[\(index)]")
            message.add(1, .message(value))
        }
    }

    private func mergeStructValue(
        _ json: JSONValue, into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) {
        switch json {
        case .null: message.put(1, .enumValue(0))
        case .number(let text):
            guard let number = Double(text), number.isFinite else {
                throw DynamicMessageError(.outOfRange, path: path, "\(text) is out of range for a JSON number")
            }
            message.put(2, .double(number))
        case .string(let text): message.put(3, .string(text))
        case .bool(let flag): message.put(4, .bool(flag))
        case .object(let members):
            guard let schema = message.messageSchema(5) else { return }
            var inner = DynamicMessage(schema: schema)
            try mergeStruct(members, into: &inner, path: path)
            message.put(5, .message(inner))
        case .array(let elements):
            guard let schema = message.messageSchema(6) else { return }
            var inner = DynamicMessage(schema: schema)
            try mergeList(elements, into: &inner, path: path)
            message.put(6, .message(inner))
        }
    }

    private func mergeAny(
        _ members: [JSONMember], into message: inout DynamicMessage, path: String
    ) throws(DynamicMessageError) {
        if members.isEmpty { return }
        guard let typeMember = members.first(where: { $0.key == "@type" }) else {
            throw DynamicMessageError(.invalidValue, path: path, "google.protobuf.Any needs an \"@type\" member")
        }
        guard case .string(let url) = typeMember.value else {
            throw DynamicMessageError(
                .wrongType, path: path + ".@type", "expected a type URL string, got \(typeMember.value.kindDescription)"
            )
        }
        let rest = members.filter { $0.key != "@type" }
        guard let schema = message.resolveTypeURL(url) else {
            // The form the encoder prints for a type the pool does not have.
            if rest.count == 1, rest[0].key == "value", case .string(let text) = rest[0].value,
                let bytes = try? ScalarText.bytes(text)
            {
                message.put(1, .string(url))
                message.put(2, .bytes(bytes))
                return
            }
            throw DynamicMessageError(
                .unknownType, path: path + ".@type", "unknown message type in type URL \(quoted(url))")
        }
        var inner = DynamicMessage(schema: schema)
        if let wellKnown = schema.wellKnown, wellKnown != .empty {
            guard rest.count == 1, rest[0].key == "value" else {
                throw DynamicMessageError(
                    .invalidValue, path: path,
                    "an Any holding \(schema.fullName) needs exactly one other member, \"value\"")
            }
            try merge(rest[0].value, into: &inner, path: path + ".value")
        } else {
            try mergeMembers(rest, into: &inner, path: path)
        }
        message.put(1, .string(url))
        message.put(2, .bytes(inner.serializedBytes()))
    }
}
