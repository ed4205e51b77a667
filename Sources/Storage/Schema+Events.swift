// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// The audit trail of state changes.
    ///
    /// Why this shape: `position` is the rowid, given out by the single writer inside the
    /// transaction that makes the change, so positions increase in commit order and a reader that
    /// continues after the last position it saw misses nothing. Events are never deleted, so the
    /// next rowid (one past the largest) is never a position given out before: AUTOINCREMENT
    /// would guarantee the same at the cost of a `sqlite_sequence` update per event, and a
    /// reconciliation stream writes tens of thousands of events a second. Who sees an event is decided when it is written and kept as one
    /// row per tenant in `event_audience`, keyed (tenant, position): a tenant's stream is one range
    /// scan of that key, whatever the other tenants do; its position is the event's, written in
    /// the same statement sequence by the same code, so no foreign key is checked per row.
    /// `events_object` serves one object's history.
    static let version3 = """
        CREATE TABLE events (
            position INTEGER PRIMARY KEY,
            object_type TEXT NOT NULL CHECK (object_type IN ('product', 'item', 'contract', 'listing',
                'subscription', 'usage_file', 'usage_record', 'reconciliation', 'reseller_billing')),
            object_id TEXT NOT NULL,
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX events_object ON events (object_id, position);

        CREATE TABLE event_audience (
            tenant_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, position)
        ) STRICT, WITHOUT ROWID;
        """

    /// API keys and service identities join the audit trail. SQLite cannot change a CHECK
    /// constraint in place, so the table is rebuilt with the wider list: same columns, same
    /// positions (copied as they are), same index. `event_audience` refers to positions only.
    static let version7 = """
        CREATE TABLE events_rebuilt (
            position INTEGER PRIMARY KEY,
            object_type TEXT NOT NULL CHECK (object_type IN ('product', 'item', 'contract', 'listing',
                'subscription', 'usage_file', 'usage_record', 'reconciliation', 'reseller_billing', 'api_key',
                'service_identity')),
            object_id TEXT NOT NULL,
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at INTEGER NOT NULL
        ) STRICT;
        INSERT INTO events_rebuilt (position, object_type, object_id, from_status, to_status, reason, actor, at)
            SELECT position, object_type, object_id, from_status, to_status, reason, actor, at FROM events;
        DROP TABLE events;
        ALTER TABLE events_rebuilt RENAME TO events;
        CREATE INDEX events_object ON events (object_id, position);
        """

    /// The tables `version3` creates, in creation order.
    static let eventTables: [String] = ["events", "event_audience"]
}
