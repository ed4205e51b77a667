// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// Assignment from command-line text: `set(path: "capabilities.ppu", text: "true")`.
///
/// This is what turns `--flag value` pairs into a request for any RPC: the path walks the
/// message's fields (creating sub-messages on the way) and the text is read by the type of the
/// field it lands on, with an error naming the field and the value when it does not fit.
extension DynamicMessage {
    /// Sets the field at a dotted path from text.
    ///
    /// - Paths name fields by proto name (`response_size`), JSON name (`responseSize`) or with
    ///   dashes (`response-size`), and go through message fields with dots: `payload.body`.
    /// - Singular fields are replaced; repeated fields get the value appended on each call;
    ///   map fields take `key=value` (or the key in brackets: `labels[env]` with text `prod`).
    /// - A path through a repeated message field picks an element with `[index]` (the count
    ///   appends a new one); without an index it continues the last element, or starts a new
    ///   one when the last already has the field being set — so `--params.size 1
    ///   --params.interval 5 --params.size 2` gives two elements.
    /// - Text is read by the field's type: `true`/`false`; integers (decimal or `0x` hex,
    ///   range-checked); floats (with `inf`, `nan`); strings as they are; bytes in base64;
    ///   enums by value name (case ignored, enum-name prefix optional) or number; Timestamps in
    ///   RFC 3339 (or a bare date, meaning midnight UTC); Durations as `1.5s`; wrappers by their
    ///   value; FieldMasks as comma-separated paths; other messages as JSON objects.
    public mutating func set(path: String, text: String) throws(DynamicMessageError) {
        let fieldPath = try FieldPath(path)
        try assign(fieldPath.segments[...], text: text, prefix: "")
    }

    private mutating func assign(
        _ segments: ArraySlice<FieldPath.Segment>, text: String, prefix: String
    ) throws(DynamicMessageError) {
        guard let segment = segments.first else { return }
        guard let field = schema.field(flagName: segment.name) else {
            throw DynamicMessageError(
                .unknownField, path: prefix + segment.name,
                "no field named \(quoted(segment.name)) in \(schema.fullName)")
        }
        let here = prefix + field.name
        let rest = segments.dropFirst()
        guard let next = rest.first else {
            try assignLeaf(field, selector: segment.selector, text: text, path: here)
            return
        }

        if field.isMap {
            guard let keyField = field.mapKey, let valueField = field.mapValue else { return }
            guard case .message(let valueSchema) = valueField.kind else {
                throw DynamicMessageError(
                    .wrongType, path: here,
                    "has type \(field.typeDescription), whose values have no field \(quoted(next.name))")
            }
            guard let keyText = segment.selector else {
                throw DynamicMessageError(
                    .wrongType, path: here, "is a map; name an entry with a key, as in \(field.name)[key].\(next.name)")
            }
            let entryPath = "\(here)[\(keyText)]"
            let key = try Self.parseKey(keyText, keyField, path: entryPath)
            var inner: DynamicMessage
            if case .map(let map) = slots[field.number], let existing = map[key]?.messageValue {
                inner = existing
            } else {
                inner = DynamicMessage(schema: valueSchema)
            }
            try inner.assign(rest, text: text, prefix: entryPath + ".")
            setEntryUnchecked(key: key, value: .message(inner), in: field)
            return
        }

        guard case .message(let subSchema) = field.kind else {
            throw DynamicMessageError(
                .wrongType, path: here,
                "has type \(field.typeDescription), not a message, so it has no field \(quoted(next.name))")
        }
        if field.isRepeated {
            var list = values(field)
            let index: Int
            if let subscriptText = segment.selector {
                index = try Self.parseIndex(subscriptText, count: list.count, path: here)
            } else if let last = list.last?.messageValue, !last.continues(with: next) {
                index = list.count
            } else {
                index = list.isEmpty ? 0 : list.count - 1
            }
            var inner =
                index < list.count
                ? (list[index].messageValue ?? DynamicMessage(schema: subSchema)) : DynamicMessage(schema: subSchema)
            try inner.assign(rest, text: text, prefix: "\(here)[\(index)].")
            if index < list.count {
                list[index] = .message(inner)
            } else {
                list.append(.message(inner))
            }
            slots[field.number] = .list(list)
            return
        }
        guard segment.selector == nil else {
            throw DynamicMessageError(
                .wrongType, path: here, "is not a list or a map, so [\(segment.selector ?? "")] does not apply")
        }
        var inner = valueIfPresent(field)?.messageValue ?? DynamicMessage(schema: subSchema)
        try inner.assign(rest, text: text, prefix: here + ".")
        store(.message(inner), in: field)
    }

    /// Whether setting the field `segment` names can continue this element of a repeated
    /// message field: it can unless that field is singular and already set.
    private func continues(with segment: FieldPath.Segment) -> Bool {
        guard let field = schema.field(flagName: segment.name) else { return true }
        return field.isRepeated || !has(field)
    }

    private mutating func assignLeaf(
        _ field: FieldSchema, selector: String?, text: String, path: String
    ) throws(DynamicMessageError) {
        if field.isMap {
            guard let keyField = field.mapKey, let valueField = field.mapValue else { return }
            let keyText: String
            let valueText: String
            if let selector {
                keyText = selector
                valueText = text
            } else {
                guard let equals = text.firstIndex(of: "=") else {
                    throw DynamicMessageError(
                        .invalidValue, path: path,
                        "expected key=value for \(field.typeDescription), got \(quoted(text))")
                }
                keyText = String(text[..<equals])
                valueText = String(text[text.index(after: equals)...])
            }
            let entryPath = "\(path)[\(keyText)]"
            let key = try Self.parseKey(keyText, keyField, path: entryPath)
            let value = try Self.parseLeaf(valueText, valueField.kind, path: entryPath)
            setEntryUnchecked(key: key, value: value, in: field)
        } else if field.isRepeated {
            let value = try Self.parseLeaf(text, field.kind, path: path)
            guard let selector else { return appendUnchecked(value, to: field) }
            var list = values(field)
            let index = try Self.parseIndex(selector, count: list.count, path: path)
            if index < list.count {
                list[index] = value
            } else {
                list.append(value)
            }
            slots[field.number] = .list(list)
        } else {
            if let selector {
                throw DynamicMessageError(
                    .wrongType, path: path, "is not a list or a map, so [\(selector)] does not apply")
            }
            store(try Self.parseLeaf(text, field.kind, path: path), in: field)
        }
    }

    private static func parseIndex(_ text: String, count: Int, path: String) throws(DynamicMessageError) -> Int {
        guard let index = Int(text), index >= 0 else {
            throw DynamicMessageError(.invalidValue, path: path, "invalid list index \(quoted(text))")
        }
        guard index <= count else {
            throw DynamicMessageError(
                .outOfRange, path: path,
                "index \(index) is past the end of the list (\(count) elements; \(count) appends)")
        }
        return index
    }

    private static func parseKey(
        _ text: String, _ keyField: FieldSchema, path: String
    ) throws(DynamicMessageError) -> DynamicValue {
        do throws(ValueProblem) {
            return try ScalarText.parse(text, kind: keyField.kind)
        } catch {
            throw DynamicMessageError(error.code, path: path, "invalid map key: \(error.text)")
        }
    }

    /// Reads the text of one value of a kind.
    static func parseLeaf(
        _ text: String, _ kind: FieldSchema.Kind, path: String
    ) throws(DynamicMessageError) -> DynamicValue {
        guard case .message(let schema) = kind else {
            do throws(ValueProblem) {
                return try ScalarText.parse(text, kind: kind)
            } catch {
                throw error.at(path)
            }
        }
        var message = DynamicMessage(schema: schema)
        switch schema.wellKnown {
        case .timestamp?, .duration?:
            do throws(ValueProblem) {
                let (seconds, nanos) =
                    schema.wellKnown == .timestamp
                    ? try TimeText.parseTimestamp(text, allowDateOnly: true) : try TimeText.parseDuration(text)
                message.put(1, .int64(seconds))
                message.put(2, .int32(nanos))
            } catch {
                throw error.at(path)
            }
        case .doubleValue?, .floatValue?, .int64Value?, .uint64Value?, .int32Value?, .uint32Value?, .boolValue?,
            .stringValue?, .bytesValue?:
            guard let field = message.field(1) else { break }
            message.store(try parseLeaf(text, field.kind, path: path), in: field)
        case .fieldMask?:
            for part in text.split(separator: ",") {
                message.add(1, .string(FieldMaskText.fromJSON(String(part))))
            }
        case .empty? where text.isEmpty:
            break
        case .value?:
            do {
                try message.merge(jsonString: text)
            } catch  where error.code == .malformedJSON {
                message = DynamicMessage(schema: schema)  // not JSON: the text is a string value
                message.put(3, .string(text))
            } catch {
                throw error.nested(under: path)
            }
        default:
            do {
                try message.merge(jsonString: text)
            } catch {
                if error.code == .malformedJSON {
                    throw DynamicMessageError(
                        .malformedJSON, path: path, "expected a JSON object for \(schema.fullName): \(error.message)")
                }
                throw error.nested(under: path)
            }
        }
        return .message(message)
    }
}
