// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

/// The domain's reads and writes over the writer connection, inside one `BEGIN IMMEDIATE`
/// transaction.
///
/// A subclass of the read transaction so the reads exist once; the read transaction a `read`
/// lends is not one of these, so casting it to `StoreWriter` fails (and its connection is
/// read-only besides).
final class StoreWriteTransaction: StoreReadTransaction, StoreWriter {
    /// The position of the last event this transaction appended, so the store can wake event
    /// watchers once it commits; nil when it appended none.
    var lastEventPosition: Int64?
    /// The INSERTs of `appendUsageRecords`, prepared on first use and kept for the transaction.
    var usageRecordInserts: UsageRecordInserts?

    /// Runs one INSERT, UPDATE or DELETE and returns how many rows it changed.
    @discardableResult
    func run(
        _ sql: String, _ bindings: [SQLiteValue], noun: String? = nil, id: String? = nil,
        uniqueness: [StorageFailure.Uniqueness] = []
    ) throws -> Int {
        try perform(noun: noun, id: id, uniqueness: uniqueness) { connection in
            try connection.run(sql, bindings)
        }
    }

    /// Runs an UPDATE of the object `noun` `id`; no row changed means it does not exist.
    func update(
        _ sql: String, _ bindings: [SQLiteValue], noun: String, id: String,
        uniqueness: [StorageFailure.Uniqueness] = []
    ) throws {
        let changed = try run(sql, bindings, noun: noun, id: id, uniqueness: uniqueness)
        if changed == 0 { throw DomainError.notFound(noun, id) }
    }

    /// Makes the stored history of `ownerID` equal to `history`, touching only what differs:
    /// histories only grow, so an update usually appends one row instead of rewriting them all.
    /// Each new entry is also appended to the audit trail, seen by `audience(entry)`, in this
    /// same transaction.
    func saveHistory(
        _ table: HistoryTable, of ownerID: String, _ history: [StatusChange], isNew: Bool,
        audience: (StatusChange) -> EventAudience
    ) throws {
        let stored = isNew ? [] : try self.history(table, of: ownerID)
        try appendEvents(table, of: ownerID, history, storedCount: stored.count, audience: audience)
        try synchronize(
            stored: stored, wanted: history,
            deleteFrom: { position in
                try run(
                    "DELETE FROM \(table.name) WHERE \(table.ownerColumn) = ? AND position >= ?",
                    [.text(ownerID), .integer(Int64(position))])
            },
            insert: { position, change in
                try run(
                    "INSERT INTO \(table.name) (\(table.ownerColumn), position, from_status, to_status, at, actor, "
                        + "reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        .text(ownerID), .integer(Int64(position)), .text(change.from), .text(change.to),
                        SQLiteValue(change.at), .text(change.actor), .text(change.reason),
                    ])
            })
    }

    /// Brings `stored` to `wanted` with the fewest statements: keeps the common prefix, deletes
    /// every stored entry from the first difference on, and inserts the rest of `wanted`.
    func synchronize<Element: Equatable>(
        stored: [Element], wanted: [Element], deleteFrom: (Int) throws -> Void,
        insert: (Int, Element) throws -> Void
    ) throws {
        var common = 0
        while common < stored.count, common < wanted.count, stored[common] == wanted[common] {
            common += 1
        }
        if common < stored.count {
            try deleteFrom(common)
        }
        for position in common..<wanted.count {
            try insert(position, wanted[position])
        }
    }
}
