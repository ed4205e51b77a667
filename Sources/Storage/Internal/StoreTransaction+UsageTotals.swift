// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Usage totals: records grouped by subscription and item in SQL, their decimals summed exactly.
//
// Quantities and amounts are TEXT holding exact decimals; SQLite's SUM would read them as REAL
// and round. So SQL sums integers instead: a decimal is its digits without the point (its
// coefficient) at the scale its fractional digits give, and for each group, status class and
// scale SQL adds the coefficients as 64-bit integers, which is exact and fails loudly on
// overflow rather than rounding. Swift then adds the few per-scale sums as `Decimal`. Values with
// more than 18 characters of coefficient cannot be cast to a 64-bit integer, so they are read
// one by one and added in Swift, as is every record of a page whose integer sums overflowed.
// Every statement runs in the caller's transaction, so the page's keys and sums come from one
// snapshot.
//
// Plan: the scope and the file filters select files (by vendor, distributor, product or
// marketplace, each indexed), and each file's records come through the (file, position) index;
// the grouping sorts in a temporary tree. No index serves records by subscription or start time,
// so a call reads every record of the files in scope; an index on
// `usage_records (subscription_id, item_id, start_at)` would let a narrow filter skip that, at
// the price of slower record-set uploads.

/// The statuses whose records count, for SQL: fixed, never from input.
private let consumedFileStatuses = "'pending', 'accepted', 'closed'"
private let consumedRecordStatuses = "'valid', 'approved', 'closed'"

/// Whether a record is accepted (approved or closed), given that it counts.
private let acceptedColumn = "(r.status != 'valid')"

/// The coefficient and the scale of a TEXT decimal column, and whether the coefficient fits the
/// 64-bit integer SQL sums it as (at most 18 characters, sign included: 18 digits are below 2^63).
private func coefficient(_ column: String) -> String { "CAST(replace(\(column), '.', '') AS INTEGER)" }
private func scale(_ column: String) -> String {
    "(CASE WHEN instr(coalesce(\(column), ''), '.') = 0 THEN 0 ELSE length(\(column)) - instr(\(column), '.') END)"
}
private func fitsInteger(_ column: String) -> String { "length(replace(coalesce(\(column), ''), '.', '')) <= 18" }

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

        // The page holds every group from its first key to its last, so that range is exactly
        // the page's records.
        var page = selection.rows
        page.add(
            "(r.subscription_id, r.item_id) BETWEEN (?, ?) AND (?, ?)", .text(first.subscriptionID),
            .text(first.itemID), .text(last.subscriptionID), .text(last.itemID))
        var totals = Dictionary(uniqueKeysWithValues: groups.map { ($0.key, $0) })
        if try !addIntegerSums(selection.from, page, into: &totals) {
            totals = Dictionary(uniqueKeysWithValues: groups.map { ($0.key, $0) })
            try addRecordByRecord(selection.from, page, into: &totals)
        }
        return groups.compactMap { totals[$0.key] }
    }

    /// Adds the page's records as per-scale integer sums, and its long values one by one; false
    /// when an integer sum overflowed, having added nothing.
    private func addIntegerSums(
        _ from: String, _ page: RowFilter, into totals: inout [UsageTotal.Key: UsageTotal]
    ) throws -> Bool {
        var short = page
        short.add(fitsInteger("r.quantity"))
        short.add(fitsInteger("r.amount"))
        typealias Sum = (key: UsageTotal.Key, accepted: Bool, quantity: Decimal?, amount: Decimal?, records: Int)
        let sums: [Sum]? = try perform { connection in
            do {
                return try connection.query(
                    "SELECT r.subscription_id, r.item_id, \(acceptedColumn), \(scale("r.quantity")), "
                        + "sum(\(coefficient("r.quantity"))), \(scale("r.amount")), sum(\(coefficient("r.amount"))), "
                        + "count(*) \(from)\(short.whereClause) GROUP BY 1, 2, 3, 4, 6",
                    short.bindings
                ) { row in
                    (
                        UsageTotal.Key(subscriptionID: try row.text(0), itemID: try row.text(1)), try row.bool(2),
                        try row.sum(coefficient: 4, scale: 3), try row.sum(coefficient: 6, scale: 5), try row.int(7)
                    )
                }
            } catch let error as SQLiteError where error.message.contains("integer overflow") {
                return nil
            }
        }
        guard let sums else { return false }
        var added = totals
        for sum in sums where added[sum.key] != nil {
            try added[sum.key]?.add(
                quantity: sum.quantity, amount: sum.amount, records: sum.records, accepted: sum.accepted)
        }
        var long = page
        long.add("NOT (\(fitsInteger("r.quantity")) AND \(fitsInteger("r.amount")))")
        try addRecordByRecord(from, long, into: &added)
        totals = added
        return true
    }

    /// Adds every record `rows` selects, one by one.
    private func addRecordByRecord(
        _ from: String, _ rows: RowFilter, into totals: inout [UsageTotal.Key: UsageTotal]
    ) throws {
        _ = try perform { connection in
            try connection.query(
                "SELECT r.subscription_id, r.item_id, \(acceptedColumn), r.quantity, r.amount \(from)\(rows.whereClause)",
                rows.bindings
            ) { row in
                let key = UsageTotal.Key(subscriptionID: try row.text(0), itemID: try row.text(1))
                guard totals[key] != nil else { return }
                try totals[key]?.add(
                    quantity: try row.exactDecimal(3), amount: try row.exactDecimal(4), accepted: try row.bool(2))
            }
        }
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

    /// An integer sum of coefficients at a scale, as a decimal; nil when every value was NULL.
    fileprivate func sum(coefficient coefficientIndex: Int, scale scaleIndex: Int) throws -> Decimal? {
        guard let sum = try optionalInt64(coefficientIndex) else { return nil }
        let scale = try int(scaleIndex)
        do {
            return try Decimal(coefficient: Int128(sum), scale: scale)
        } catch {
            throw StorageFailure.unreadable(column: try columnName(scaleIndex), value: "\(sum) at scale \(scale)")
        }
    }
}
