// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// A rendering for people reading a terminal: one `name: value` line per field, nested
/// messages indented under their name, deterministic.
///
/// JSON is for machines and for pasting back; this form is for eyes. Field names are the proto
/// names the flags use, values read as they would be typed (`PRECISION_DECIMAL_2`,
/// `2025-03-01T00:00:00Z`, `1.5s`), and `Any` details are opened when the pool knows their type:
///
/// ```
/// code: 3
/// message: "invalid name"
/// details[0]: (google.rpc.BadRequest)
///   field_violations[0]:
///     field: "name"
///     description: "must not be empty"
/// ```
extension DynamicMessage {
    /// The readable rendering; `{}` for a message with nothing set.
    ///
    /// - Parameter includeDefaults: also show implicit-presence fields at their zero value and
    ///   empty lists and maps.
    public func readableText(includeDefaults: Bool = false) -> String {
        var lines: [String] = []
        ReadableRenderer(includeDefaults: includeDefaults).render(self, indent: 0, into: &lines)
        return lines.isEmpty ? "{}" : lines.joined(separator: "\n")
    }
}

/// Writes the lines of `readableText`.
struct ReadableRenderer {
    let includeDefaults: Bool
    /// How many `Any`s deep the current message is; see `JSONMessageEncoder.anyDepthLimit`.
    var anyDepth = 0

    init(includeDefaults: Bool, anyDepth: Int = 0) {
        self.includeDefaults = includeDefaults
        self.anyDepth = anyDepth
    }

    func render(_ message: DynamicMessage, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: "  ", count: indent)
        for field in message.schema.fields {
            switch message.slots[field.number] {
            case .single(let value)?:
                emit(pad + field.name, value, field.kind, indent: indent, into: &lines)
            case .list(let values)?:
                if values.allSatisfy({ inline($0, field.kind) != nil }) {
                    let items = values.compactMap { inline($0, field.kind) }
                    lines.append(pad + field.name + ": [" + items.joined(separator: ", ") + "]")
                } else {
                    for (index, value) in values.enumerated() {
                        emit(pad + field.name + "[\(index)]", value, field.kind, indent: indent, into: &lines)
                    }
                }
            case .map?:
                guard let valueField = field.mapValue else { continue }
                for (key, value) in message.entries(field) {
                    let keyText = if case .string(let text) = key { Self.quote(text) } else { ScalarText.keyText(key) }
                    emit(pad + field.name + "[" + keyText + "]", value, valueField.kind, indent: indent, into: &lines)
                }
            case nil:
                guard includeDefaults else { continue }
                if field.isMap {
                    lines.append(pad + field.name + ": {}")
                } else if field.isRepeated {
                    lines.append(pad + field.name + ": []")
                } else if !field.hasPresence {
                    emit(pad + field.name, DynamicValue.zero(for: field), field.kind, indent: indent, into: &lines)
                }
            }
        }
        if !message.unknownFields.isEmpty {
            lines.append(pad + "(unknown fields: \(message.unknownFields.bytes.count) bytes)")
        }
    }

    /// One `label: value` line, or a `label:` line followed by the message's own lines. An `Any`
    /// is opened when the pool knows its type, its type name noted after the label:
    /// `detail: (google.protobuf.Duration) 3s`.
    private func emit(
        _ label: String, _ value: DynamicValue, _ kind: FieldSchema.Kind, indent: Int, into lines: inout [String]
    ) {
        if let text = inline(value, kind) {
            lines.append(label + ": " + text)
            return
        }
        guard case .message(var message) = value else { return }
        var header = label + ":"
        var renderer = self
        while message.schema.wellKnown == .any {
            guard renderer.anyDepth < JSONMessageEncoder.anyDepthLimit, let (typeName, inner) = openAny(message) else {
                lines.append(header + " " + describeAny(message))
                return
            }
            header += " (" + typeName + ")"
            message = inner
            renderer.anyDepth += 1
        }
        if let text = inlineWellKnown(message) {
            lines.append(header + " " + text)
            return
        }
        var nested: [String] = []
        renderer.render(message, indent: indent + 1, into: &nested)
        if nested.isEmpty {
            lines.append(header + " {}")
        } else {
            lines.append(header)
            lines.append(contentsOf: nested)
        }
    }

    /// The one-line form of a value, or nil for a message that takes lines of its own.
    private func inline(_ value: DynamicValue, _ kind: FieldSchema.Kind) -> String? {
        switch value {
        case .bool(let flag): return flag ? "true" : "false"
        case .int32(let number): return String(number)
        case .int64(let number): return String(number)
        case .uint32(let number): return String(number)
        case .uint64(let number): return String(number)
        case .float(let number): return Self.floatText(Double(number), JSONMessageEncoder.shortest(number))
        case .double(let number): return Self.floatText(number, JSONMessageEncoder.shortest(number))
        case .string(let text): return Self.quote(text)
        case .bytes(let bytes): return bytes.isEmpty ? "(0 bytes)" : "\(Base64.encode(bytes)) (\(bytes.count) bytes)"
        case .enumValue(let number):
            guard case .enumeration(let schema) = kind else { return String(number) }
            return schema.name(for: number) ?? String(number)
        case .message(let message):
            return inlineWellKnown(message)
        }
    }

    private func inlineWellKnown(_ message: DynamicMessage) -> String? {
        guard let wellKnown = message.schema.wellKnown else { return nil }
        switch wellKnown {
        case .timestamp:
            return (try? TimeText.formatTimestamp(seconds: message.int64(1), nanos: message.int32(2)))
                ?? "(invalid timestamp: seconds \(message.int64(1)), nanos \(message.int32(2)))"
        case .duration:
            return (try? TimeText.formatDuration(seconds: message.int64(1), nanos: message.int32(2)))
                ?? "(invalid duration: seconds \(message.int64(1)), nanos \(message.int32(2)))"
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            guard let field = message.field(1) else { return nil }
            return inline(message.value(field), field.kind)
        case .fieldMask:
            return Self.quote(message.list(1).compactMap(\.stringValue).joined(separator: ","))
        case .empty:
            return "{}"
        case .structValue, .value, .listValue:
            guard let json = try? JSONMessageEncoder(options: JSONEncodingOptions()).encode(message, path: "") else {
                return nil
            }
            return JSONWriter.write(json, pretty: false)
        case .any:
            return nil
        }
    }

    private func openAny(_ message: DynamicMessage) -> (String, DynamicMessage)? {
        guard case .string(let url)? = message.get(1), let schema = message.resolveTypeURL(url) else { return nil }
        let bytes: [UInt8]
        if case .bytes(let value)? = message.get(2) { bytes = value } else { bytes = [] }
        guard let inner = try? DynamicMessage(schema: schema, serializedBytes: bytes) else { return nil }
        return (schema.fullName, inner)
    }

    private func describeAny(_ message: DynamicMessage) -> String {
        guard case .string(let url)? = message.get(1), !url.isEmpty else { return "{}" }
        var count = 0
        if case .bytes(let value)? = message.get(2) { count = value.count }
        return "(\(url), \(count) bytes)"
    }

    private static func floatText(_ value: Double, _ text: String) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return text
    }

    static func quote(_ text: String) -> String {
        var output = ""
        JSONWriter.writeString(text, to: &output)
        return output
    }
}
