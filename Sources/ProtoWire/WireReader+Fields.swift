// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

extension WireReader {
    /// Reads one value with `codec`.
    @inlinable
    public mutating func read<C: WireCodec>(_ codec: C.Type) throws(WireError) -> C.Value {
        try C.read(from: &self)
    }

    /// Reads a packed run of values and appends them; parsers accept packed input for any
    /// repeated scalar field, whatever the schema says.
    @inlinable
    public mutating func readPacked<C: WireCodec>(_ codec: C.Type, into values: inout [C.Value]) throws(WireError) {
        let length = try readLength()
        if C.fixedSize > 0 {
            guard length % C.fixedSize == 0 else { throw error(.packedLengthMismatch) }
            values.reserveCapacity(values.count + length / C.fixedSize)
        }
        let savedEnd = end
        end = cursor + length
        while cursor != end {
            values.append(try C.read(from: &self))
        }
        end = savedEnd
    }

    /// Reads a proto2 (closed) enum value; a value the schema does not name is kept as an unknown
    /// field and nil is returned, as the reference implementations do.
    @inlinable
    public mutating func readClosedEnum<E: ProtoEnum>(
        _ type: E.Type,
        fieldNumber: Int,
        unknownFields: inout UnknownFields
    ) throws(WireError) -> E? {
        let wide = try readVarint()
        let raw = Int32(truncatingIfNeeded: wide)
        guard E.isKnown(raw) else {
            unknownFields.appendVarint(fieldNumber: fieldNumber, value: wide)
            return nil
        }
        return E(rawValue: raw)
    }

    /// Reads a packed run of proto2 enum values; unnamed values become unknown varint fields.
    @inlinable
    public mutating func readPackedClosedEnum<E: ProtoEnum>(
        _ type: E.Type,
        fieldNumber: Int,
        into values: inout [E],
        unknownFields: inout UnknownFields
    ) throws(WireError) {
        let length = try readLength()
        let savedEnd = end
        end = cursor + length
        while cursor != end {
            if let value = try readClosedEnum(E.self, fieldNumber: fieldNumber, unknownFields: &unknownFields) {
                values.append(value)
            }
        }
        end = savedEnd
    }

    /// Reads one map entry (`key = 1`, `value = 2`, either may be missing) into `map`; a
    /// repeated key replaces the earlier entry.
    @inlinable
    public mutating func readMapEntry<K: WireCodec, V: WireCodec>(
        _ keyCodec: K.Type,
        _ valueCodec: V.Type,
        into map: inout [K.Value: V.Value]
    ) throws(WireError) {
        let (key, value) = try readMapEntryPair(K.self, V.self)
        // Room for 4 entries up front saves the 0 -> 1 -> 3 growth steps (a new table and a
        // rehash each). `Dictionary(minimumCapacity:)` is specialized here; `reserveCapacity`
        // goes through an unspecialized resize in libswiftCore with a metadata lookup.
        if map.isEmpty { map = Dictionary(minimumCapacity: 4) }
        map[key] = value
    }

    /// Reads one entry of a map whose values are a proto2 enum: an entry with an unnamed value is
    /// kept whole as an unknown field.
    @inlinable
    public mutating func readMapEntryClosedEnum<K: WireCodec, E: ProtoEnum>(
        _ keyCodec: K.Type,
        _ valueType: E.Type,
        into map: inout [K.Value: E],
        unknownFields: inout UnknownFields
    ) throws(WireError) {
        let entryStart = fieldStart
        let (key, value) = try readMapEntryPair(K.self, WireEnum<E>.self)
        if E.isKnown(value.rawValue) {
            map[key] = value
        } else {
            unknownFields.append(bytes(since: entryStart))
        }
    }

    @inlinable
    mutating func readMapEntryPair<K: WireCodec, V: WireCodec>(
        _ keyCodec: K.Type,
        _ valueCodec: V.Type
    ) throws(WireError) -> (K.Value, V.Value) {
        let length = try readLength()
        guard depthBudget > 0 else { throw error(.depthLimitExceeded) }
        let savedEnd = end
        let savedGroup = openGroup
        end = cursor + length
        openGroup = 0
        depthBudget -= 1
        var key = K.defaultValue
        var value = V.defaultValue
        let keyTag = 1 << 3 | K.wireType
        let valueTag = 2 << 3 | V.wireType
        while let tag = try nextTag() {
            switch tag.rawValue {
            case keyTag: key = try K.read(from: &self)
            case valueTag: try V.merge(from: &self, into: &value)
            default: try skipValue(tag)
            }
        }
        depthBudget += 1
        openGroup = savedGroup
        end = savedEnd
        return (key, value)
    }
}
