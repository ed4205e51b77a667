// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

/// A connection's prepared statements keyed by SQL text, bounded, evicting the least recently used.
///
/// Preparing is the costly part of a small query; the storage layer runs the same few dozen
/// statements over and over. Statements are checked out while they run, so a nested query with
/// the same SQL (inside a row closure) prepares a second statement instead of resetting the first
/// under its feet; only one statement per SQL text is kept.
struct StatementCache {
    let capacity: Int
    private var statements: [String: Statement] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// How many statements are kept now; never more than `capacity`.
    var count: Int { statements.count }

    func contains(_ sql: String) -> Bool { statements[sql] != nil }

    /// The kept statement for `sql`, marked in use, or nil when there is none or it is busy.
    mutating func checkOut(_ sql: String) -> Statement? {
        guard let statement = statements[sql], !statement.isInUse else { return nil }
        statement.isInUse = true
        return statement
    }

    /// Takes a statement back after use (already reset) as the most recently used one.
    mutating func checkIn(_ statement: Statement) {
        statement.isInUse = false
        clock += 1
        statement.lastUse = clock
        guard statements[statement.sql] == nil, capacity > 0 else { return }
        if statements.count >= capacity, let oldest = statements.values.min(by: { $0.lastUse < $1.lastUse }) {
            statements[oldest.sql] = nil
        }
        statements[statement.sql] = statement
    }

    /// Drops every statement, which finalizes those not in use.
    mutating func removeAll() {
        statements.removeAll()
    }
}
