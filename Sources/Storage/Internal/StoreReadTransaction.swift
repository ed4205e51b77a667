// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

/// The domain's reads over one SQLite connection, for as long as one transaction lasts.
///
/// `SQLiteDataStore` makes one per `read` (and a `StoreWriteTransaction`, its subclass, per
/// `write`), lends it to the domain's closure and ends it when the closure returns. It is not
/// `Sendable`, so the closure cannot return it; a copy kept some other way fails every call once
/// ended instead of touching a connection that has moved on to other work. Every SQLite failure
/// becomes a `DomainError` here, so a closure that catches `alreadyExists` to try something else
/// sees the domain's error, not the engine's.
class StoreReadTransaction: StoreReader {
    private let connection: SQLiteConnection
    private var isOpen = true

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Makes every later call fail: the transaction is over.
    final func end() {
        isOpen = false
    }

    /// Runs `body` on the connection while the transaction is open, mapping SQLite failures to
    /// `DomainError` (a unique violation names `noun` `id`, or the rule of `uniqueness` it broke).
    final func perform<R>(
        noun: String? = nil, id: String? = nil, uniqueness: [StorageFailure.Uniqueness] = [],
        _ body: (SQLiteConnection) throws -> R
    ) throws -> R {
        guard isOpen else {
            throw DomainError.internalFailure("a store transaction was used after its closure returned")
        }
        do {
            return try body(connection)
        } catch let error as SQLiteError {
            throw StorageFailure.domainError(error, noun: noun, id: id, uniqueness: uniqueness)
        }
    }

    // MARK: Shared reads

    /// One object by id, or nil; `columns` must start with `seq`, which `decode` skips.
    final func fetch<T>(
        _ table: String, _ columns: String, id: String, decode: (borrowing SQLiteRow) throws -> T
    ) throws -> T? {
        try perform { connection in
            try connection.queryOne("SELECT \(columns) FROM \(table) WHERE id = ?", [.text(id)], row: decode)
        }
    }

    /// One object matching `filter`, or nil; the first in position order when several match.
    final func fetchFirst<T>(
        _ table: String, _ columns: String, _ filter: RowFilter, decode: (borrowing SQLiteRow) throws -> T
    ) throws -> T? {
        try perform { connection in
            try connection.queryOne(
                "SELECT \(columns) FROM \(table)\(filter.whereClause) ORDER BY seq LIMIT 1", filter.bindings,
                row: decode)
        }
    }

    /// Every object matching `filter`, in position order.
    final func fetchAll<T>(
        _ table: String, _ columns: String, _ filter: RowFilter, decode: (borrowing SQLiteRow) throws -> T
    ) throws -> [T] {
        try perform { connection in
            try connection.query(
                "SELECT \(columns) FROM \(table)\(filter.whereClause) ORDER BY seq", filter.bindings, row: decode)
        }
    }

    /// One page of the objects matching `filter`: at most `request.size` after position
    /// `request.after`, in position order; `columns` must start with `seq`.
    ///
    /// It reads one row more than the page holds, so it knows whether another page follows
    /// without a count. A size below 1 reads one object, so a page always makes progress.
    final func page<T>(
        _ table: String, _ columns: String, _ filter: RowFilter, _ request: PageRequest,
        decode: (borrowing SQLiteRow) throws -> T
    ) throws -> Page<T> {
        var filter = filter
        if let after = request.after {
            filter.add("seq > ?", .integer(after))
        }
        let size = max(1, request.size)
        let rows = try perform { connection in
            try connection.query(
                "SELECT \(columns) FROM \(table)\(filter.whereClause) ORDER BY seq LIMIT ?",
                filter.bindings + [.integer(Int64(size) + 1)]
            ) { row in (try row.int64(0), try decode(row)) }
        }
        guard rows.count > size else { return Page(items: rows.map(\.1), nextAfter: nil) }
        let items = rows.prefix(size)
        return Page(items: items.map(\.1), nextAfter: items.last?.0)
    }

    /// Whether a row of `table` has this id.
    final func exists(_ table: String, id: String) throws -> Bool {
        try perform { connection in
            try connection.queryOne("SELECT 1 FROM \(table) WHERE id = ?", [.text(id)]) { _ in true } ?? false
        }
    }

    // MARK: Histories

    /// A status history, oldest first.
    final func history(_ table: HistoryTable, of ownerID: String) throws -> [StatusChange] {
        try perform { connection in
            try connection.query(
                "SELECT from_status, to_status, at, actor, reason FROM \(table.name) WHERE \(table.ownerColumn) = ? "
                    + "ORDER BY position",
                [.text(ownerID)]
            ) { row in
                StatusChange(
                    from: try row.text(0), to: try row.text(1), at: try row.timestamp(2), actor: try row.text(3),
                    reason: try row.text(4))
            }
        }
    }
}

/// The child tables that hold status histories.
enum HistoryTable {
    case contract, listing, subscription, usageFile

    var name: String {
        switch self {
        case .contract: "contract_history"
        case .listing: "listing_history"
        case .subscription: "subscription_history"
        case .usageFile: "usage_file_history"
        }
    }

    var ownerColumn: String {
        switch self {
        case .contract: "contract_id"
        case .listing: "listing_id"
        case .subscription: "subscription_id"
        case .usageFile: "file_id"
        }
    }
}

/// The conditions of a `WHERE` clause and their values, built from a domain filter.
///
/// Conditions are fixed SQL written in this module; only values are bound, never spliced, so a
/// filter value can never change a query's meaning.
struct RowFilter {
    private(set) var conditions: [String] = []
    private(set) var bindings: [SQLiteValue] = []

    init() {}

    init(_ column: String, equals value: String) {
        equal(column, value)
    }

    mutating func add(_ condition: String, _ values: SQLiteValue...) {
        conditions.append(condition)
        bindings.append(contentsOf: values)
    }

    /// `column = value`, or nothing when `value` is nil (a filter field that is not set).
    mutating func equal(_ column: String, _ value: String?) {
        if let value { add("\(column) = ?", .text(value)) }
    }

    /// `column = value` for an enum's raw value, or nothing when `value` is nil.
    mutating func equal<Value: RawRepresentable>(_ column: String, _ value: Value?) where Value.RawValue == String {
        if let value { add("\(column) = ?", .text(value.rawValue)) }
    }

    /// `column IN (values…)`; an empty list matches nothing.
    mutating func oneOf(_ column: String, _ values: [String]) {
        if values.isEmpty {
            conditions.append("0")
        } else {
            conditions.append("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))")
            bindings.append(contentsOf: values.map(SQLiteValue.text))
        }
    }

    var whereClause: String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }
}
