// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// A message of any type in a `DescriptorPool`, holding its fields by number.
///
/// It is what generated code is for one schema, for every schema at once: the CLI builds requests
/// from flags or JSON, encodes them, and decodes and renders responses without a type per
/// message. A value type like generated messages, with the same rules: implicit-presence fields
/// at their zero value are not stored, setting a oneof member clears the others, enums keep
/// numbers the schema does not name, and unknown fields are kept and re-emitted.
public struct DynamicMessage: Sendable, Hashable {
    /// What one field holds.
    enum Slot: Sendable, Hashable {
        case single(DynamicValue)
        case list([DynamicValue])
        case map([DynamicValue: DynamicValue])
    }

    /// The message type.
    public let schema: MessageSchema

    /// Present fields by number.
    var slots: [Int: Slot] = [:]

    /// Fields the schema does not define (and proto2 enum values it does not name), kept as
    /// their raw bytes and written back after the known fields.
    public var unknownFields = UnknownFields()

    /// An empty message of a type.
    public init(schema: MessageSchema) {
        self.schema = schema
    }

    // MARK: Reading

    /// Whether a field is set: a singular field with presence that was set, an implicit-presence
    /// field that is not zero, a repeated or map field that is not empty.
    public func has(_ field: FieldSchema) -> Bool {
        checkOwnership(field)
        return slots[field.number] != nil
    }

    /// The value of a singular field, or its default when it is not set.
    public func value(_ field: FieldSchema) -> DynamicValue {
        checkOwnership(field)
        if case .single(let value) = slots[field.number] { return value }
        return field.defaultValue
    }

    /// The value of a singular field, or nil when it is not set.
    public func valueIfPresent(_ field: FieldSchema) -> DynamicValue? {
        checkOwnership(field)
        if case .single(let value) = slots[field.number] { return value }
        return nil
    }

    /// The value of the field with a proto or JSON name, or nil when there is no such field or
    /// it is not set; for repeated fields see `values(_:)`.
    public subscript(name: String) -> DynamicValue? {
        guard let field = schema.field(named: name) else { return nil }
        return valueIfPresent(field)
    }

    /// The elements of a repeated (non-map) field.
    public func values(_ field: FieldSchema) -> [DynamicValue] {
        checkOwnership(field)
        if case .list(let values) = slots[field.number] { return values }
        return []
    }

    /// The entries of a map field, in key order.
    public func entries(_ field: FieldSchema) -> [(key: DynamicValue, value: DynamicValue)] {
        checkOwnership(field)
        guard case .map(let map) = slots[field.number] else { return [] }
        return map.sorted { DynamicValue.keyPrecedes($0.key, $1.key) }.map { (key: $0.key, value: $0.value) }
    }

    /// The set fields, in field-number order.
    public var setFields: [FieldSchema] {
        schema.fields.filter { slots[$0.number] != nil }
    }

    /// The member of a oneof that is set, if any.
    public func setField(in oneof: OneofSchema) -> FieldSchema? {
        oneof.fields.first { slots[$0.number] != nil }
    }

    /// Whether no field is set and there are no unknown fields.
    public var isEmpty: Bool { slots.isEmpty && unknownFields.isEmpty }

    // MARK: Writing

    /// Sets a singular field; throws when the value's type does not fit the field or the field
    /// is repeated.
    public mutating func set(_ field: FieldSchema, to value: DynamicValue) throws(DynamicMessageError) {
        checkOwnership(field)
        guard !field.isRepeated else {
            throw DynamicMessageError(
                .wrongType, path: field.name,
                "has type \(field.typeDescription); append to it or set its entries instead")
        }
        try checkFits(value, field)
        store(value, in: field)
    }

    /// Appends an element to a repeated (non-map) field.
    public mutating func append(_ value: DynamicValue, to field: FieldSchema) throws(DynamicMessageError) {
        checkOwnership(field)
        guard field.isRepeated, !field.isMap else {
            throw DynamicMessageError(.wrongType, path: field.name, "has type \(field.typeDescription), not a list")
        }
        try checkFits(value, field)
        appendUnchecked(value, to: field)
    }

    /// Sets the entry for a key of a map field, replacing an earlier entry for the key.
    public mutating func setEntry(
        key: DynamicValue, value: DynamicValue, in field: FieldSchema
    ) throws(DynamicMessageError) {
        checkOwnership(field)
        guard field.isMap, let keyField = field.mapKey, let valueField = field.mapValue else {
            throw DynamicMessageError(.wrongType, path: field.name, "has type \(field.typeDescription), not a map")
        }
        try checkFits(key, keyField, path: field.name)
        try checkFits(value, valueField, path: field.name)
        setEntryUnchecked(key: key, value: value, in: field)
    }

    /// Replaces the elements of a repeated field (or clears it with an empty array).
    public mutating func setValues(_ values: [DynamicValue], for field: FieldSchema) throws(DynamicMessageError) {
        clear(field)
        for value in values { try append(value, to: field) }
    }

    /// Clears a field.
    public mutating func clear(_ field: FieldSchema) {
        checkOwnership(field)
        slots[field.number] = nil
    }

    // MARK: Internal

    private func checkOwnership(_ field: FieldSchema) {
        precondition(
            field.containingMessage == schema, "\(field) is not a field of \(schema.fullName)")
    }

    private func checkFits(_ value: DynamicValue, _ field: FieldSchema, path: String? = nil) throws(DynamicMessageError)
    {
        guard value.fits(field) else {
            throw DynamicMessageError(
                .wrongType, path: path ?? field.name,
                "has type \(field.singularTypeDescription), which cannot hold a value of type \(value.kindName)")
        }
    }

    /// Stores a value already known to fit: zero values of implicit-presence fields are dropped,
    /// and the other members of the field's oneof are cleared.
    mutating func store(_ value: DynamicValue, in field: FieldSchema) {
        if !field.hasPresence, value.isZero {
            slots[field.number] = nil
            return
        }
        if let oneof = field.oneof {
            for member in oneof.fields where member.number != field.number { slots[member.number] = nil }
        }
        slots[field.number] = .single(value)
    }

    mutating func appendUnchecked(_ value: DynamicValue, to field: FieldSchema) {
        if case .list(var values) = slots[field.number] {
            slots[field.number] = nil  // keeps `values` uniquely referenced while it grows
            values.append(value)
            slots[field.number] = .list(values)
        } else {
            slots[field.number] = .list([value])
        }
    }

    mutating func setEntryUnchecked(key: DynamicValue, value: DynamicValue, in field: FieldSchema) {
        if case .map(var map) = slots[field.number] {
            slots[field.number] = nil
            map[key] = value
            slots[field.number] = .map(map)
        } else {
            slots[field.number] = .map([key: value])
        }
    }
}

extension DynamicValue {
    /// The case's name, for error messages.
    var kindName: String {
        switch self {
        case .bool: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .enumValue: "enum"
        case .message(let message): message.schema.fullName
        }
    }
}
