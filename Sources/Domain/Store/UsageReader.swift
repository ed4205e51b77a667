// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reads of usage files, their records and categories.
///
/// As with `CatalogueReader`, lookups return nil for a missing object and tenant scoping is the
/// caller's job. Files page by insertion position; a file's records page by their position in
/// the upload (`UsageRecord.position`), so `PageRequest.after` is a row number there.
public protocol UsageReader {
    func usageFile(id: String) throws -> UsageFile?
    func usageFiles(_ filter: UsageFileFilter, page: PageRequest) throws -> Page<UsageFile>
    /// The file not deleted with this external id for the vendor, product and contract, if any.
    func usageFile(vendorID: String, productID: String, contractID: String, externalID: String) throws -> UsageFile?

    /// The file's records in upload order, only those in `status` when it is not nil.
    func usageRecords(fileID: String, status: UsageRecordStatus?, page: PageRequest) throws -> Page<UsageRecord>
    /// The file's record at `position`, if any.
    func usageRecord(fileID: String, position: Int) throws -> UsageRecord?
    /// The file's categories, in the order they were uploaded.
    func usageCategories(fileID: String) throws -> [UsageCategory]
    /// How many of the file's records are in each status (`uploaded` is the total).
    func usageRecordCounts(fileID: String) throws -> UsageFileCounts

    /// The id of a file of `productID` other than `excludingFileID`, in a status that holds its
    /// record ids (`UsageFileStatus.holdingRecordIDs`), with a record whose `record_id` is
    /// `recordID`; nil when there is none. The first such file by position when several are.
    func usageFileUsing(recordID: String, productID: String, excludingFileID: String) throws -> String?

    /// Up to `limit` subscriptions to `vendorID`'s products that `value` names under `criteria`
    /// (as `UsageSubscriptionCriteria.matches` defines), in position order, of any product and
    /// contract: what a usage row's `asset_search_criteria` and `asset_search_value` find.
    func subscriptions(
        vendorID: String, criteria: UsageSubscriptionCriteria, value: String, limit: Int
    ) throws -> [Subscription]
}

/// Writes of usage files, their records and categories, inside the caller's write transaction.
///
/// A record set is replaced in three steps inside one transaction: `removeUsageRecords` (the
/// old records and categories go), `insert(_:fileID:)` for the categories, then
/// `appendUsageRecords` as many times as the upload needs; a reader sees the old set until the
/// transaction commits and the new one after, never a mix.
public protocol UsageWriter: UsageReader {
    /// Inserts a new file and its history; an id already taken, or an external id another file
    /// not deleted of the same vendor, product and contract has, is `alreadyExists`.
    func insert(_ file: UsageFile) throws
    /// Stores every field of the file and appends to its history; a missing file is `notFound`.
    func update(_ file: UsageFile) throws
    /// Deletes every record and category of the file.
    func removeUsageRecords(fileID: String) throws
    /// Stores the file's categories after the ones it has.
    func insert(_ categories: [UsageCategory], fileID: String) throws
    /// Stores records of the file (their `fileID` must be `fileID`); a position the file already
    /// has is `alreadyExists`.
    func appendUsageRecords(_ records: [UsageRecord], fileID: String) throws
    /// Moves every record of the file in status `from` to `to`; returns how many moved.
    @discardableResult
    func updateUsageRecordStatus(fileID: String, from: UsageRecordStatus, to: UsageRecordStatus) throws -> Int
}

/// Which usage files to list; nil fields do not filter.
public struct UsageFileFilter: Sendable, Hashable {
    public var vendorID: String?
    public var distributorID: String?
    public var productID: String?
    public var contractID: String?
    public var marketplaceID: String?
    /// Only files in one of these statuses.
    public var statuses: Set<UsageFileStatus>?
    public var environment: UsageEnvironment?
    public var externalID: String?

    public init(
        vendorID: String? = nil, distributorID: String? = nil, productID: String? = nil, contractID: String? = nil,
        marketplaceID: String? = nil, statuses: Set<UsageFileStatus>? = nil, environment: UsageEnvironment? = nil,
        externalID: String? = nil
    ) {
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.productID = productID
        self.contractID = contractID
        self.marketplaceID = marketplaceID
        self.statuses = statuses
        self.environment = environment
        self.externalID = externalID
    }
}
