// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One row of a usage file as validation understood it: what the vendor reported, what it
/// resolved to, and every error found.
///
/// A record keeps the row as uploaded (`rawValues`) besides the parsed fields, so the processed
/// file can show the vendor exactly what was sent next to its status and errors.
public struct UsageRecord: Sendable, Hashable {
    public var fileID: String
    /// The 1-based row number in the upload (the header is not counted).
    public var position: Int
    /// The vendor's `record_id`: unique within the file, and among the product's live files.
    public var recordID: String
    public var note: String
    /// The item the row resolved to, or nil when it did not.
    public var itemID: String?
    /// The subscription the row resolved to, or nil when it did not.
    public var subscriptionID: String?
    /// Exact, never rounded; nil when missing or unreadable (the record is then invalid).
    public var quantity: Decimal?
    /// Required for the TR, PR and CR schemas; may be negative (a credit).
    public var amount: Decimal?
    /// 0 (customer), 1 or 2 (reseller tier), for the TR schema.
    public var tier: Int?
    public var start: Timestamp?
    public var end: Timestamp?
    public var categoryID: String?
    public var assetReconID: String?
    /// The row's other columns, in column order.
    public var parameters: [UsageParameter]
    /// The row as uploaded, aligned with `UsageFile.columns`.
    public var raw: UsageRawValues
    /// `raw` as text.
    public var rawValues: [String] {
        get { raw.values }
        set { raw = UsageRawValues(newValue) }
    }
    public var status: UsageRecordStatus
    /// Empty when the record is valid.
    public var errors: [UsageRecordError]
    /// Set by reconciliation.
    public var externalBillingID: String?
    public var externalBillingNote: String?
    public var closedAt: Timestamp?

    public init(
        fileID: String, position: Int, recordID: String, note: String = "", itemID: String? = nil,
        subscriptionID: String? = nil, quantity: Decimal? = nil, amount: Decimal? = nil, tier: Int? = nil,
        start: Timestamp? = nil, end: Timestamp? = nil, categoryID: String? = nil, assetReconID: String? = nil,
        parameters: [UsageParameter] = [], rawValues: [String] = [], status: UsageRecordStatus,
        errors: [UsageRecordError] = [], externalBillingID: String? = nil, externalBillingNote: String? = nil,
        closedAt: Timestamp? = nil
    ) {
        self.fileID = fileID
        self.position = position
        self.recordID = recordID
        self.note = note
        self.itemID = itemID
        self.subscriptionID = subscriptionID
        self.quantity = quantity
        self.amount = amount
        self.tier = tier
        self.start = start
        self.end = end
        self.categoryID = categoryID
        self.assetReconID = assetReconID
        self.parameters = parameters
        self.raw = UsageRawValues(rawValues)
        self.status = status
        self.errors = errors
        self.externalBillingID = externalBillingID
        self.externalBillingNote = externalBillingNote
        self.closedAt = closedAt
    }
}
