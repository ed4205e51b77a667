// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler

/// One enum type of a `DescriptorPool`: its values by name and number.
///
/// It also owns the forgiving name matching a command line wants: `decimal_2`, `DECIMAL-2` and
/// `PRECISION_DECIMAL_2` all name `Precision.PRECISION_DECIMAL_2`.
public struct EnumSchema: Sendable, Hashable, CustomStringConvertible {
    /// One named value.
    public struct Value: Sendable, Hashable {
        public let name: String
        public let number: Int32
    }

    let storage: PoolStorage
    let index: Int

    init(storage: PoolStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    var record: PoolStorage.EnumRecord { storage.enums[index] }

    /// The fully-qualified name without a leading dot.
    public var fullName: String { record.fullName }

    public var name: String { record.name }

    /// The values in declaration order.
    public var values: [Value] { record.values.map { Value(name: $0.name, number: $0.number) } }

    /// Whether numbers the schema does not name are rejected (proto2) rather than kept (proto3).
    public var isClosed: Bool { record.isClosed }

    /// The first value name declared for a number (aliases share numbers), or nil.
    public func name(for number: Int32) -> String? {
        record.values.first { $0.number == number }?.name
    }

    /// The value with exactly this name.
    public func value(named name: String) -> Value? {
        record.values.first { $0.name == name }.map { Value(name: $0.name, number: $0.number) }
    }

    /// The value a person most likely means by `text`: the exact name; else, ignoring case and
    /// reading `-` as `_`, the full name or the name without the enum's prefix
    /// (`PRECISION_` for `Precision`).
    public func value(matching text: String) -> Value? {
        if let exact = value(named: text) { return exact }
        let wanted = String(text.uppercased().map { $0 == "-" ? "_" : $0 })
        let prefix = record.valuePrefix
        for value in record.values {
            let upper = value.name.uppercased()
            if upper == wanted { return Value(name: value.name, number: value.number) }
            if upper.hasPrefix(prefix), upper.dropFirst(prefix.count) == wanted[...] {
                return Value(name: value.name, number: value.number)
            }
        }
        return nil
    }

    public var description: String { fullName }

    public static func == (lhs: EnumSchema, rhs: EnumSchema) -> Bool {
        lhs.storage === rhs.storage && lhs.index == rhs.index
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(index)
    }
}
