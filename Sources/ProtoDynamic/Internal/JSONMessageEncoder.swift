// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// Turns a `DynamicMessage` into proto3 canonical JSON (as a `JSONValue` tree).
///
/// The rules are the proto3 JSON mapping's: JSON names, 64-bit integers as strings, enums by
/// name, bytes in base64, the special forms of the well-known types, and fields in field-number
/// order so the output is deterministic.
struct JSONMessageEncoder {
    /// How many `Any`s deep the encoder opens packed messages; deeper ones print as bytes.
    /// Each `Any` starts a fresh binary decode, so without this a small response of nested
    /// `Any`s could recurse without bound.
    static let anyDepthLimit = 16

    let options: JSONEncodingOptions
    var anyDepth = 0

    init(options: JSONEncodingOptions, anyDepth: Int = 0) {
        self.options = options
        self.anyDepth = anyDepth
    }

    func encode(_ message: DynamicMessage, path: String) throws(DynamicMessageError) -> JSONValue {
        if let special = try encodeWellKnown(message, path: path) { return special }
        return .object(try members(of: message, path: path))
    }

    private func members(of message: DynamicMessage, path: String) throws(DynamicMessageError) -> [JSONMember] {
        var members: [JSONMember] = []
        for field in message.schema.fields {
            let name = options.useProtoNames ? field.name : field.jsonName
            let fieldPath = path.isEmpty ? name : path + "." + name
            switch message.slots[field.number] {
            case .single(let value)?:
                members.append(JSONMember(name, try encodeValue(value, field.kind, path: fieldPath)))
            case .list(let values)?:
                var elements: [JSONValue] = []
                for (index, value) in values.enumerated() {
                    elements.append(try encodeValue(value, field.kind, path: "\(fieldPath)[\(index)]"))
                }
                members.append(JSONMember(name, .array(elements)))
            case .map?:
                guard let valueField = field.mapValue else { continue }
                var entries: [JSONMember] = []
                for (key, value) in message.entries(field) {
                    let keyText = ScalarText.keyText(key)
                    entries.append(
                        JSONMember(
                            keyText, try encodeValue(value, valueField.kind, path: "\(fieldPath)[\(quoted(keyText))]")))
                }
                members.append(JSONMember(name, .object(entries)))
            case nil:
                guard options.includeDefaults else { continue }
                if field.isMap {
                    members.append(JSONMember(name, .object([])))
                } else if field.isRepeated {
                    members.append(JSONMember(name, .array([])))
                } else if !field.hasPresence {
                    members.append(
                        JSONMember(name, try encodeValue(DynamicValue.zero(for: field), field.kind, path: fieldPath)))
                }
            }
        }
        return members
    }

    func encodeValue(
        _ value: DynamicValue, _ kind: FieldSchema.Kind, path: String
    ) throws(DynamicMessageError) -> JSONValue {
        switch value {
        case .bool(let flag): return .bool(flag)
        case .int32(let number): return .number(String(number))
        case .uint32(let number): return .number(String(number))
        case .int64(let number): return .string(String(number))
        case .uint64(let number): return .string(String(number))
        case .float(let number): return Self.floatJSON(Double(number), text: Self.shortest(number))
        case .double(let number): return Self.floatJSON(number, text: Self.shortest(number))
        case .string(let text): return .string(text)
        case .bytes(let bytes): return .string(Base64.encode(bytes))
        case .enumValue(let number):
            guard case .enumeration(let schema) = kind else { return .number(String(number)) }
            if schema.fullName == "google.protobuf.NullValue" { return .null }
            return schema.name(for: number).map(JSONValue.string) ?? .number(String(number))
        case .message(let message): return try encode(message, path: path)
        }
    }

    /// Finite numbers as JSON numbers; NaN and the infinities as the strings the mapping names.
    static func floatJSON(_ value: Double, text: String) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(text)
    }

    /// The shortest text that reads back as the same double; integral values without `.0`.
    static func shortest(_ value: Double) -> String {
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        if value.rounded() == value, value.magnitude < 1e17 { return String(Int64(value)) }
        return value.description
    }

    /// The shortest text that reads back as the same float (not the float's exact double value).
    static func shortest(_ value: Float) -> String {
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        if value.rounded() == value, value.magnitude < 1e17 { return String(Int64(value)) }
        return value.description
    }

    // MARK: Well-known types

    private func encodeWellKnown(_ message: DynamicMessage, path: String) throws(DynamicMessageError) -> JSONValue? {
        guard let wellKnown = message.schema.wellKnown else { return nil }
        switch wellKnown {
        case .timestamp:
            do throws(ValueProblem) {
                return .string(try TimeText.formatTimestamp(seconds: message.int64(1), nanos: message.int32(2)))
            } catch {
                throw error.at(path)
            }
        case .duration:
            do throws(ValueProblem) {
                return .string(try TimeText.formatDuration(seconds: message.int64(1), nanos: message.int32(2)))
            } catch {
                throw error.at(path)
            }
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            guard let field = message.field(1) else { return nil }
            return try encodeValue(message.value(field), field.kind, path: path)
        case .fieldMask:
            let paths = message.list(1).compactMap(\.stringValue).map(FieldMaskText.toJSON)
            return .string(paths.joined(separator: ","))
        case .structValue:
            return try encodeStruct(message, path: path)
        case .listValue:
            var elements: [JSONValue] = []
            for (index, element) in message.list(1).enumerated() {
                guard let value = element.messageValue else { continue }
                elements.append(try encodeStructValue(value, path: "\(path)[\(index)]"))
            }
            return .array(elements)
        case .value:
            return try encodeStructValue(message, path: path)
        case .any:
            return try encodeAny(message, path: path)
        case .empty:
            return nil
        }
    }

    private func encodeStruct(_ message: DynamicMessage, path: String) throws(DynamicMessageError) -> JSONValue {
        guard let field = message.field(1) else { return .object([]) }
        var members: [JSONMember] = []
        for (key, value) in message.entries(field) {
            guard let text = key.stringValue, let inner = value.messageValue else { continue }
            members.append(JSONMember(text, try encodeStructValue(inner, path: "\(path)[\(quoted(text))]")))
        }
        return .object(members)
    }

    /// A `google.protobuf.Value`: whichever member of its `kind` oneof is set.
    private func encodeStructValue(_ message: DynamicMessage, path: String) throws(DynamicMessageError) -> JSONValue {
        for field in message.setFields {
            guard case .single(let value) = message.slots[field.number] else { continue }
            switch (field.number, value) {
            case (1, _): return .null
            case (2, .double(let number)):
                guard number.isFinite else {
                    throw DynamicMessageError(
                        .outOfRange, path: path, "google.protobuf.Value cannot hold \(number) in JSON")
                }
                return .number(Self.shortest(number))
            case (3, .string(let text)): return .string(text)
            case (4, .bool(let flag)): return .bool(flag)
            case (5, .message(let inner)): return try encodeStruct(inner, path: path)
            case (6, .message(let inner)): return try encode(inner, path: path)
            default: continue
            }
        }
        // A Value with no kind has no JSON form; null is the closest reading.
        return .null
    }

    /// `{"@type": url, …fields}`, or `{"@type": url, "value": …}` for a well-known type with a
    /// special form. A type the pool does not have is printed with its bytes in base64 rather
    /// than failing, so a response with unfamiliar error details can still be shown.
    private func encodeAny(_ message: DynamicMessage, path: String) throws(DynamicMessageError) -> JSONValue {
        guard case .string(let url)? = message.get(1), !url.isEmpty else { return .object([]) }
        let bytes: [UInt8]
        if case .bytes(let value)? = message.get(2) { bytes = value } else { bytes = [] }
        let typeMember = JSONMember("@type", .string(url))
        guard anyDepth < Self.anyDepthLimit, let schema = message.resolveTypeURL(url),
            let inner = try? DynamicMessage(schema: schema, serializedBytes: bytes)
        else {
            return .object([typeMember, JSONMember("value", .string(Base64.encode(bytes)))])
        }
        let nested = JSONMessageEncoder(options: options, anyDepth: anyDepth + 1)
        if let wellKnown = schema.wellKnown, wellKnown != .empty {
            return .object([typeMember, JSONMember("value", try nested.encode(inner, path: path))])
        }
        return .object([typeMember] + (try nested.members(of: inner, path: path)))
    }
}
