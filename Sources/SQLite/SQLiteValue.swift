// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

/// One SQLite value: what a statement binds and what a column holds.
///
/// The five cases are SQLite's own storage classes, so a value survives a round trip unchanged
/// (integers stay exact to `Int64.min`/`Int64.max`, empty text stays text, empty blobs stay blobs).
/// The literal conformances and optional initializers keep binding lists short:
/// `[42, "name", nil, SQLiteValue(optionalNote)]`.
public enum SQLiteValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue {
    /// An integer, or NULL when `value` is nil.
    public init(_ value: Int?) {
        self = value.map { .integer(Int64($0)) } ?? .null
    }

    /// An integer, or NULL when `value` is nil.
    public init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    /// 1 for true and 0 for false (SQLite has no boolean class), or NULL when `value` is nil.
    public init(_ value: Bool?) {
        self = value.map { .integer($0 ? 1 : 0) } ?? .null
    }

    /// A real, or NULL when `value` is nil.
    public init(_ value: Double?) {
        self = value.map { .real($0) } ?? .null
    }

    /// Text, or NULL when `value` is nil.
    public init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    /// A blob, or NULL when `value` is nil.
    public init(_ value: [UInt8]?) {
        self = value.map { .blob($0) } ?? .null
    }
}

extension SQLiteValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension SQLiteValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLiteValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLiteValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLiteValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
