// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One exported record as the store holds it, read in place: text columns are UTF-8 bytes that
/// stay valid only during the `ExportRecordSink.append` call that receives the value.
///
/// Why: an export streams a million records. Turning each into a `UsageRecord` (a string per
/// column, parsed decimals, arrays of parameters) and then into wire bytes cost several times the
/// store's own read; a sink that writes the bytes of the wire format copies each column once.
/// `ExportedRecord` remains the value form for everything that keeps records.
public struct StoredExportRecord {
    /// A reseller's own billing mark, as `ExportedRecord.Billing`.
    public struct Billing {
        public var externalBillingID: UnsafeRawBufferPointer
        public var note: UnsafeRawBufferPointer
        public var billedAt: Timestamp

        public init(externalBillingID: UnsafeRawBufferPointer, note: UnsafeRawBufferPointer, billedAt: Timestamp) {
            self.externalBillingID = externalBillingID
            self.note = note
            self.billedAt = billedAt
        }
    }

    public var position: ExportedRecord.Position
    public var fileID: UnsafeRawBufferPointer
    public var recordID: UnsafeRawBufferPointer
    public var status: UsageRecordStatus
    public var note: UnsafeRawBufferPointer = Self.none
    /// Nil where the record has none (NULL), as in `UsageRecord`.
    public var itemID: UnsafeRawBufferPointer?
    public var subscriptionID: UnsafeRawBufferPointer?
    /// Where the file, item and subscription ids stand in the batch's `StreamedExportBatch.fileIDs`,
    /// `itemIDs` and `subscriptionIDs` (-1 for none), so a sink can share what it builds per id.
    public var fileKey = -1
    public var itemKey = -1
    public var subscriptionKey = -1
    /// Exact decimals in their canonical text (`Decimal.description`), as stored.
    public var quantity: UnsafeRawBufferPointer?
    public var amount: UnsafeRawBufferPointer?
    public var tier: Int64?
    public var start: Timestamp?
    public var end: Timestamp?
    public var categoryID: UnsafeRawBufferPointer?
    public var assetReconID: UnsafeRawBufferPointer?
    /// Name, value, name, value, … in upload order.
    public var parameters: UnsafeBufferPointer<UnsafeRawBufferPointer> = UnsafeBufferPointer(start: nil, count: 0)
    public var externalBillingID: UnsafeRawBufferPointer?
    public var externalBillingNote: UnsafeRawBufferPointer?
    public var closedAt: Timestamp?
    /// The row as uploaded, when the query asked for it (`UsageExportQuery.includeRawValues`).
    public var rawValues: UnsafeBufferPointer<UnsafeRawBufferPointer> = UnsafeBufferPointer(start: nil, count: 0)
    /// For a reseller's query, its own mark once it marked the record billed.
    public var billing: Billing?

    /// No bytes.
    public static var none: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    public init(
        position: ExportedRecord.Position, fileID: UnsafeRawBufferPointer, recordID: UnsafeRawBufferPointer,
        status: UsageRecordStatus
    ) {
        self.position = position
        self.fileID = fileID
        self.recordID = recordID
        self.status = status
    }
}

/// Receives an export batch's records as the store reads them, in export order.
public protocol ExportRecordSink {
    mutating func append(_ record: StoredExportRecord) throws
}

/// What a batch streamed into an `ExportRecordSink` left to know: how many records, where to
/// continue, and once each the files, items, subscriptions and parties they name (`named`, whose
/// `records` stay empty).
public struct StreamedExportBatch: Sendable {
    public var named: ExportedRecordBatch
    /// The distinct ids the records named, in the order of their keys.
    public var fileIDs: [String] = []
    public var itemIDs: [String] = []
    public var subscriptionIDs: [String] = []
    public var count: Int
    public var lastPosition: ExportedRecord.Position?
    /// Whether more records may follow the last one (the batch was cut at its limit).
    public var hasMore: Bool

    public init(
        named: ExportedRecordBatch = ExportedRecordBatch(), count: Int = 0,
        lastPosition: ExportedRecord.Position? = nil, hasMore: Bool = false
    ) {
        self.named = named
        self.count = count
        self.lastPosition = lastPosition
        self.hasMore = hasMore
    }
}
