// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Usage totals: records grouped by subscription and item in SQL, their decimals summed in Swift.
//
// Quantities and amounts are TEXT holding exact decimals; SQLite's SUM would read them as REAL
// and round, so SQL only groups, counts and pages, and the sums are folded exactly from the
// records of the page's groups. Both statements run in the caller's transaction, so the counts
// and the sums come from one snapshot.
//
// Plan: the scope and the file filters select files (by vendor, distributor, product or
// marketplace, each indexed), and each file's records come through the (file, position) index;
// the grouping sorts in a temporary tree. No index serves records by subscription or start time,
// so a call reads every record of the files in scope; an index on
// `usage_records (subscription_id, item_id, start_at)` would let a narrow filter skip that.

/// The statuses whose records count, for SQL: fixed, never from input.
private let consumedFileStatuses = "'pending', 'accepted', 'closed'"
private let consumedRecordStatuses = "'valid', 'approved', 'closed'"

extension StoreReadTransaction {
    func usageTotals(_ filter: UsageTotalsFilter, after: UsageTotal.Key?, limit: Int) throws -> [UsageTotal] {
        let selection = Self.totalsSelection(filter)
        var keysFilter = selection.rows
        if let after {
            keysFilter.add("(r.subscription_id, r.item_id) > (?, ?)", .text(after.subscriptionID), .text(after.itemID))
        }
        let groups = try perform { connection in
            try connection.query(
                "SELECT r.subscription_id, r.item_id, min(f.product_id) \(selection.from)\(keysFilter.whereClause) "
                    + "GROUP BY r.subscription_id, r.item_id ORDER BY r.subscription_id, r.item_id LIMIT ?",
                keysFilter.bindings + [.integer(Int64(max(0, limit)))]
            ) { row in
                UsageTotal(
                    key: UsageTotal.Key(subscriptionID: try row.text(0), itemID: try row.text(1)),
                    productID: try row.text(2))
            }
        }
        guard let first = groups.first?.key, let last = groups.last?.key else { return [] }

        var totals: [UsageTotal.Key: UsageTotal] = [:]
        for group in groups { totals[group.key] = group }
        var sumsFilter = selection.rows
        sumsFilter.add(
            "(r.subscription_id, r.item_id) BETWEEN (?, ?) AND (?, ?)", .text(first.subscriptionID),
            .text(first.itemID), .text(last.subscriptionID), .text(last.itemID))
        _ = try perform { connection in
            try connection.query(
                "SELECT r.subscription_id, r.item_id, r.status, r.quantity, r.amount \(selection.from)"
                    + sumsFilter.whereClause,
                sumsFilter.bindings
            ) { row in
                let key = UsageTotal.Key(subscriptionID: try row.text(0), itemID: try row.text(1))
                // Groups between the page's first and last that are not on the page cannot exist:
                // the page holds every group in that range.
                guard totals[key] != nil else { return }
                let accepted = try row.text(2) != UsageRecordStatus.valid.rawValue
                try totals[key]?.add(
                    quantity: try row.exactDecimal(3), amount: try row.exactDecimal(4), accepted: accepted)
            }
        }
        return groups.compactMap { totals[$0.key] }
    }

    /// The `FROM` clause and the conditions every totals statement shares.
    private static func totalsSelection(_ filter: UsageTotalsFilter) -> (from: String, rows: RowFilter) {
        var rows = RowFilter()
        rows.add("f.environment = ?", .text(UsageEnvironment.production.rawValue))
        rows.add("f.status IN (\(consumedFileStatuses))")
        rows.add("r.status IN (\(consumedRecordStatuses))")
        rows.add("r.subscription_id IS NOT NULL")
        rows.add("r.item_id IS NOT NULL")
        rows.add("r.start_at >= ?", SQLiteValue(filter.startsFrom))
        rows.add("r.start_at < ?", SQLiteValue(filter.startsBefore))
        switch filter.scope {
        case .vendor(let id):
            rows.add("f.vendor_id = ?", .text(id))
        case .distributor(let id):
            rows.add("f.distributor_id = ?", .text(id))
        case .reseller(let id, let tier, let distributorID):
            rows.add("f.distributor_id = ?", .text(distributorID))
            let column = tier == 1 ? "tier1_id" : "tier2_id"
            rows.add("r.subscription_id IN (SELECT id FROM subscriptions WHERE \(column) = ?)", .text(id))
        }
        rows.equal("f.product_id", filter.productID)
        rows.equal("f.marketplace_id", filter.marketplaceID)
        if let customerID = filter.customerID {
            rows.add("r.subscription_id IN (SELECT id FROM subscriptions WHERE customer_id = ?)", .text(customerID))
        }
        rows.equal("r.subscription_id", filter.subscriptionID)
        rows.equal("r.item_id", filter.itemID)
        return ("FROM usage_files f JOIN usage_records r ON r.file_seq = f.seq", rows)
    }
}

extension SQLiteRow {
    /// A nullable TEXT column holding an exact decimal.
    fileprivate func exactDecimal(_ index: Int) throws -> Decimal? {
        guard let text = try optionalText(index) else { return nil }
        do {
            return try Decimal(parsing: text)
        } catch {
            throw StorageFailure.unreadable(column: try columnName(index), value: "'\(text)'")
        }
    }
}
