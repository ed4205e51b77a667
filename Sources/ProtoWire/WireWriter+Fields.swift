// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

extension WireWriter {
    /// Writes a packed repeated field: one tag, one length, then the values back to back.
    @inlinable
    public mutating func writePacked<C: WireCodec>(_ codec: C.Type, _ values: [C.Value], tag: UInt32) {
        writeTag(tag)
        writeVarint(UInt64(WireSize.packedPayload(C.self, values)))
        for value in values {
            C.write(value, to: &self)
        }
    }

    /// Writes every entry of a map field, in key order so equal maps encode to equal bytes.
    @inlinable
    public mutating func writeMap<K: WireCodec, V: WireCodec>(
        _ keyCodec: K.Type,
        _ valueCodec: V.Type,
        _ map: [K.Value: V.Value],
        tag: UInt32
    ) where K.Value: ProtoMapKey {
        if map.count == 1, let (key, value) = map.first {
            writeMapEntry(K.self, V.self, key: key, value: value, tag: tag)
            return
        }
        if map.count <= 16 {
            // Insertion sort of the entries' indices in stack memory: no array, no hash lookups.
            withUnsafeTemporaryAllocation(of: Dictionary<K.Value, V.Value>.Index.self, capacity: map.count) { order in
                let slots = order.baseAddress!
                var n = 0
                var index = map.startIndex
                while index != map.endIndex {
                    let key = map[index].key
                    var slot = n
                    while slot > 0, K.Value.protoKeyPrecedes(key, map[slots[slot - 1]].key) { slot -= 1 }
                    (slots + slot + 1).moveInitialize(from: slots + slot, count: n - slot)
                    (slots + slot).initialize(to: index)
                    n += 1
                    map.formIndex(after: &index)
                }
                for slot in 0..<n {
                    let (key, value) = map[slots[slot]]
                    writeMapEntry(K.self, V.self, key: key, value: value, tag: tag)
                }
                slots.deinitialize(count: n)
            }
            return
        }
        // Sorting the entries rather than the keys saves a hash lookup per entry.
        for (key, value) in map.sorted(by: { K.Value.protoKeyPrecedes($0.key, $1.key) }) {
            writeMapEntry(K.self, V.self, key: key, value: value, tag: tag)
        }
    }

    @inlinable
    mutating func writeMapEntry<K: WireCodec, V: WireCodec>(
        _ keyCodec: K.Type,
        _ valueCodec: V.Type,
        key: K.Value,
        value: V.Value,
        tag: UInt32
    ) {
        writeTag(tag)
        writeVarint(UInt64(2 + K.size(of: key) + V.size(of: value)))
        writeByte(UInt8(1 << 3 | K.wireType))
        K.write(key, to: &self)
        writeByte(UInt8(2 << 3 | V.wireType))
        V.write(value, to: &self)
    }
}

extension WireSize {
    /// The payload size of a packed field (without its tag and length prefix).
    @inlinable
    public static func packedPayload<C: WireCodec>(_ codec: C.Type, _ values: [C.Value]) -> Int {
        if C.fixedSize > 0 { return C.fixedSize * values.count }
        var total = 0
        for value in values { total += C.size(of: value) }
        return total
    }

    /// The size of a packed field with a tag of `tagSize` bytes; zero when there are no values.
    @inlinable
    public static func packed<C: WireCodec>(_ codec: C.Type, _ values: [C.Value], tagSize: Int) -> Int {
        if values.isEmpty { return 0 }
        return tagSize + lengthDelimited(packedPayload(C.self, values))
    }

    /// The size of every entry of a map field with a tag of `tagSize` bytes.
    @inlinable
    public static func map<K: WireCodec, V: WireCodec>(
        _ keyCodec: K.Type,
        _ valueCodec: V.Type,
        _ map: [K.Value: V.Value],
        tagSize: Int
    ) -> Int {
        var total = 0
        for (key, value) in map {
            let entry = 2 + K.size(of: key) + V.size(of: value)
            total += tagSize + varint(UInt64(entry)) + entry
        }
        return total
    }
}

/// A type that can key a protobuf map, with the order used to encode maps deterministically.
public protocol ProtoMapKey: Hashable, Sendable {
    static func protoKeyPrecedes(_ lhs: Self, _ rhs: Self) -> Bool
}

extension Int32: ProtoMapKey {
    @inlinable public static func protoKeyPrecedes(_ lhs: Int32, _ rhs: Int32) -> Bool { lhs < rhs }
}
extension Int64: ProtoMapKey {
    @inlinable public static func protoKeyPrecedes(_ lhs: Int64, _ rhs: Int64) -> Bool { lhs < rhs }
}
extension UInt32: ProtoMapKey {
    @inlinable public static func protoKeyPrecedes(_ lhs: UInt32, _ rhs: UInt32) -> Bool { lhs < rhs }
}
extension UInt64: ProtoMapKey {
    @inlinable public static func protoKeyPrecedes(_ lhs: UInt64, _ rhs: UInt64) -> Bool { lhs < rhs }
}
extension Bool: ProtoMapKey {
    @inlinable public static func protoKeyPrecedes(_ lhs: Bool, _ rhs: Bool) -> Bool { !lhs && rhs }
}
extension String: ProtoMapKey {
    /// Byte order of the UTF-8 encoding, as the other protobuf runtimes sort string keys.
    @inlinable public static func protoKeyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        let contiguous: Bool?? = lhs.utf8.withContiguousStorageIfAvailable { a in
            rhs.utf8.withContiguousStorageIfAvailable { b in
                let common = Swift.min(a.count, b.count)
                var i = 0
                while i < common {
                    if a[i] != b[i] { return a[i] < b[i] }
                    i += 1
                }
                return a.count < b.count
            }
        }
        if let contiguous, let contiguous { return contiguous }
        return lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
