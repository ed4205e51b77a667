// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// The audit trail: events appended inside the transaction that makes the change, and read back
// per tenant through the audience key, one range scan in position order.

private let eventColumns =
    "e.position, e.object_type, e.object_id, e.from_status, e.to_status, e.reason, e.actor, e.at"

private func decodeEvent(_ row: borrowing SQLiteRow) throws -> Event {
    Event(
        position: try row.int64(0), objectType: try row.enumeration(EventObjectType.self, 1),
        objectID: try row.text(2), from: try row.text(3), to: try row.text(4), reason: try row.text(5),
        actor: try row.text(6), at: try row.timestamp(7))
}

extension StoreReadTransaction {
    func events(_ filter: EventFilter, limit: Int) throws -> [Event] {
        var rows = RowFilter()
        rows.add("a.tenant_id = ?", .text(filter.tenantID))
        rows.add("a.position > ?", .integer(filter.afterPosition))
        if !filter.objectTypes.isEmpty {
            rows.oneOf("e.object_type", filter.objectTypes.map(\.rawValue))
        }
        rows.equal("e.object_id", filter.objectID)
        return try perform { connection in
            try connection.query(
                "SELECT \(eventColumns) FROM event_audience a JOIN events e ON e.position = a.position"
                    + "\(rows.whereClause) ORDER BY a.position LIMIT ?",
                rows.bindings + [.integer(Int64(max(limit, 1)))], row: decodeEvent)
        }
    }

    func lastEventPosition() throws -> Int64 {
        try perform { connection in
            try connection.queryOne("SELECT max(position) FROM events") { try $0.optionalInt64(0) } ?? nil
        } ?? 0
    }
}

extension StoreWriteTransaction {
    @discardableResult
    func appendEvent(_ draft: EventDraft) throws -> Int64 {
        let position = try perform { connection in
            try connection.run(
                "INSERT INTO events (object_type, object_id, from_status, to_status, reason, actor, at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    SQLiteValue(draft.objectType), .text(draft.objectID), .text(draft.from), .text(draft.to),
                    .text(draft.reason), .text(draft.actor), SQLiteValue(draft.at),
                ])
            return connection.lastInsertRowID
        }
        for tenantID in draft.audience.tenantIDs {
            try run(
                "INSERT INTO event_audience (tenant_id, position) VALUES (?, ?)",
                [.text(tenantID), .integer(position)])
        }
        lastEventPosition = position
        return position
    }

    /// Appends the events of the entries of a status history that are new since it was stored.
    ///
    /// Why only those past the stored count: a history only grows, so what lies past the stored
    /// entries is exactly what this transaction changed; an entry rewritten in place (which no
    /// operation does) is not a new change of state and gets no second event.
    func appendEvents(
        _ table: HistoryTable, of ownerID: String, _ history: [StatusChange], storedCount: Int,
        audience: (StatusChange) -> EventAudience
    ) throws {
        guard storedCount < history.count else { return }
        for change in history[storedCount...] {
            try appendEvent(
                EventDraft(change, objectType: table.eventObjectType, objectID: ownerID, audience: audience(change)))
        }
    }
}

extension HistoryTable {
    /// The kind of object whose history the table holds, as events name it.
    var eventObjectType: EventObjectType {
        switch self {
        case .contract: .contract
        case .listing: .listing
        case .subscription: .subscription
        case .usageFile: .usageFile
        }
    }
}
