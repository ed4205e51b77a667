// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Export of usage records for billing (SPEC §4): a distributor's accepted records, and a
/// reseller's share of them, read in batches in one fixed order so an interrupted export resumes
/// after its last batch without a record twice or one skipped.
///
/// Scope: a distributor sees the records of its own production files from acceptance on
/// (approved and closed records; rejected ones of rejected files when it asks for them); a
/// reseller the approved and closed records of subscriptions whose tier 1 it is (including those
/// sold through its tier-2 resellers) or, for a tier-2 reseller, whose tier 2 it is. Preview files
/// never. A filter naming anything the caller cannot see is NOT_FOUND, exactly like a missing id.
///
/// Each batch is its own read transaction: a million-record export never holds one snapshot for
/// minutes (which would keep the WAL from being folded back), and the caller decides when to read
/// the next batch, so a slow client paces the reads instead of the server buffering ahead.
public struct UsageExportOperations: Sendable {
    /// Records per batch when the request names none.
    public static let defaultBatchSize = 500
    /// The largest batch a request may ask for.
    public static let maximumBatchSize = 1000

    /// The statuses each role may ask for.
    public static let distributorStatuses: Set<UsageRecordStatus> = [.approved, .rejected, .closed]
    public static let resellerStatuses: Set<UsageRecordStatus> = [.approved, .closed]

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    // MARK: Operations

    /// Checks `filter` for `tenant` and returns the query to read batches with.
    ///
    /// INVALID_ARGUMENT for statuses the role may not ask for or a period that ends before it
    /// starts (every violation at once); NOT_FOUND for an id the caller cannot see;
    /// PERMISSION_DENIED for a role that exports nothing.
    public func query(
        _ tenant: Tenant, filter: RecordFilter, billed: UsageExportQuery.Billed = .any
    ) async throws -> UsageExportQuery {
        let scope = try Self.scope(tenant)
        var validation = Validation()
        let allowed = if case .reseller = scope { Self.resellerStatuses } else { Self.distributorStatuses }
        for status in filter.statuses.subtracting(allowed).sorted(by: { $0.rawValue < $1.rawValue }) {
            validation.fail(
                "filter.statuses",
                "\(status.rawValue) records cannot be exported; ask for "
                    + allowed.map(\.rawValue).sorted().joined(separator: ", "))
        }
        if let from = filter.periodFrom, let to = filter.periodTo, to < from {
            validation.fail("filter.period_to", "the period must not end (\(to)) before it starts (\(from))")
        }
        if case .distributor = scope, billed != .any {
            validation.fail("billed", "only a reseller's own billing marks can be filtered on")
        }
        try validation.check()
        var resolved = filter
        resolved.statuses = filter.effectiveStatuses
        let query = UsageExportQuery(scope: scope, filter: resolved, billed: billed)
        try await environment.store.read { tx in try Self.checkVisible(filter, scope: scope, in: tx) }
        return query
    }

    /// The query of a whole accepted or closed file's export: its approved and closed records with
    /// their rows as uploaded; returns the file too, for the spreadsheet's header.
    ///
    /// Only the file's distributor may export it; any other file is NOT_FOUND, and a file not yet
    /// accepted (or rejected) FAILED_PRECONDITION naming its state.
    public func fileQuery(_ tenant: Tenant, fileID: String) async throws -> (UsageFile, UsageExportQuery) {
        let distributorID = try ChannelOperations.distributorID(tenant, "export usage files")
        let file = try await environment.store.read { tx in
            try UsageFileOperations.file(fileID, visibleTo: tenant, in: tx)
        }
        guard file.status == .accepted || file.status == .closed else {
            throw DomainError.wrongState(
                "usage file \(file.id) is \(file.status.rawValue); only accepted and closed files can be exported")
        }
        let filter = RecordFilter(fileID: file.id, statuses: RecordFilter.defaultStatuses)
        return (
            file,
            UsageExportQuery(scope: .distributor(id: distributorID), filter: filter, includeRawValues: true)
        )
    }

    /// The next batch of `query`: up to `limit` records after `after`, read in one transaction.
    public func batch(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int
    ) async throws -> ExportedRecordBatch {
        let limit = max(1, min(limit, Self.maximumBatchSize + 1))
        return try await environment.store.read { tx in
            try tx.exportedRecords(query, after: after, limit: limit)
        }
    }

    /// The next batch of `query` handed to `sink` as stored (one read transaction); returns the sink
    /// with what it received, and what the batch names.
    public func batch<Sink: ExportRecordSink & Sendable>(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int, into sink: Sink
    ) async throws -> (Sink, StreamedExportBatch) {
        let limit = max(1, min(limit, Self.maximumBatchSize + 1))
        return try await environment.store.read { tx in
            var sink = sink
            let batch = try tx.exportedRecords(query, after: after, limit: limit, into: &sink)
            return (sink, batch)
        }
    }

    // MARK: Internals

    /// Whose records `tenant` exports; PERMISSION_DENIED for vendors and the operator.
    static func scope(_ tenant: Tenant) throws(DomainError) -> UsageExportQuery.Scope {
        switch tenant {
        case .distributor(let id):
            return .distributor(id: id)
        case .reseller(let reseller):
            return .reseller(id: reseller.id, distributorID: reseller.distributorID, tier: reseller.tier)
        case .vendor, .operator:
            throw .permissionDenied("only a distributor or a reseller can export usage records")
        }
    }

    /// NOT_FOUND for the first id of the filter the caller cannot see.
    static func checkVisible(_ filter: RecordFilter, scope: UsageExportQuery.Scope, in tx: any StoreReader) throws {
        let distributorID: String
        switch scope {
        case .distributor(let id): distributorID = id
        case .reseller(_, let id, _): distributorID = id
        }
        if let id = filter.fileID {
            guard IdentifierKind.usageFile.matches(id), let file = try tx.usageFile(id: id),
                file.distributorID == distributorID, file.isVisibleToDistributor
            else { throw DomainError.notFound("usage file", id) }
            if case .reseller = scope, file.status != .accepted && file.status != .closed {
                throw DomainError.notFound("usage file", id)
            }
        }
        if let id = filter.productID, try !productVisible(id, distributorID: distributorID, in: tx) {
            throw DomainError.notFound("product", id)
        }
        if let id = filter.itemID {
            guard let item = try tx.item(id: id), try productVisible(item.productID, distributorID: distributorID, in: tx)
            else { throw DomainError.notFound("item", id) }
        }
        if let id = filter.marketplaceID {
            guard let marketplace = try tx.marketplace(id: id), marketplace.distributorID == distributorID else {
                throw DomainError.notFound("marketplace", id)
            }
        }
        if let id = filter.resellerID {
            guard let reseller = try tx.reseller(id: id), reseller.distributorID == distributorID,
                resellerVisible(reseller, scope: scope)
            else { throw DomainError.notFound("reseller", id) }
        }
        if let id = filter.customerID {
            guard let customer = try tx.customer(id: id), customer.distributorID == distributorID,
                try customerVisible(customer, scope: scope, in: tx)
            else { throw DomainError.notFound("customer", id) }
        }
        if let id = filter.subscriptionID {
            guard let subscription = try tx.subscription(id: id), subscription.distributorID == distributorID,
                subscriptionVisible(subscription, scope: scope)
            else { throw DomainError.notFound("subscription", id) }
        }
    }

    /// A product is visible to the distributor that listed it (in any listing state).
    static func productVisible(_ id: String, distributorID: String, in tx: any StoreReader) throws -> Bool {
        guard try tx.product(id: id) != nil else { return false }
        let listings = try tx.listings(ListingFilter(distributorID: distributorID, productID: id), page: PageRequest(size: 1))
        return !listings.items.isEmpty
    }

    /// A reseller sees itself and, at tier 1, its tier-2 resellers.
    static func resellerVisible(_ reseller: Reseller, scope: UsageExportQuery.Scope) -> Bool {
        switch scope {
        case .distributor: true
        case .reseller(let id, _, _): reseller.id == id || reseller.parentID == id
        }
    }

    /// A reseller sees its own customers and, at tier 1, its tier-2 resellers' customers.
    static func customerVisible(
        _ customer: Customer, scope: UsageExportQuery.Scope, in tx: any StoreReader
    ) throws -> Bool {
        switch scope {
        case .distributor:
            return true
        case .reseller(let id, _, let tier):
            guard let owner = customer.resellerID else { return false }
            if owner == id { return true }
            guard tier == 1, let reseller = try tx.reseller(id: owner) else { return false }
            return reseller.parentID == id
        }
    }

    /// A reseller sees the subscriptions sold through it at its own tier.
    static func subscriptionVisible(_ subscription: Subscription, scope: UsageExportQuery.Scope) -> Bool {
        switch scope {
        case .distributor: true
        case .reseller(let id, _, let tier):
            tier == 1 ? subscription.tiers.tier1ID == id : subscription.tiers.tier2ID == id
        }
    }
}
