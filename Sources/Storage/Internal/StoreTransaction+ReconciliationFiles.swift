// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Reconciliation files and the outcomes of their rows.
//
// Rows refer to their reconciliation by its `seq`, found once per call from the id; they page by
// their row number in the file.

private let reconciliationColumns =
    "seq, id, distributor_id, file_id, format, status, count_rows, count_closed, count_unchanged, count_failed, "
    + "error_detail, actor, created_at, completed_at"

private func decodeReconciliation(_ row: borrowing SQLiteRow) throws -> Reconciliation {
    Reconciliation(
        id: try row.text(1), distributorID: try row.text(2), fileID: try row.text(3),
        format: try row.enumeration(ReconciliationFormat.self, 4),
        status: try row.enumeration(ReconciliationStatus.self, 5),
        counts: ReconciliationCounts(
            rows: try row.int(6), closed: try row.int(7), unchanged: try row.int(8), failed: try row.int(9)),
        errorDetail: try row.text(10), actor: try row.text(11), createdAt: try row.timestamp(12),
        completedAt: try row.optionalTimestamp(13))
}

/// Every column after the id, in `reconciliationColumns` order.
private func reconciliationValues(_ reconciliation: Reconciliation) -> [SQLiteValue] {
    [
        .text(reconciliation.distributorID), .text(reconciliation.fileID), SQLiteValue(reconciliation.format),
        SQLiteValue(reconciliation.status), SQLiteValue(reconciliation.counts.rows),
        SQLiteValue(reconciliation.counts.closed), SQLiteValue(reconciliation.counts.unchanged),
        SQLiteValue(reconciliation.counts.failed), .text(reconciliation.errorDetail), .text(reconciliation.actor),
        SQLiteValue(reconciliation.createdAt), SQLiteValue(reconciliation.completedAt),
    ]
}

private let reconciliationRowColumns =
    "position, record_id, external_billing_id, external_billing_note, outcome, message"

private func decodeReconciliationRow(_ row: borrowing SQLiteRow, reconciliationID: String) throws
    -> ReconciliationRow
{
    ReconciliationRow(
        reconciliationID: reconciliationID, position: try row.int(0), recordID: try row.text(1),
        externalBillingID: try row.text(2), note: try row.text(3),
        outcome: try row.enumeration(ReconciliationRow.Outcome.self, 4), message: try row.text(5))
}

/// The outcomes `failedOnly` keeps out: fixed text, the same list the partial index names.
private let succeededOutcomes = "('closed', 'unchanged')"

extension StoreReadTransaction {
    func reconciliation(id: String) throws -> Reconciliation? {
        try fetch("reconciliations", reconciliationColumns, id: id, decode: decodeReconciliation)
    }

    func reconciliations(_ filter: ReconciliationFilter, page: PageRequest) throws -> Page<Reconciliation> {
        var rows = RowFilter()
        rows.equal("distributor_id", filter.distributorID)
        rows.equal("file_id", filter.fileID)
        if let statuses = filter.statuses {
            rows.oneOf("status", statuses.map(\.rawValue).sorted())
        }
        return try self.page("reconciliations", reconciliationColumns, rows, page, decode: decodeReconciliation)
    }

    func reconciliationRows(reconciliationID: String, failedOnly: Bool, page: PageRequest) throws
        -> Page<ReconciliationRow>
    {
        guard let seq = try reconciliationSeq(reconciliationID) else { return Page(items: [], nextAfter: nil) }
        var rows = RowFilter()
        rows.add("reconciliation_seq = ?", .integer(seq))
        if failedOnly { rows.add("outcome NOT IN \(succeededOutcomes)") }
        // The failed rows' partial index by name: SQLite otherwise walks every row of the
        // reconciliation to find the few that failed.
        let index = failedOnly ? " INDEXED BY reconciliation_rows_failed" : ""
        if let after = page.after { rows.add("position > ?", .integer(after)) }
        let size = max(1, page.size)
        let found = try perform { connection in
            try connection.query(
                "SELECT \(reconciliationRowColumns) FROM reconciliation_rows\(index)\(rows.whereClause) "
                    + "ORDER BY position LIMIT ?",
                rows.bindings + [.integer(Int64(size) + 1)]
            ) { row in try decodeReconciliationRow(row, reconciliationID: reconciliationID) }
        }
        guard found.count > size else { return Page(items: found, nextAfter: nil) }
        let items = Array(found.prefix(size))
        return Page(items: items, nextAfter: items.last.map { Int64($0.position) })
    }

    /// Through the (reconciliation, record id, position) index by name: left to itself, SQLite
    /// walks the primary key in position order to skip the sort, which reads every row of the
    /// reconciliation per lookup and makes a large file quadratic.
    func firstReconciliationRow(reconciliationID: String, recordID: String) throws -> ReconciliationRow? {
        guard let seq = try reconciliationSeq(reconciliationID) else { return nil }
        return try perform { connection in
            try connection.queryOne(
                "SELECT \(reconciliationRowColumns) FROM reconciliation_rows INDEXED BY reconciliation_rows_record "
                    + "WHERE reconciliation_seq = ? AND record_id = ? ORDER BY position LIMIT 1",
                [.integer(seq), .text(recordID)]
            ) { row in try decodeReconciliationRow(row, reconciliationID: reconciliationID) }
        }
    }

    /// The row number rows refer to a reconciliation by.
    final func reconciliationSeq(_ id: String) throws -> Int64? {
        try perform { connection in
            try connection.queryOne("SELECT seq FROM reconciliations WHERE id = ?", [.text(id)]) { row in
                try row.int64(0)
            }
        }
    }
}

extension StoreWriteTransaction {
    func insert(_ reconciliation: Reconciliation) throws {
        try run(
            "INSERT INTO reconciliations (\(reconciliationColumns.dropFirst("seq, ".count))) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(reconciliation.id)] + reconciliationValues(reconciliation), noun: "reconciliation",
            id: reconciliation.id)
    }

    func update(_ reconciliation: Reconciliation) throws {
        try update(
            "UPDATE reconciliations SET distributor_id = ?, file_id = ?, format = ?, status = ?, count_rows = ?, "
                + "count_closed = ?, count_unchanged = ?, count_failed = ?, error_detail = ?, actor = ?, "
                + "created_at = ?, completed_at = ? WHERE id = ?",
            reconciliationValues(reconciliation) + [.text(reconciliation.id)], noun: "reconciliation",
            id: reconciliation.id)
    }

    /// Inserts a batch of rows through one prepared statement: a large file stores a million.
    func appendReconciliationRows(_ rows: [ReconciliationRow]) throws {
        guard let first = rows.first else { return }
        guard let seq = try reconciliationSeq(first.reconciliationID) else {
            throw DomainError.notFound("reconciliation", first.reconciliationID)
        }
        try perform(noun: "reconciliation row") { connection in
            let insert = try connection.prepareStatement(
                "INSERT INTO reconciliation_rows (reconciliation_seq, \(reconciliationRowColumns)) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)")
            try insert.bind(1, seq)
            for row in rows {
                guard row.reconciliationID == first.reconciliationID else {
                    throw DomainError.internalFailure(
                        "a row of reconciliation \(row.reconciliationID) was appended to \(first.reconciliationID)")
                }
                try insert.bind(2, Int64(row.position))
                try insert.bind(3, row.recordID)
                try insert.bind(4, row.externalBillingID)
                try insert.bind(5, row.note)
                try insert.bind(6, row.outcome.rawValue)
                try insert.bind(7, row.message)
                try insert.execute()
            }
        }
    }
}
