// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One batch of an export, read in one read transaction: the records in export order, and once
/// each the files, items, subscriptions and parties they name.
///
/// Why per batch and not per export: the lookups are then as fresh as the records they describe
/// (one snapshot), and memory stays bounded by the batch size however long the export runs.
public struct ExportedRecordBatch: Sendable {
    public var records: [ExportedRecord]
    /// Whether more records may follow the last one (the batch was cut at its limit).
    public var hasMore: Bool
    public var files: [String: ExportedFile]
    public var items: [String: Item]
    /// Subscriptions with their parameters; their histories are not read.
    public var subscriptions: [String: Subscription]
    public var customers: [String: Customer]
    public var resellers: [String: Reseller]

    public init(
        records: [ExportedRecord] = [], hasMore: Bool = false, files: [String: ExportedFile] = [:],
        items: [String: Item] = [:], subscriptions: [String: Subscription] = [:], customers: [String: Customer] = [:],
        resellers: [String: Reseller] = [:]
    ) {
        self.records = records
        self.hasMore = hasMore
        self.files = files
        self.items = items
        self.subscriptions = subscriptions
        self.customers = customers
        self.resellers = resellers
    }

    /// The position to continue after: the last record's, or nil for an empty batch.
    public var lastPosition: ExportedRecord.Position? { records.last?.position }
}
