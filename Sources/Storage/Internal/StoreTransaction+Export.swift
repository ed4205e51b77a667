// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Export: records in export order — files by acceptance number (`usage_files.accept_seq`,
// migration 6), records by position within a file — scoped and filtered in SQL.
//
// Why file by file: each file's records are one range of the (file_seq, position) index, so a
// batch reads exactly the rows it returns plus at most one per file it steps past, whatever the
// cursor; a single query ordered across the join would sort or scan from the start every batch.
// The files of a scope are few next to their records, so listing them per batch is cheap.

/// The record columns an export reads, by index in `exportRecordSQL`.
private let exportRecordColumns =
    "r.position, r.record_id, r.status, r.note, r.item_id, r.subscription_id, r.quantity, r.amount, r.tier, "
    + "r.start_at, r.end_at, r.category_id, r.asset_recon_id, r.parameters, r.external_billing_id, "
    + "r.external_billing_note, r.closed_at"

extension StoreReadTransaction {
    func exportedRecords(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int
    ) throws -> ExportedRecordBatch {
        var batch = ExportedRecordBatch()
        let includeRaw = query.includeRawValues
        let billingReseller = Self.billingReseller(query)
        var records: [ExportedRecord] = []
        batch.hasMore = try forEachExportRow(query, after: after, limit: limit, named: &batch) { row, file in
            records.append(
                try Self.decodeExportRow(
                    row, fileID: file.facts.id, order: file.order, includeRaw: includeRaw,
                    billingReseller: billingReseller))
        }
        batch.records = records
        var itemIDs: Set<String> = []
        var subscriptionIDs: Set<String> = []
        // By index: a record is read in place, not copied field by field for the loop.
        for index in batch.records.indices {
            if let id = batch.records[index].record.itemID { itemIDs.insert(id) }
            if let id = batch.records[index].record.subscriptionID { subscriptionIDs.insert(id) }
        }
        try lookUpNamed(itemIDs: itemIDs, subscriptionIDs: subscriptionIDs, in: &batch)
        return batch
    }

    func exportedRecords(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int, into sink: inout some ExportRecordSink
    ) throws -> StreamedExportBatch {
        var named = ExportedRecordBatch()
        var reader = StoredExportRowReader(
            includeRaw: query.includeRawValues, billing: Self.billingReseller(query) != nil)
        var count = 0
        var last: ExportedRecord.Position?
        let hasMore = try forEachExportRow(query, after: after, limit: limit, named: &named) { row, file in
            last = try reader.read(row, fileID: file.facts.id, order: file.order) { try sink.append($0) }
            count += 1
        }
        try lookUpNamed(itemIDs: Set(reader.itemIDs), subscriptionIDs: Set(reader.subscriptionIDs), in: &named)
        var streamed = StreamedExportBatch(named: named, count: count, lastPosition: last, hasMore: hasMore)
        streamed.fileIDs = reader.fileIDs
        streamed.itemIDs = reader.itemIDs
        streamed.subscriptionIDs = reader.subscriptionIDs
        return streamed
    }

    private static func billingReseller(_ query: UsageExportQuery) -> String? {
        if case .reseller(let id, _, _) = query.scope { id } else { nil }
    }

    /// Runs `body` on each of up to `limit` rows of `query` after `after`, in export order, with the
    /// file it belongs to; records those files in `named`. Returns whether more rows may follow.
    private func forEachExportRow(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int, named: inout ExportedRecordBatch,
        _ body: (borrowing SQLiteRow, ExportFileRow) throws -> Void
    ) throws -> Bool {
        let limit = max(1, limit)
        let files = try exportFiles(query, from: after?.fileOrder)
        guard !files.isEmpty else { return false }
        let recordSQL = exportRecordSQL(query)
        let conditions = recordBindings(query)
        let billingReseller = Self.billingReseller(query)
        var count = 0
        for file in files {
            let remaining = limit - count
            guard remaining > 0 else { return true }
            let afterPosition: Int64 = if let after, after.fileOrder == file.order { after.position } else { -1 }
            var bindings: [SQLiteValue] = []
            if let billingReseller { bindings.append(.text(billingReseller)) }
            bindings += [.integer(file.seq), .integer(afterPosition)]
            bindings += conditions
            bindings.append(.integer(Int64(remaining)))
            var rows = 0
            _ = try perform { connection in
                try connection.query(recordSQL, bindings) { row in
                    try body(row, file)
                    rows += 1
                }
            }
            if rows > 0 { named.files[file.facts.id] = file.facts }
            count += rows
        }
        return count >= limit
    }

    // MARK: Files

    struct ExportFileRow {
        var seq: Int64
        var order: Int64
        var facts: ExportedFile
    }

    /// The scope's files that hold records of the query, in export order, from `order` on.
    private func exportFiles(_ query: UsageExportQuery, from order: Int64?) throws -> [ExportFileRow] {
        var rows = RowFilter()
        switch query.scope {
        case .distributor(let id): rows.equal("distributor_id", id)
        case .reseller(_, let distributorID, _): rows.equal("distributor_id", distributorID)
        }
        rows.add("environment = ?", SQLiteValue(UsageEnvironment.production))
        var fileStatuses: Set<String> = []
        let statuses = query.filter.effectiveStatuses
        if statuses.contains(.approved) || statuses.contains(.closed) {
            fileStatuses.formUnion([UsageFileStatus.accepted.rawValue, UsageFileStatus.closed.rawValue])
        }
        if statuses.contains(.rejected) { fileStatuses.insert(UsageFileStatus.rejected.rawValue) }
        rows.oneOf("status", fileStatuses.sorted())
        rows.add("accept_seq IS NOT NULL")
        if let order { rows.add("accept_seq >= ?", .integer(order)) }
        rows.equal("id", query.filter.fileID)
        rows.equal("product_id", query.filter.productID)
        rows.equal("marketplace_id", query.filter.marketplaceID)
        return try perform { connection in
            try connection.query(
                "SELECT seq, accept_seq, id, vendor_id, distributor_id, product_id, marketplace_id, contract_id, "
                    + "currency, period_from, period_to FROM usage_files\(rows.whereClause) ORDER BY accept_seq",
                rows.bindings
            ) { row in
                ExportFileRow(
                    seq: try row.int64(0), order: try row.int64(1),
                    facts: ExportedFile(
                        id: try row.text(2), vendorID: try row.text(3), distributorID: try row.text(4),
                        productID: try row.text(5), marketplaceID: try row.text(6), contractID: try row.text(7),
                        currency: try row.text(8), periodFrom: try row.exportDate(9), periodTo: try row.exportDate(10)))
            }
        }
    }

    // MARK: Records

    /// One statement shape per query, so the connection's statement cache prepares it once for
    /// the whole export: parameters are the billing reseller (when scoped to one), the file, the
    /// position to continue after, `recordBindings`, and the limit.
    private func exportRecordSQL(_ query: UsageExportQuery) -> String {
        var columns = exportRecordColumns
        if query.includeRawValues { columns += ", r.raw_values" } else { columns += ", NULL" }
        var from = "usage_records r"
        var conditions = ["r.file_seq = ?", "r.position > ?"]
        let statuses = query.filter.effectiveStatuses.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        conditions.append("r.status IN (\(statuses))")
        if case .reseller = query.scope {
            columns += ", m.external_billing_id, m.external_billing_note, m.billed_at"
            from += " LEFT JOIN reseller_billing_marks m ON m.record_seq = r.seq AND m.reseller_id = ?"
        } else {
            columns += ", NULL, NULL, NULL"
        }
        let filter = query.filter
        if filter.periodFrom != nil { conditions.append("r.start_at >= ?") }
        if filter.periodTo != nil { conditions.append("r.start_at < ?") }
        if filter.itemID != nil { conditions.append("r.item_id = ?") }
        if filter.subscriptionID != nil { conditions.append("r.subscription_id = ?") }
        if filter.customerID != nil {
            conditions.append("r.subscription_id IN (SELECT id FROM subscriptions WHERE customer_id = ?)")
        }
        if filter.resellerID != nil {
            conditions.append("r.subscription_id IN (SELECT id FROM subscriptions WHERE tier1_id = ? OR tier2_id = ?)")
        }
        switch query.scope {
        case .distributor: break
        case .reseller(_, _, let tier):
            let column = tier == 1 ? "tier1_id" : "tier2_id"
            conditions.append("r.subscription_id IN (SELECT id FROM subscriptions WHERE \(column) = ?)")
        }
        switch query.billed {
        case .any: break
        case .no: conditions.append("m.record_seq IS NULL")
        case .yes: conditions.append("m.record_seq IS NOT NULL")
        }
        return "SELECT \(columns) FROM \(from) WHERE \(conditions.joined(separator: " AND ")) "
            + "ORDER BY r.position LIMIT ?"
    }

    /// The values of `exportRecordSQL`'s filter conditions, in the same order.
    private func recordBindings(_ query: UsageExportQuery) -> [SQLiteValue] {
        var bindings: [SQLiteValue] = []
        let filter = query.filter
        if let from = filter.periodFrom { bindings.append(.integer(from.startOfDay.microsecondsSinceEpoch)) }
        if let to = filter.periodTo {
            bindings.append(.integer(to.startOfDay.microsecondsSinceEpoch + 86_400 * 1_000_000))
        }
        if let id = filter.itemID { bindings.append(.text(id)) }
        if let id = filter.subscriptionID { bindings.append(.text(id)) }
        if let id = filter.customerID { bindings.append(.text(id)) }
        if let id = filter.resellerID { bindings += [.text(id), .text(id)] }
        if case .reseller(let id, _, _) = query.scope { bindings.append(.text(id)) }
        return bindings
    }

    private static func decodeExportRow(
        _ row: borrowing SQLiteRow, fileID: String, order: Int64, includeRaw: Bool, billingReseller: String?
    ) throws -> ExportedRecord {
        let position = try row.int64(0)
        let record = UsageRecord(
            fileID: fileID, position: Int(position), recordID: try row.text(1), note: try row.text(3),
            itemID: try row.optionalText(4), subscriptionID: try row.optionalText(5),
            quantity: try row.exportDecimal(6), amount: try row.exportDecimal(7),
            tier: try row.optionalInt64(8).map { Int($0) }, start: try row.optionalTimestamp(9),
            end: try row.optionalTimestamp(10), categoryID: try row.optionalText(11),
            assetReconID: try row.optionalText(12),
            parameters: try UsageEncoding.decodeParameters(try row.text(13), column: "usage_records.parameters"),
            rawValues: includeRaw
                ? try UsageEncoding.decodeStrings(try row.text(17), column: "usage_records.raw_values") : [],
            status: try row.enumeration(UsageRecordStatus.self, 2),
            externalBillingID: try row.optionalText(14), externalBillingNote: try row.optionalText(15),
            closedAt: try row.optionalTimestamp(16))
        var billing: ExportedRecord.Billing?
        if let billingReseller, let billingID = try row.optionalText(18) {
            billing = ExportedRecord.Billing(
                resellerID: billingReseller, externalBillingID: billingID, note: try row.optionalText(19) ?? "",
                billedAt: try row.timestamp(20))
        }
        return ExportedRecord(
            position: ExportedRecord.Position(fileOrder: order, position: position), record: record, billing: billing)
    }

    // MARK: What the records name

    /// Reads each item, subscription (with its parameters), customer and reseller the batch's
    /// records name, once each.
    private func lookUpNamed(
        itemIDs: Set<String>, subscriptionIDs: Set<String>, in batch: inout ExportedRecordBatch
    ) throws {
        for id in itemIDs {
            if let item = try item(id: id) { batch.items[id] = item }
        }
        var customerIDs: Set<String> = []
        var resellerIDs: Set<String> = []
        for id in subscriptionIDs {
            guard var subscription = try exportSubscription(id: id) else { continue }
            subscription.parameters = try parameters(of: id)
            batch.subscriptions[id] = subscription
            customerIDs.insert(subscription.tiers.customerID)
            if let tier1 = subscription.tiers.tier1ID { resellerIDs.insert(tier1) }
            if let tier2 = subscription.tiers.tier2ID { resellerIDs.insert(tier2) }
        }
        for id in customerIDs {
            if let customer = try customer(id: id) { batch.customers[id] = customer }
        }
        for id in resellerIDs {
            if let reseller = try reseller(id: id) { batch.resellers[id] = reseller }
        }
    }

    /// A subscription without its history, which an export does not carry.
    private func exportSubscription(id: String) throws -> Subscription? {
        try perform { connection in
            try connection.queryOne(
                "SELECT id, product_id, vendor_id, distributor_id, marketplace_id, contract_id, customer_id, tier1_id, "
                    + "tier2_id, external_id, external_uid, status, created_at FROM subscriptions WHERE id = ?",
                [.text(id)]
            ) { row in
                Subscription(
                    id: try row.text(0), productID: try row.text(1), vendorID: try row.text(2),
                    distributorID: try row.text(3), marketplaceID: try row.text(4), contractID: try row.text(5),
                    tiers: Tiers(
                        customerID: try row.text(6), tier1ID: try row.optionalText(7), tier2ID: try row.optionalText(8)),
                    externalID: try row.text(9), externalUID: try row.text(10), parameters: [],
                    status: try row.enumeration(SubscriptionStatus.self, 11), history: [],
                    createdAt: try row.timestamp(12))
            }
        }
    }
}

extension SQLiteRow {
    /// A TEXT column holding a day as `YYYY-MM-DD`.
    fileprivate func exportDate(_ index: Int) throws -> CivilDate {
        let text = try text(index)
        guard let date = CivilDate(parsing: text) else {
            throw StorageFailure.unreadable(column: try columnName(index), value: "'\(text)'")
        }
        return date
    }

    /// A nullable TEXT column holding an exact decimal.
    fileprivate func exportDecimal(_ index: Int) throws -> Decimal? {
        guard let text = try optionalText(index) else { return nil }
        do {
            return try Decimal(parsing: text)
        } catch {
            throw StorageFailure.unreadable(column: try columnName(index), value: "'\(text)'")
        }
    }
}
