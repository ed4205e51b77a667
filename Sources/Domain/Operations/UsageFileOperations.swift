// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Usage files: created, uploaded, submitted and deleted by their vendor; accepted or rejected by
/// the distributor of their contract (SPEC §3–4).
///
/// Visibility: a vendor sees its own files; a distributor sees the production files of its
/// contracts from `pending` on, and nothing of preview files; anything else is NOT_FOUND with
/// the same message as a missing file. Resellers and the operator have no usage files here.
/// Uploads are in `UsageFileOperations+Upload.swift`.
public struct UsageFileOperations: Sendable {
    /// What a vendor asks for when it creates a usage file. The period days are optional here
    /// only so a missing one is reported with the other field violations.
    public struct Draft: Sendable, Hashable {
        public var productID: String
        public var contractID: String
        public var environment: UsageEnvironment
        public var name: String
        public var description: String
        /// Internal: never shown to the distributor.
        public var note: String
        /// Nil or empty: none. Makes the create idempotent (SPEC §3).
        public var externalID: String?
        public var periodFrom: CivilDate?
        public var periodTo: CivilDate?

        public init(
            productID: String, contractID: String, environment: UsageEnvironment = .production, name: String,
            description: String = "", note: String = "", externalID: String? = nil, periodFrom: CivilDate?,
            periodTo: CivilDate?
        ) {
            self.productID = productID
            self.contractID = contractID
            self.environment = environment
            self.name = name
            self.description = description
            self.note = note
            self.externalID = externalID
            self.periodFrom = periodFrom
            self.periodTo = periodTo
        }
    }

    /// What `update` changes in a draft file; nil fields stay as they are. An empty external id
    /// removes it.
    public struct Changes: Sendable, Hashable {
        public var name: String?
        public var description: String?
        public var note: String?
        public var externalID: String?
        public var periodFrom: CivilDate?
        public var periodTo: CivilDate?

        public init(
            name: String? = nil, description: String? = nil, note: String? = nil, externalID: String? = nil,
            periodFrom: CivilDate? = nil, periodTo: CivilDate? = nil
        ) {
            self.name = name
            self.description = description
            self.note = note
            self.externalID = externalID
            self.periodFrom = periodFrom
            self.periodTo = periodTo
        }
    }

    public let environment: DomainEnvironment
    public let limits: UsageLimits

    public init(environment: DomainEnvironment, limits: UsageLimits = .default) {
        self.environment = environment
        self.limits = limits
    }

    // MARK: Vendor

    /// Creates a `draft` file of one of the vendor's products under one of its active contracts.
    ///
    /// The product needs the `ppu` capability (its schema is copied) and must be listed under
    /// the contract; the currency is the contract's marketplace's. With an external id, a create
    /// that repeats an existing file's request returns that file, and one that differs is
    /// ALREADY_EXISTS naming it.
    public func create(_ tenant: Tenant, _ draft: Draft) async throws -> UsageFile {
        let vendorID = try ChannelOperations.vendorID(tenant, "create usage files")
        var draft = draft
        if draft.externalID?.isEmpty == true { draft.externalID = nil }
        try Self.validate(draft)
        guard let periodFrom = draft.periodFrom, let periodTo = draft.periodTo else {
            throw DomainError.internalFailure("usage file draft passed validation without a period")
        }
        let now = environment.clock.now()
        return try await environment.store.write { [draft] tx in
            let product = try CatalogueOperations.product(draft.productID, of: tenant, in: tx)
            let contract = try ChannelOperations.contract(draft.contractID, visibleTo: tenant, in: tx)
            if let externalID = draft.externalID,
                let existing = try tx.usageFile(
                    vendorID: vendorID, productID: product.id, contractID: contract.id, externalID: externalID)
            {
                let differences = Self.differences(existing, draft)
                guard differences.isEmpty else {
                    throw DomainError.alreadyExists(
                        "usage file \(existing.id) already has external_id \(externalID), with a different "
                            + differences.joined(separator: ", "),
                        field: "external_id")
                }
                return existing
            }
            let schema = try Self.usageSchema(of: product)
            try Self.checkListed(product, under: contract, in: tx)
            guard let marketplace = try tx.marketplace(id: contract.marketplaceID) else {
                throw DomainError.internalFailure("contract \(contract.id) names missing marketplace")
            }
            let file = UsageFile(
                id: try environment.newID(.usageFile, in: tx, at: now), vendorID: vendorID,
                distributorID: contract.distributorID, productID: product.id, contractID: contract.id,
                marketplaceID: marketplace.id, currency: marketplace.currency, schema: schema,
                environment: draft.environment, name: draft.name, description: draft.description, note: draft.note,
                externalID: draft.externalID, periodFrom: periodFrom, periodTo: periodTo, status: .draft,
                history: [StatusChange(from: "", to: UsageFileStatus.draft.rawValue, at: now, actor: tenant.actor)],
                createdAt: now, updatedAt: now)
            try tx.insert(file)
            return file
        }
    }

    /// Changes a draft file's name, description, note, external id or period.
    public func update(_ tenant: Tenant, id: String, changes: Changes) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "change usage files")
        var validation = Validation()
        Self.validate(changes, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var file = try Self.file(id, visibleTo: tenant, in: tx)
            try file.checkEditable()
            if let name = changes.name { file.name = name }
            if let description = changes.description { file.description = description }
            if let note = changes.note { file.note = note }
            if let periodFrom = changes.periodFrom { file.periodFrom = periodFrom }
            if let periodTo = changes.periodTo { file.periodTo = periodTo }
            if file.periodFrom > file.periodTo {
                throw DomainError.invalid(
                    field: changes.periodFrom != nil ? "period_from" : "period_to",
                    "the period must not end (\(file.periodTo)) before it starts (\(file.periodFrom))")
            }
            if let externalID = changes.externalID, externalID != (file.externalID ?? "") {
                if !externalID.isEmpty,
                    let other = try tx.usageFile(
                        vendorID: file.vendorID, productID: file.productID, contractID: file.contractID,
                        externalID: externalID), other.id != file.id
                {
                    throw DomainError.alreadyExists(
                        "usage file \(other.id) already has external_id \(externalID)", field: "external_id")
                }
                file.externalID = externalID.isEmpty ? nil : externalID
            }
            file.updatedAt = now
            try tx.update(file)
            return file
        }
    }

    /// ready → pending. Preview files go through the same step but never reach the distributor.
    public func submit(_ tenant: Tenant, id: String) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "submit usage files")
        return try await transition(tenant, id: id) { file, now, actor, _ in
            try file.submit(at: now, by: actor)
        }
    }

    /// draft | invalid | ready | rejected → deleted; the records stay for the audit trail but no
    /// longer count against other files' record ids.
    public func delete(_ tenant: Tenant, id: String) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "delete usage files")
        return try await transition(tenant, id: id) { file, now, actor, _ in
            try file.delete(at: now, by: actor)
        }
    }

    // MARK: Distributor

    /// pending → accepted, by the distributor of the file's contract, with an optional note of up
    /// to 200 characters: every valid record becomes approved.
    public func accept(_ tenant: Tenant, id: String, note: String) async throws -> UsageFile {
        _ = try ChannelOperations.distributorID(tenant, "accept usage files")
        var validation = Validation()
        validation.text("note", note, maxLength: Limits.noteLength, allowNewlines: true)
        try validation.check()
        return try await transition(tenant, id: id) { file, now, actor, tx in
            try file.accept(note: note, at: now, by: actor)
            try tx.updateUsageRecordStatus(fileID: file.id, from: .valid, to: .approved)
        }
    }

    /// pending → rejected, by the distributor of the file's contract, with a required note of up
    /// to 200 characters: every valid record becomes rejected, and the vendor may upload again.
    public func reject(_ tenant: Tenant, id: String, note: String) async throws -> UsageFile {
        _ = try ChannelOperations.distributorID(tenant, "reject usage files")
        var validation = Validation()
        if note.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
            validation.fail("note", "is required: tell the vendor why the file is rejected")
        } else {
            validation.text("note", note, maxLength: Limits.noteLength, allowNewlines: true)
        }
        try validation.check()
        return try await transition(tenant, id: id) { file, now, actor, tx in
            try file.reject(note: note, at: now, by: actor)
            try tx.updateUsageRecordStatus(fileID: file.id, from: .valid, to: .rejected)
        }
    }

    // MARK: Both sides

    /// One file the caller sees.
    public func get(_ tenant: Tenant, id: String) async throws -> UsageFile {
        try await environment.store.read { tx in try Self.file(id, visibleTo: tenant, in: tx) }
    }

    /// The files the caller sees, narrowed by the filters that are not nil, in creation order.
    ///
    /// A vendor's list leaves deleted files out, as `get` does, unless the status filter asks for
    /// them. For a distributor, a filter for preview files, or for a status before `pending`,
    /// gives an empty page.
    public func list(
        _ tenant: Tenant, productID: String? = nil, contractID: String? = nil, status: UsageFileStatus? = nil,
        environment fileEnvironment: UsageEnvironment? = nil, externalID: String? = nil, page: PageRequest
    ) async throws -> Page<UsageFile> {
        var filter = UsageFileFilter(
            productID: productID, contractID: contractID, statuses: status.map { [$0] },
            environment: fileEnvironment, externalID: externalID)
        switch tenant {
        case .vendor(let id):
            filter.vendorID = id
            if filter.statuses == nil { filter.statuses = Set(UsageFileStatus.allCases).subtracting([.deleted]) }
        case .distributor(let id):
            filter.distributorID = id
            if fileEnvironment == .preview { return ChannelOperations.emptyPage() }
            filter.environment = .production
            filter.statuses = (filter.statuses ?? UsageFileStatus.reviewed).intersection(UsageFileStatus.reviewed)
            if filter.statuses?.isEmpty == true { return ChannelOperations.emptyPage() }
        case .reseller, .operator:
            throw DomainError.permissionDenied("only vendors and distributors have usage files")
        }
        return try await environment.store.read { [filter] tx in try tx.usageFiles(filter, page: page) }
    }

    /// A file's records in upload order, optionally only those in one status, each with every
    /// error it has.
    public func records(
        _ tenant: Tenant, id: String, status: UsageRecordStatus? = nil, page: PageRequest
    ) async throws -> Page<UsageRecord> {
        try await environment.store.read { tx in
            let file = try Self.file(id, visibleTo: tenant, in: tx)
            return try tx.usageRecords(fileID: file.id, status: status, page: page)
        }
    }

    /// A file's categories, in upload order.
    public func categories(_ tenant: Tenant, id: String) async throws -> [UsageCategory] {
        try await environment.store.read { tx in
            let file = try Self.file(id, visibleTo: tenant, in: tx)
            return try tx.usageCategories(fileID: file.id)
        }
    }

    // MARK: Internals

    /// Loads a visible file, applies `change` to it in the same write transaction and stores it.
    func transition(
        _ tenant: Tenant, id: String,
        _ change: @escaping @Sendable (inout UsageFile, Timestamp, String, any StoreWriter) throws -> Void
    ) async throws -> UsageFile {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var file = try Self.file(id, visibleTo: tenant, in: tx)
            try change(&file, now, tenant.actor, tx)
            try tx.update(file)
            return file
        }
    }

    /// The file `id` as the caller may see it, or NOT_FOUND with one message for a malformed,
    /// missing or invisible id.
    static func file(_ id: String, visibleTo tenant: Tenant, in tx: any StoreReader) throws -> UsageFile {
        guard IdentifierKind.usageFile.matches(id), let file = try tx.usageFile(id: id) else {
            throw DomainError.notFound("usage file", id)
        }
        switch tenant {
        case .vendor(let vendorID) where file.vendorID == vendorID && file.status != .deleted:
            return file
        case .distributor(let distributorID) where file.distributorID == distributorID && file.isVisibleToDistributor:
            return file
        default:
            throw DomainError.notFound("usage file", id)
        }
    }

    /// Every field rule of a draft, collected at once.
    static func validate(_ draft: Draft) throws(DomainError) {
        var validation = Validation()
        ChannelOperations.require("product_id", draft.productID, into: &validation)
        ChannelOperations.require("contract_id", draft.contractID, into: &validation)
        validation.name("name", draft.name)
        validation.text("description", draft.description, maxLength: Limits.descriptionLength, allowNewlines: true)
        validation.text("note", draft.note, maxLength: Limits.noteLength, allowNewlines: true)
        if let externalID = draft.externalID {
            validation.text("external_id", externalID, maxLength: Limits.externalIDLength)
        }
        if draft.periodFrom == nil { validation.fail("period_from", "is required (a day, YYYY-MM-DD)") }
        if draft.periodTo == nil { validation.fail("period_to", "is required (a day, YYYY-MM-DD)") }
        if let from = draft.periodFrom, let to = draft.periodTo, from > to {
            validation.fail("period_to", "the period must not end (\(to)) before it starts (\(from))")
        }
        try validation.check()
    }

    static func validate(_ changes: Changes, into validation: inout Validation) {
        if let name = changes.name { validation.name("name", name) }
        if let description = changes.description {
            validation.text("description", description, maxLength: Limits.descriptionLength, allowNewlines: true)
        }
        if let note = changes.note { validation.text("note", note, maxLength: Limits.noteLength, allowNewlines: true) }
        if let externalID = changes.externalID {
            validation.text("external_id", externalID, maxLength: Limits.externalIDLength)
        }
    }

    /// The fields in which an existing file differs from a create request with its external id.
    static func differences(_ file: UsageFile, _ draft: Draft) -> [String] {
        var fields: [String] = []
        if file.environment != draft.environment { fields.append("environment") }
        if file.name != draft.name { fields.append("name") }
        if file.description != draft.description { fields.append("description") }
        if file.note != draft.note { fields.append("note") }
        if file.periodFrom != draft.periodFrom { fields.append("period_from") }
        if file.periodTo != draft.periodTo { fields.append("period_to") }
        return fields
    }

    /// The product's pay-as-you-go schema, or FAILED_PRECONDITION when it has no `ppu` capability.
    static func usageSchema(of product: Product) throws(DomainError) -> PPUSchema {
        guard product.capabilities.ppu, let schema = product.capabilities.schema else {
            throw .wrongState(
                "product \(product.id) does not have the ppu capability; usage files need a pay-as-you-go product")
        }
        return schema
    }

    /// The contract must be active and the product listed under it.
    static func checkListed(_ product: Product, under contract: Contract, in tx: any StoreReader) throws {
        guard contract.status == .active else {
            throw DomainError.wrongState(
                "contract \(contract.id) is \(contract.status.rawValue); usage files need an active contract")
        }
        let filter = ListingFilter(productID: product.id, contractID: contract.id, status: .listed)
        guard try ChannelOperations.first({ try tx.listings(filter, page: $0) }) != nil else {
            throw DomainError.wrongState("product \(product.id) is not listed under contract \(contract.id)")
        }
    }
}
