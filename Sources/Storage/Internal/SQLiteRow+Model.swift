// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

/// Reading the model's value types from columns, strictly: a value no case matches is an
/// internal failure naming the column, never a silent default.
extension SQLiteRow {
    func timestamp(_ index: Int) throws -> Timestamp {
        Timestamp(microsecondsSinceEpoch: try int64(index))
    }

    func optionalTimestamp(_ index: Int) throws -> Timestamp? {
        try optionalInt64(index).map(Timestamp.init(microsecondsSinceEpoch:))
    }

    func int(_ index: Int) throws -> Int {
        let value = try int64(index)
        guard let int = Int(exactly: value) else {
            throw StorageFailure.unreadable(column: try columnName(index), value: String(value))
        }
        return int
    }

    /// A TEXT column holding an enum's raw value.
    func enumeration<Value: RawRepresentable>(_ type: Value.Type, _ index: Int) throws -> Value
    where Value.RawValue == String {
        let raw = try text(index)
        guard let value = Value(rawValue: raw) else {
            throw StorageFailure.unreadable(column: try columnName(index), value: "'\(raw)'")
        }
        return value
    }

    /// A nullable TEXT column holding an enum's raw value.
    func optionalEnumeration<Value: RawRepresentable>(_ type: Value.Type, _ index: Int) throws -> Value?
    where Value.RawValue == String {
        try isNull(index) ? nil : try enumeration(type, index)
    }
}

extension SQLiteValue {
    init(_ timestamp: Timestamp) {
        self = .integer(timestamp.microsecondsSinceEpoch)
    }

    init(_ timestamp: Timestamp?) {
        self = timestamp.map { .integer($0.microsecondsSinceEpoch) } ?? .null
    }

    init<Value: RawRepresentable>(_ value: Value) where Value.RawValue == String {
        self = .text(value.rawValue)
    }

    init<Value: RawRepresentable>(_ value: Value?) where Value.RawValue == String {
        self = value.map { .text($0.rawValue) } ?? .null
    }
}
