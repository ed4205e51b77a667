// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Usage files with their histories, categories and records.

private let usageFileColumns =
    "seq, id, vendor_id, distributor_id, product_id, contract_id, marketplace_id, currency, ppu_schema, environment, "
    + "name, description, note, external_id, period_from, period_to, status, acceptance_note, rejection_note, "
    + "error_detail, count_uploaded, count_valid, count_invalid, count_approved, count_closed, columns, created_at, "
    + "updated_at"

/// A file without its history, which lives in a child table.
private func decodeUsageFile(_ row: borrowing SQLiteRow) throws -> UsageFile {
    UsageFile(
        id: try row.text(1), vendorID: try row.text(2), distributorID: try row.text(3), productID: try row.text(4),
        contractID: try row.text(5), marketplaceID: try row.text(6), currency: try row.text(7),
        schema: try row.enumeration(PPUSchema.self, 8), environment: try row.enumeration(UsageEnvironment.self, 9),
        name: try row.text(10), description: try row.text(11), note: try row.text(12),
        externalID: try row.optionalText(13), periodFrom: try row.civilDate(14), periodTo: try row.civilDate(15),
        status: try row.enumeration(UsageFileStatus.self, 16), acceptanceNote: try row.text(17),
        rejectionNote: try row.text(18), errorDetail: try row.text(19),
        counts: UsageFileCounts(
            uploaded: try row.int(20), valid: try row.int(21), invalid: try row.int(22), approved: try row.int(23),
            closed: try row.int(24)),
        columns: try UsageEncoding.decodeStrings(try row.text(25), column: "usage_files.columns"), history: [],
        createdAt: try row.timestamp(26), updatedAt: try row.timestamp(27))
}

/// Every column of a file after its id, in `usageFileColumns` order.
private func usageFileValues(_ file: UsageFile) -> [SQLiteValue] {
    [
        .text(file.vendorID), .text(file.distributorID), .text(file.productID), .text(file.contractID),
        .text(file.marketplaceID), .text(file.currency), SQLiteValue(file.schema), SQLiteValue(file.environment),
        .text(file.name), .text(file.description), .text(file.note), SQLiteValue(file.externalID),
        .text(file.periodFrom.description), .text(file.periodTo.description), SQLiteValue(file.status),
        .text(file.acceptanceNote), .text(file.rejectionNote), .text(file.errorDetail),
        SQLiteValue(file.counts.uploaded), SQLiteValue(file.counts.valid), SQLiteValue(file.counts.invalid),
        SQLiteValue(file.counts.approved), SQLiteValue(file.counts.closed), .text(UsageEncoding.encode(file.columns)),
        SQLiteValue(file.createdAt), SQLiteValue(file.updatedAt),
    ]
}

private func usageFileUniqueness(_ file: UsageFile) -> [StorageFailure.Uniqueness] {
    [
        StorageFailure.Uniqueness(
            columns: "usage_files.vendor_id, usage_files.product_id, usage_files.contract_id, usage_files.external_id",
            message: "a usage file with external_id \(file.externalID ?? "") already exists for product "
                + "\(file.productID) under contract \(file.contractID)",
            field: "external_id")
    ]
}

private let usageRecordColumns =
    "position, record_id, status, note, item_id, subscription_id, quantity, amount, tier, start_at, end_at, "
    + "category_id, asset_recon_id, parameters, raw_values, errors, external_billing_id, external_billing_note, "
    + "closed_at"

private func decodeUsageRecord(_ row: borrowing SQLiteRow, fileID: String) throws -> UsageRecord {
    UsageRecord(
        fileID: fileID, position: try row.int(0), recordID: try row.text(1), note: try row.text(3),
        itemID: try row.optionalText(4), subscriptionID: try row.optionalText(5),
        quantity: try row.optionalDecimal(6), amount: try row.optionalDecimal(7),
        tier: try row.optionalInt64(8).map { Int($0) }, start: try row.optionalTimestamp(9),
        end: try row.optionalTimestamp(10), categoryID: try row.optionalText(11),
        assetReconID: try row.optionalText(12),
        parameters: try UsageEncoding.decodeParameters(try row.text(13), column: "usage_records.parameters"),
        rawValues: try UsageEncoding.decodeStrings(try row.text(14), column: "usage_records.raw_values"),
        status: try row.enumeration(UsageRecordStatus.self, 2),
        errors: try UsageEncoding.decodeErrors(try row.text(15), column: "usage_records.errors"),
        externalBillingID: try row.optionalText(16), externalBillingNote: try row.optionalText(17),
        closedAt: try row.optionalTimestamp(18))
}

/// The prepared INSERTs of `appendUsageRecords`: one for a single row and one for
/// `rowsPerStatement` rows. A large upload goes through the second: SQLite opens the table's and
/// its indexes' cursors and sets up and halts its program once per statement, which costs over a
/// third of a one-row insert into this table. Kept by the write transaction that uses them,
/// since a statement of many rows takes longer to prepare than to run.
struct UsageRecordInserts {
    static let columnCount: Int32 = 21
    static let rowsPerStatement = 64
    let one: SQLiteStatement
    let many: SQLiteStatement

    init(_ connection: SQLiteConnection) throws {
        let head = "INSERT INTO usage_records (file_seq, product_seq, \(usageRecordColumns)) VALUES "
        let row = "(" + Array(repeating: "?", count: Int(Self.columnCount)).joined(separator: ", ") + ")"
        one = try connection.prepareStatement(head + row)
        many = try connection.prepareStatement(
            head + Array(repeating: row, count: Self.rowsPerStatement).joined(separator: ", "))
    }
}

/// The text of the statuses whose records hold their ids, for SQL: fixed, never from input.
private let holdingStatusList = UsageFileStatus.holdingRecordIDs.map { "'\($0.rawValue)'" }.sorted()
    .joined(separator: ", ")

extension StoreReadTransaction {
    func usageFile(id: String) throws -> UsageFile? {
        try fetch("usage_files", usageFileColumns, id: id, decode: decodeUsageFile).map(withHistory)
    }

    func usageFiles(_ filter: UsageFileFilter, page: PageRequest) throws -> Page<UsageFile> {
        var rows = RowFilter()
        rows.equal("vendor_id", filter.vendorID)
        rows.equal("distributor_id", filter.distributorID)
        rows.equal("product_id", filter.productID)
        rows.equal("contract_id", filter.contractID)
        rows.equal("marketplace_id", filter.marketplaceID)
        if let statuses = filter.statuses {
            rows.oneOf("status", statuses.map(\.rawValue).sorted())
        }
        rows.equal("environment", filter.environment)
        rows.equal("external_id", filter.externalID)
        return try self.page("usage_files", usageFileColumns, rows, page, decode: decodeUsageFile).map(withHistory)
    }

    func usageFile(vendorID: String, productID: String, contractID: String, externalID: String) throws -> UsageFile? {
        var rows = RowFilter()
        rows.equal("vendor_id", vendorID)
        rows.equal("product_id", productID)
        rows.equal("contract_id", contractID)
        rows.equal("external_id", externalID)
        rows.add("status != ?", .text(UsageFileStatus.deleted.rawValue))
        return try fetchFirst("usage_files", usageFileColumns, rows, decode: decodeUsageFile).map(withHistory)
    }

    func usageRecords(fileID: String, status: UsageRecordStatus?, page: PageRequest) throws -> Page<UsageRecord> {
        guard let file = try fileKeys(fileID) else { return Page(items: [], nextAfter: nil) }
        var rows = RowFilter()
        rows.add("file_seq = ?", .integer(file.seq))
        rows.equal("status", status)
        if let after = page.after {
            rows.add("position > ?", .integer(after))
        }
        let size = max(1, page.size)
        let records = try perform { connection in
            try connection.query(
                "SELECT \(usageRecordColumns) FROM usage_records\(rows.whereClause) ORDER BY position LIMIT ?",
                rows.bindings + [.integer(Int64(size) + 1)]
            ) { row in try decodeUsageRecord(row, fileID: fileID) }
        }
        guard records.count > size else { return Page(items: records, nextAfter: nil) }
        let items = Array(records.prefix(size))
        return Page(items: items, nextAfter: items.last.map { Int64($0.position) })
    }

    func usageRecord(fileID: String, position: Int) throws -> UsageRecord? {
        guard let file = try fileKeys(fileID) else { return nil }
        return try perform { connection in
            try connection.queryOne(
                "SELECT \(usageRecordColumns) FROM usage_records WHERE file_seq = ? AND position = ?",
                [.integer(file.seq), .integer(Int64(position))]
            ) { row in try decodeUsageRecord(row, fileID: fileID) }
        }
    }

    func usageCategories(fileID: String) throws -> [UsageCategory] {
        guard let file = try fileKeys(fileID) else { return [] }
        return try perform { connection in
            try connection.query(
                "SELECT id, name, description FROM usage_categories WHERE file_seq = ? ORDER BY position",
                [.integer(file.seq)]
            ) { row in UsageCategory(id: try row.text(0), name: try row.text(1), description: try row.text(2)) }
        }
    }

    func usageRecordCounts(fileID: String) throws -> UsageFileCounts {
        var counts = UsageFileCounts()
        guard let file = try fileKeys(fileID) else { return counts }
        let rows = try perform { connection in
            try connection.query(
                "SELECT status, count(*) FROM usage_records WHERE file_seq = ? GROUP BY status", [.integer(file.seq)]
            ) { row in (try row.enumeration(UsageRecordStatus.self, 0), try row.int(1)) }
        }
        for (status, count) in rows {
            counts.uploaded += count
            switch status {
            case .valid: counts.valid = count
            case .invalid: counts.invalid = count
            case .approved: counts.approved = count
            case .closed: counts.closed = count
            case .rejected: break
            }
        }
        return counts
    }

    func usageFileUsing(recordID: String, productID: String, excludingFileID: String) throws -> String? {
        try perform { connection in
            try connection.queryOne(
                "SELECT f.id FROM usage_records r JOIN usage_files f ON f.seq = r.file_seq "
                    + "WHERE r.product_seq = (SELECT seq FROM products WHERE id = ?) AND r.record_id = ? "
                    + "AND f.id != ? AND f.status IN (\(holdingStatusList)) ORDER BY f.seq LIMIT 1",
                [.text(productID), .text(recordID), .text(excludingFileID)]
            ) { row in try row.text(0) }
        }
    }

    func subscriptions(
        vendorID: String, criteria: UsageSubscriptionCriteria, value: String, limit: Int
    ) throws -> [Subscription] {
        var rows = RowFilter("vendor_id", equals: vendorID)
        switch criteria {
        case .id: rows.equal("id", value)
        case .externalID: rows.equal("external_id", value)
        case .externalUID: rows.equal("external_uid", value)
        case .reconciliationID:
            rows.add(
                "id IN (SELECT subscription_id FROM subscription_parameters WHERE reconciliation = 1 AND value = ?)",
                .text(value))
        case .parameter(let name):
            rows.add(
                "id IN (SELECT subscription_id FROM subscription_parameters WHERE name = ? AND value = ?)",
                .text(name), .text(value))
        }
        let ids = try perform { connection in
            try connection.query(
                "SELECT id FROM subscriptions\(rows.whereClause) ORDER BY seq LIMIT ?",
                rows.bindings + [.integer(Int64(max(0, limit)))]
            ) { row in try row.text(0) }
        }
        return try ids.compactMap { try subscription(id: $0) }
    }

    /// The row numbers a file's records and categories refer to it and its product by.
    final func fileKeys(_ fileID: String) throws -> (seq: Int64, productSeq: Int64)? {
        try perform { connection in
            try connection.queryOne(
                "SELECT f.seq, p.seq FROM usage_files f JOIN products p ON p.id = f.product_id WHERE f.id = ?",
                [.text(fileID)]
            ) { row in (try row.int64(0), try row.int64(1)) }
        }
    }

    private func withHistory(_ file: UsageFile) throws -> UsageFile {
        var file = file
        file.history = try history(.usageFile, of: file.id)
        return file
    }
}

extension StoreWriteTransaction {
    func insert(_ file: UsageFile) throws {
        try run(
            "INSERT INTO usage_files (\(usageFileColumns.dropFirst("seq, ".count))) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(file.id)] + usageFileValues(file), noun: "usage file", id: file.id,
            uniqueness: usageFileUniqueness(file))
        try saveHistory(
            .usageFile, of: file.id, file.history, isNew: true,
            audience: { .usageFile(file, change: $0) })
    }

    func update(_ file: UsageFile) throws {
        try update(
            "UPDATE usage_files SET vendor_id = ?, distributor_id = ?, product_id = ?, contract_id = ?, "
                + "marketplace_id = ?, currency = ?, ppu_schema = ?, environment = ?, name = ?, description = ?, "
                + "note = ?, external_id = ?, period_from = ?, period_to = ?, status = ?, acceptance_note = ?, "
                + "rejection_note = ?, error_detail = ?, count_uploaded = ?, count_valid = ?, count_invalid = ?, "
                + "count_approved = ?, count_closed = ?, columns = ?, created_at = ?, updated_at = ? WHERE id = ?",
            usageFileValues(file) + [.text(file.id)], noun: "usage file", id: file.id,
            uniqueness: usageFileUniqueness(file))
        try saveHistory(
            .usageFile, of: file.id, file.history, isNew: false,
            audience: { .usageFile(file, change: $0) })
    }

    func removeUsageRecords(fileID: String) throws {
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound("usage file", fileID) }
        try run("DELETE FROM usage_records WHERE file_seq = ?", [.integer(file.seq)])
        try run("DELETE FROM usage_categories WHERE file_seq = ?", [.integer(file.seq)])
    }

    func insert(_ categories: [UsageCategory], fileID: String) throws {
        guard !categories.isEmpty else { return }
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound("usage file", fileID) }
        let next = try perform { connection in
            try connection.queryOne(
                "SELECT coalesce(max(position) + 1, 0) FROM usage_categories WHERE file_seq = ?", [.integer(file.seq)]
            ) { row in try row.int64(0) } ?? 0
        }
        for (offset, category) in categories.enumerated() {
            try run(
                "INSERT INTO usage_categories (file_seq, position, id, name, description) VALUES (?, ?, ?, ?, ?)",
                [
                    .integer(file.seq), .integer(next + Int64(offset)), .text(category.id), .text(category.name),
                    .text(category.description),
                ],
                uniqueness: [
                    StorageFailure.Uniqueness(
                        columns: "usage_categories.file_seq, usage_categories.id",
                        message: "category \(category.id) appears more than once in usage file \(fileID)",
                        field: "categories")
                ])
        }
    }

    /// Inserts a batch of a file's records through prepared statements of many rows, binding each
    /// value directly and laying out text in one reused buffer: this runs a million times per large
    /// upload, so it avoids the per-row statement lookup, value array and strings of `run`.
    func appendUsageRecords(_ records: [UsageRecord], fileID: String) throws {
        guard !records.isEmpty else { return }
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound("usage file", fileID) }
        try perform(noun: "usage record") { connection in
            if usageRecordInserts == nil { usageRecordInserts = try UsageRecordInserts(connection) }
            let inserts = usageRecordInserts!
            defer {
                inserts.one.clearBindings()
                inserts.many.clearBindings()
            }
            // The statement's text values are laid out in one reused buffer and bound in place:
            // SQLite would otherwise allocate and copy each of a dozen values per row.
            var text: [UInt8] = []
            text.reserveCapacity(64 * 1024)
            var slots: [(index: Int32, start: Int, end: Int)] = []
            slots.reserveCapacity(16 * UsageRecordInserts.rowsPerStatement)
            var insert = inserts.one
            var base: Int32 = 0
            func add(_ column: Int32, _ value: String?) throws {
                guard var value else { return try insert.bindNull(base + column) }
                let start = text.count
                value.withUTF8 { text.append(contentsOf: $0) }
                slots.append((base + column, start, text.count))
            }
            func addList(_ column: Int32, _ encode: (inout [UInt8]) -> Void) {
                let start = text.count
                encode(&text)
                slots.append((base + column, start, text.count))
            }
            func bindRow(_ record: UsageRecord) throws {
                guard record.fileID == fileID else {
                    throw DomainError.internalFailure(
                        "a record of usage file \(record.fileID) was appended to usage file \(fileID)")
                }
                try insert.bind(base + 1, file.seq)
                try insert.bind(base + 2, file.productSeq)
                try insert.bind(base + 3, Int64(record.position))
                try add(4, record.recordID)
                try add(5, record.status.rawValue)
                try add(6, record.note)
                try add(7, record.itemID)
                try add(8, record.subscriptionID)
                try add(9, record.quantity?.description)
                try add(10, record.amount?.description)
                try insert.bind(base + 11, record.tier.map(Int64.init))
                try insert.bind(base + 12, record.start?.microsecondsSinceEpoch)
                try insert.bind(base + 13, record.end?.microsecondsSinceEpoch)
                try add(14, record.categoryID)
                try add(15, record.assetReconID)
                addList(16) { UsageEncoding.append(record.parameters, to: &$0) }
                addList(17) { UsageEncoding.append(record.raw, to: &$0) }
                addList(18) { UsageEncoding.append(record.errors, to: &$0) }
                try add(19, record.externalBillingID)
                try add(20, record.externalBillingNote)
                try insert.bind(base + 21, record.closedAt?.microsecondsSinceEpoch)
            }
            // Whole statements of many rows, then the rest one by one.
            let rowsPerStatement = UsageRecordInserts.rowsPerStatement
            var next = 0
            while next < records.count {
                let count = records.count - next >= rowsPerStatement ? rowsPerStatement : 1
                insert = count == 1 ? inserts.one : inserts.many
                text.removeAll(keepingCapacity: true)
                slots.removeAll(keepingCapacity: true)
                for offset in 0..<count {
                    base = Int32(offset) * UsageRecordInserts.columnCount
                    try bindRow(records[next + offset])
                }
                try text.withUnsafeBufferPointer { bytes in
                    for slot in slots {
                        try insert.bind(slot.index, borrowedUTF8: UnsafeBufferPointer(rebasing: bytes[slot.start..<slot.end]))
                    }
                    try insert.execute()
                }
                next += count
            }
        }
    }

    @discardableResult
    func updateUsageRecordStatus(fileID: String, from: UsageRecordStatus, to: UsageRecordStatus) throws -> Int {
        guard let file = try fileKeys(fileID) else { throw DomainError.notFound("usage file", fileID) }
        return try run(
            "UPDATE usage_records SET status = ? WHERE file_seq = ? AND status = ?",
            [SQLiteValue(to), .integer(file.seq), SQLiteValue(from)])
    }
}

extension SQLiteRow {
    /// A TEXT column holding a day as `YYYY-MM-DD`.
    fileprivate func civilDate(_ index: Int) throws -> CivilDate {
        let text = try text(index)
        guard let date = CivilDate(parsing: text) else {
            throw StorageFailure.unreadable(column: try columnName(index), value: "'\(text)'")
        }
        return date
    }

    /// A nullable TEXT column holding an exact decimal.
    fileprivate func optionalDecimal(_ index: Int) throws -> Decimal? {
        guard let text = try optionalText(index) else { return nil }
        do {
            return try Decimal(parsing: text)
        } catch {
            throw StorageFailure.unreadable(column: try columnName(index), value: "'\(text)'")
        }
    }
}
