// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One usage record as an export delivers it: the record, where it stands in the export's order,
/// and for a reseller its own billing mark.
///
/// The record's item, subscription, parties and file facts are not copied into every record:
/// they live once per batch in `ExportedRecordBatch`, keyed by id, because a batch of 500
/// records usually names a handful of each and copying them per record would cost more than
/// reading the record.
public struct ExportedRecord: Sendable, Hashable {
    /// Where the record stands in every export: files in the order they were accepted (or
    /// rejected), then records in upload order within a file.
    ///
    /// Why not the row number alone: a file uploaded before an export started but accepted while
    /// it runs has rows numbered below the export's cursor, and a cursor on row numbers would skip
    /// them. A file's acceptance number is given when it is accepted and only grows, so every file
    /// that becomes visible lands after every position already exported.
    public struct Position: Sendable, Hashable, Comparable {
        /// The file's acceptance number (`usage_files.accept_seq`).
        public var fileOrder: Int64
        /// The record's position within its file.
        public var position: Int64

        public init(fileOrder: Int64, position: Int64) {
            self.fileOrder = fileOrder
            self.position = position
        }

        public static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.fileOrder, lhs.position) < (rhs.fileOrder, rhs.position)
        }
    }

    /// A reseller's own billing mark on a record, independent of the distributor's close.
    public struct Billing: Sendable, Hashable {
        public var resellerID: String
        public var externalBillingID: String
        public var note: String
        public var billedAt: Timestamp

        public init(resellerID: String, externalBillingID: String, note: String, billedAt: Timestamp) {
            self.resellerID = resellerID
            self.externalBillingID = externalBillingID
            self.note = note
            self.billedAt = billedAt
        }
    }

    public var position: Position
    /// The record; `rawValues` is filled only when the query asked for it (a whole-file export),
    /// and `errors` stays empty: exported records are valid ones.
    public var record: UsageRecord
    /// The caller's own mark, for a reseller's query; nil otherwise or when not marked.
    public var billing: Billing?

    public init(position: Position, record: UsageRecord, billing: Billing? = nil) {
        self.position = position
        self.record = record
        self.billing = billing
    }
}

/// The facts of a usage file that every exported record of it carries.
public struct ExportedFile: Sendable, Hashable {
    public var id: String
    public var vendorID: String
    public var distributorID: String
    public var productID: String
    public var marketplaceID: String
    public var contractID: String
    public var currency: String
    public var periodFrom: CivilDate
    public var periodTo: CivilDate

    public init(
        id: String, vendorID: String, distributorID: String, productID: String, marketplaceID: String,
        contractID: String, currency: String, periodFrom: CivilDate, periodTo: CivilDate
    ) {
        self.id = id
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.productID = productID
        self.marketplaceID = marketplaceID
        self.contractID = contractID
        self.currency = currency
        self.periodFrom = periodFrom
        self.periodTo = periodTo
    }
}
