// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// `UsageFileOperations` end to end on SQLite over `World`: a TR product with the `dynamic` and
/// `future` capabilities, one decimal(4) item, and one active subscription.
@Suite("Usage file operations")
struct UsageFileOperationsTests {
    static let vendor = Tenant.vendor(id: World.vendor.id)
    static let distributor = Tenant.distributor(id: World.distributor.id)
    static let columns = [
        "record_id", "item_search_criteria", "item_search_value", "quantity", "amount", "tier", "start_time_utc",
        "end_time_utc", "asset_search_criteria", "asset_search_value", "zone",
    ]

    struct FixedClock: DomainClock {
        func now() -> Timestamp { World.time(86_400 * 40) }
    }

    static func operations(_ store: SQLiteDataStore, limits: UsageLimits = .default) -> UsageFileOperations {
        UsageFileOperations(environment: DomainEnvironment(store: store, clock: FixedClock()), limits: limits)
    }

    static func draft(externalID: String? = nil, name: String = "January") -> UsageFileOperations.Draft {
        UsageFileOperations.Draft(
            productID: World.product.id, contractID: World.contract.id, name: name, note: "internal",
            externalID: externalID, periodFrom: UsageFixtures.january.0, periodTo: UsageFixtures.january.1)
    }

    /// A valid row for the World's item and subscription, unless a field is overridden.
    static func row(
        _ position: Int, recordID: String? = nil, quantity: String = "1.5", tier: String = "0",
        item: String = World.item.mpn, start: String = "2026-01-02 00:00:00"
    ) -> UsageRow {
        UsageRow(
            position: position,
            cells: [
                .text(recordID ?? "r-\(position)"), .text("item.mpn"), .text(item), .number(quantity), .text("10.00"),
                .text(tier), .text(start), .text("2026-01-03T00:00:00Z"), .text("asset.id"),
                .text(World.subscription.id), .text("zone-\(position)"),
            ])
    }

    static func rows(_ rows: [UsageRow]) -> @Sendable () throws -> any UsageRowSource {
        { UsageRowList(rows) }
    }

    /// Creates a file, uploads `rows` and processes them.
    static func uploaded(
        _ operations: UsageFileOperations, _ rows: [UsageRow], externalID: String? = nil
    ) async throws -> UsageFile {
        let file = try await operations.create(vendor, draft(externalID: externalID))
        _ = try await operations.beginUpload(vendor, id: file.id)
        return try await operations.process(vendor, id: file.id, columns: columns, rows: Self.rows(rows))
    }

    static func allRecords(_ operations: UsageFileOperations, _ tenant: Tenant = vendor, id: String) async throws
        -> [UsageRecord]
    {
        try await operations.records(tenant, id: id, page: PageRequest(size: 1000)).items
    }

    // MARK: Create

    @Test("create makes a draft of the product under the contract, in the marketplace's currency")
    func create() async throws {
        try await withWorld { store throws in
            let file = try await Self.operations(store).create(Self.vendor, Self.draft())
            #expect(IdentifierKind.usageFile.matches(file.id))
            #expect(file.id.hasPrefix("UF-2026-02-"), "dated by the month it was made in")
            #expect(file.status == .draft)
            #expect(file.schema == .tr)
            #expect(file.currency == "EUR")
            #expect(file.marketplaceID == World.marketplace.id)
            #expect(file.distributorID == World.distributor.id)
            #expect(file.history == [StatusChange(from: "", to: "draft", at: FixedClock().now(), actor: World.vendor.id)])
            #expect(try await store.read { try $0.usageFile(id: file.id) } == file)
        }
    }

    @Test("create reports every invalid field at once")
    func createValidation() async throws {
        try await withWorld { store throws in
            var draft = Self.draft()
            draft.name = " "
            draft.note = String(repeating: "n", count: 201)
            draft.periodFrom = UsageFixtures.january.1
            draft.periodTo = UsageFixtures.january.0
            let error = await expectDomainError(.invalidArgument) {
                _ = try await Self.operations(store).create(Self.vendor, draft)
            }
            #expect(error?.violations.map(\.field) == ["name", "note", "period_to"])
            draft = Self.draft()
            draft.periodTo = nil
            draft.productID = ""
            let missing = await expectDomainError(.invalidArgument) {
                _ = try await Self.operations(store).create(Self.vendor, draft)
            }
            #expect(missing?.violations.map(\.field) == ["product_id", "period_to"])
        }
    }

    @Test("create needs the vendor's own pay-as-you-go product, listed under its active contract")
    func createPreconditions() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            var plain = World.product
            plain.id = "PRD-000-000-009"
            plain.capabilities = Capabilities()
            try await store.write { [plain] in try $0.insert(plain) }

            var draft = Self.draft()
            draft.productID = plain.id
            let noPPU = await expectDomainError(.failedPrecondition) { _ = try await operations.create(Self.vendor, draft) }
            #expect(noPPU?.message.contains("ppu") == true)

            draft.productID = World.otherProduct.id
            await expectDomainError(.notFound) { _ = try await operations.create(Self.vendor, draft) }

            var ppu = World.product
            ppu.id = "PRD-000-000-010"
            try await store.write { [ppu] in try $0.insert(ppu) }
            draft.productID = ppu.id
            let unlisted = await expectDomainError(.failedPrecondition) {
                _ = try await operations.create(Self.vendor, draft)
            }
            #expect(unlisted?.message == "product \(ppu.id) is not listed under contract \(World.contract.id)")

            draft = Self.draft()
            draft.contractID = "CRD-99999-99999-99999"
            await expectDomainError(.notFound) { _ = try await operations.create(Self.vendor, draft) }
            await expectDomainError(.notFound) {
                _ = try await operations.create(.vendor(id: World.otherVendor.id), Self.draft())
            }
            await expectDomainError(.permissionDenied) { _ = try await operations.create(Self.distributor, Self.draft()) }
        }
    }

    @Test("an identical create with an external id returns the file; a different one names it")
    func externalIDIdempotency() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let first = try await operations.create(Self.vendor, Self.draft(externalID: "jan-2026"))
            let again = try await operations.create(Self.vendor, Self.draft(externalID: "jan-2026"))
            #expect(again == first)
            let error = await expectDomainError(.alreadyExists) {
                _ = try await operations.create(Self.vendor, Self.draft(externalID: "jan-2026", name: "Other"))
            }
            #expect(error?.message == "usage file \(first.id) already has external_id jan-2026, with a different name")
            #expect(error?.violations.first?.field == "external_id")
            let files = try await operations.list(Self.vendor, page: PageRequest())
            #expect(files.items.map(\.id) == [first.id])

            // Without an external id every create makes a new file; an empty one counts as none.
            let plain = try await operations.create(Self.vendor, Self.draft(externalID: ""))
            let plainAgain = try await operations.create(Self.vendor, Self.draft())
            #expect(plain.id != plainAgain.id)
            #expect(plain.externalID == nil)

            _ = try await operations.delete(Self.vendor, id: first.id)
            let renewed = try await operations.create(Self.vendor, Self.draft(externalID: "jan-2026", name: "Other"))
            #expect(renewed.id != first.id, "a deleted file's external id is free")
        }
    }

    @Test("update changes a draft only, and keeps external ids unique")
    func update() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await operations.create(Self.vendor, Self.draft(externalID: "a"))
            _ = try await operations.create(Self.vendor, Self.draft(externalID: "b"))
            let changed = try await operations.update(
                Self.vendor, id: file.id,
                changes: UsageFileOperations.Changes(name: "Renamed", periodTo: CivilDate(year: 2026, month: 1, day: 15)))
            #expect(changed.name == "Renamed")
            #expect(changed.periodTo.description == "2026-01-15")
            await expectDomainError(.alreadyExists) {
                _ = try await operations.update(
                    Self.vendor, id: file.id, changes: UsageFileOperations.Changes(externalID: "b"))
            }
            let reversed = await expectDomainError(.invalidArgument) {
                _ = try await operations.update(
                    Self.vendor, id: file.id,
                    changes: UsageFileOperations.Changes(periodFrom: CivilDate(year: 2026, month: 1, day: 20)))
            }
            #expect(reversed?.violations.first?.field == "period_from")
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let error = await expectDomainError(.failedPrecondition) {
                _ = try await operations.update(Self.vendor, id: file.id, changes: UsageFileOperations.Changes(name: "x"))
            }
            #expect(error?.message == "usage file \(file.id) is uploading; only draft files can be changed")
        }
    }

    // MARK: Upload

    @Test("an upload of valid rows makes the file ready with its records, counts and columns")
    func uploadReady() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(operations, [Self.row(1), Self.row(2, tier: "1"), Self.row(3, tier: "2")])
            #expect(file.status == .ready, "\(file.errorDetail)")
            #expect(file.counts == UsageFileCounts(uploaded: 3, valid: 3))
            #expect(file.columns == Self.columns)
            #expect(file.history.map(\.to) == ["draft", "uploading", "processing", "ready"])
            let records = try await Self.allRecords(operations, id: file.id)
            #expect(records.map(\.recordID) == ["r-1", "r-2", "r-3"])
            #expect(records.allSatisfy { $0.status == .valid && $0.errors.isEmpty })
            #expect(records[0].quantity == Decimal("1.5"))
            #expect(records[0].itemID == World.item.id)
            #expect(records[0].subscriptionID == World.subscription.id)
            #expect(records[1].parameters == [UsageParameter(name: "zone", value: "zone-2")])
            #expect(records[2].rawValues.count == Self.columns.count)
            #expect(try await store.read { try $0.usageFile(id: file.id) } == file)
        }
    }

    @Test("an invalid row makes the file invalid with every error; it cannot be submitted")
    func uploadInvalid() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(
                operations, [Self.row(1), Self.row(2, quantity: "1.23456", tier: "7", item: "nope")])
            #expect(file.status == .invalid)
            #expect(file.counts == UsageFileCounts(uploaded: 2, valid: 1, invalid: 1))
            let invalid = try await operations.records(Self.vendor, id: file.id, status: .invalid, page: PageRequest())
            #expect(invalid.items.map(\.position) == [2])
            let codes = Set(invalid.items.first?.errors.map(\.code) ?? [])
            #expect(codes.contains(UsageErrorCode.itemNotFound.code), "\(codes)")
            #expect(codes.contains(UsageErrorCode.tierInvalid.code), "\(codes)")
            let error = await expectDomainError(.failedPrecondition) { _ = try await operations.submit(Self.vendor, id: file.id) }
            #expect(error?.message == "usage file \(file.id) is invalid; only ready files can be submitted")
        }
    }

    @Test("a re-upload replaces the whole record set and the categories")
    func reupload() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(operations, [Self.row(1), Self.row(2, item: "nope")])
            #expect(file.status == .invalid)
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let categories = [UsageCategory(id: "c1", name: "Compute", description: "")]
            let fixed = try await operations.process(
                Self.vendor, id: file.id, columns: Self.columns, categories: categories,
                rows: Self.rows([Self.row(1, recordID: "fixed-1")]))
            #expect(fixed.status == .ready)
            #expect(fixed.counts == UsageFileCounts(uploaded: 1, valid: 1))
            #expect(try await Self.allRecords(operations, id: file.id).map(\.recordID) == ["fixed-1"])
            #expect(try await operations.categories(Self.vendor, id: file.id) == categories)
        }
    }

    @Test("processing needs an upload under way")
    func processNeedsUpload() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await operations.create(Self.vendor, Self.draft())
            let error = await expectDomainError(.failedPrecondition) {
                _ = try await operations.process(Self.vendor, id: file.id, columns: Self.columns, rows: Self.rows([]))
            }
            #expect(error?.message == "usage file \(file.id) is draft; only an uploading file can be processed")
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let twice = await expectDomainError(.failedPrecondition) {
                _ = try await operations.beginUpload(Self.vendor, id: file.id)
            }
            #expect(twice?.message.contains("is uploading") == true)
        }
    }

    @Test("more records than the limit make the file invalid with no records at all")
    func recordLimit() async throws {
        try await withWorld { store throws in
            let limits = UsageLimits(recordsPerFile: 2)
            let operations = Self.operations(store, limits: limits)
            let file = try await Self.uploaded(operations, [Self.row(1), Self.row(2)])
            #expect(file.status == .ready)
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let over = try await operations.process(
                Self.vendor, id: file.id, columns: Self.columns, rows: Self.rows([Self.row(1), Self.row(2), Self.row(3)]))
            #expect(over.status == .invalid)
            #expect(over.errorDetail == limits.recordsExceededDetail)
            #expect(over.counts == .zero)
            #expect(try await Self.allRecords(operations, id: file.id).isEmpty)
        }
    }

    @Test("a header the schema cannot use makes the file invalid, naming the missing column")
    func badHeader() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await operations.create(Self.vendor, Self.draft())
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let result = try await operations.process(
                Self.vendor, id: file.id, columns: Self.columns.filter { $0 != "tier" }, rows: Self.rows([Self.row(1)]))
            #expect(result.status == .invalid)
            #expect(result.errorDetail.contains("tier"), "\(result.errorDetail)")
            #expect(result.counts == .zero)
        }
    }

    /// A source that gives its rows, then fails with `error`.
    struct FailingSource: UsageRowSource {
        var rows: [UsageRow]
        let error: any Error
        mutating func next() throws -> UsageRow? {
            guard !rows.isEmpty else { throw error }
            return rows.removeFirst()
        }
    }

    @Test("unreadable input makes the file invalid; a storage failure keeps the previous state and records")
    func sourceFailures() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(operations, [Self.row(1, recordID: "kept")])
            #expect(file.status == .ready)

            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let broken = try await operations.process(Self.vendor, id: file.id, columns: Self.columns) {
                FailingSource(
                    rows: [Self.row(1)], error: DomainError.invalid(field: "file", "row 2: unbalanced quote"))
            }
            #expect(broken.status == .invalid)
            #expect(broken.errorDetail == "file: row 2: unbalanced quote")
            #expect(try await Self.allRecords(operations, id: file.id).isEmpty)

            let ready = try await operations.beginUpload(Self.vendor, id: file.id)
            _ = ready
            _ = try await operations.process(
                Self.vendor, id: file.id, columns: Self.columns, rows: Self.rows([Self.row(1, recordID: "kept")]))
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            await #expect(throws: TestFailure.self) {
                _ = try await operations.process(Self.vendor, id: file.id, columns: Self.columns) {
                    FailingSource(rows: [Self.row(1, recordID: "lost")], error: TestFailure(reason: "disk"))
                }
            }
            let after = try await operations.get(Self.vendor, id: file.id)
            #expect(after.status == .ready, "back to the status before the upload")
            #expect(after.history.suffix(2).map(\.to) == ["processing", "ready"])
            #expect(try await Self.allRecords(operations, id: file.id).map(\.recordID) == ["kept"])
        }
    }

    @Test("an upload left in uploading or processing by a crash returns to its previous state")
    func recovery() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let ready = try await Self.uploaded(operations, [Self.row(1, recordID: "old")])
            _ = try await operations.beginUpload(Self.vendor, id: ready.id)
            // As a crash mid-processing leaves it: status committed, the record set untouched.
            var stuck = try await operations.get(Self.vendor, id: ready.id)
            try stuck.beginProcessing(at: FixedClock().now(), by: World.vendor.id)
            try await store.write { [stuck] in try $0.update(stuck) }
            let draft = try await operations.create(Self.vendor, Self.draft())
            _ = try await operations.beginUpload(Self.vendor, id: draft.id)

            let recovered = try await operations.recoverInterruptedUploads()
            #expect(Set(recovered.map(\.id)) == [ready.id, draft.id])
            #expect(try await operations.get(Self.vendor, id: ready.id).status == .ready)
            #expect(try await operations.get(Self.vendor, id: draft.id).status == .draft)
            #expect(try await operations.get(Self.vendor, id: ready.id).history.last?.actor == "system")
            #expect(try await Self.allRecords(operations, id: ready.id).map(\.recordID) == ["old"])
            #expect(try await operations.recoverInterruptedUploads().isEmpty)
        }
    }

    @Test("a record id in another live file of the product is refused, naming the file")
    func duplicateAcrossFiles() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let first = try await Self.uploaded(operations, [Self.row(1, recordID: "shared")])
            #expect(first.status == .ready)
            let second = try await Self.uploaded(operations, [Self.row(1, recordID: "shared")])
            #expect(second.status == .invalid)
            let errors = try await Self.allRecords(operations, id: second.id).first?.errors ?? []
            let duplicate = errors.first { $0.code == UsageErrorCode.recordIDUsedByAnotherFile.code }
            #expect(duplicate?.message.contains(first.id) == true, "\(errors)")

            _ = try await operations.delete(Self.vendor, id: first.id)
            _ = try await operations.beginUpload(Self.vendor, id: second.id)
            let again = try await operations.process(
                Self.vendor, id: second.id, columns: Self.columns, rows: Self.rows([Self.row(1, recordID: "shared")]))
            #expect(again.status == .ready, "a deleted file no longer holds its record ids")
        }
    }

    @Test("a dynamic product creates an unknown item from the row's item columns")
    func dynamicItem() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let columns = Self.columns + ["item_name", "item_mpn", "item_unit", "item_precision"]
            var row = Self.row(1, item: "NEW-MPN")
            row.cells += [.text("New item"), .text("NEW-MPN"), .text("unit*h"), .text("decimal(2)")]
            let file = try await operations.create(Self.vendor, Self.draft())
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let result = try await operations.process(Self.vendor, id: file.id, columns: columns, rows: Self.rows([row]))
            let errors = try await Self.allRecords(operations, id: file.id).first?.errors ?? []
            #expect(result.status == .ready, "\(errors)")
            let item = try await store.read { try $0.item(productID: World.product.id, mpn: "NEW-MPN") }
            #expect(item?.dynamic == true)
            #expect(item?.status == .published)
            #expect(item?.precision == .decimal2)
            #expect(try await Self.allRecords(operations, id: file.id).first?.itemID == item?.id)
        }
    }

    // MARK: Review

    @Test("submit, then the distributor accepts: records approved, counts follow, the vendor cannot accept")
    func acceptFlow() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(operations, [Self.row(1), Self.row(2)])
            await expectDomainError(.notFound) { _ = try await operations.get(Self.distributor, id: file.id) }
            #expect(try await operations.list(Self.distributor, page: PageRequest()).items.isEmpty)

            let pending = try await operations.submit(Self.vendor, id: file.id)
            #expect(pending.status == .pending)
            #expect(try await operations.list(Self.distributor, page: PageRequest()).items.map(\.id) == [file.id])
            await expectDomainError(.permissionDenied) { _ = try await operations.accept(Self.vendor, id: file.id, note: "") }
            await expectDomainError(.notFound) {
                _ = try await operations.accept(.distributor(id: World.otherDistributor.id), id: file.id, note: "")
            }
            let long = await expectDomainError(.invalidArgument) {
                _ = try await operations.accept(Self.distributor, id: file.id, note: String(repeating: "x", count: 201))
            }
            #expect(long?.violations.first?.field == "note")

            let accepted = try await operations.accept(Self.distributor, id: file.id, note: "thanks")
            #expect(accepted.status == .accepted)
            #expect(accepted.acceptanceNote == "thanks")
            #expect(accepted.counts == UsageFileCounts(uploaded: 2, approved: 2))
            #expect(accepted.history.last?.actor == World.distributor.id)
            let records = try await Self.allRecords(operations, Self.distributor, id: file.id)
            #expect(records.map(\.status) == [.approved, .approved])
            #expect(try await store.read { try $0.usageRecordCounts(fileID: file.id) } == accepted.counts)
            let again = await expectDomainError(.failedPrecondition) {
                _ = try await operations.accept(Self.distributor, id: file.id, note: "")
            }
            #expect(again?.message == "usage file \(file.id) is accepted; only pending files can be accepted")
        }
    }

    @Test("reject needs a note; the vendor re-uploads and resubmits")
    func rejectFlow() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(operations, [Self.row(1)])
            _ = try await operations.submit(Self.vendor, id: file.id)
            let missing = await expectDomainError(.invalidArgument) {
                _ = try await operations.reject(Self.distributor, id: file.id, note: "  ")
            }
            #expect(missing?.violations.first?.field == "note")
            let rejected = try await operations.reject(Self.distributor, id: file.id, note: "wrong month")
            #expect(rejected.status == .rejected)
            #expect(rejected.rejectionNote == "wrong month")
            #expect(try await Self.allRecords(operations, id: file.id).map(\.status) == [.rejected])
            #expect(try await operations.get(Self.distributor, id: file.id).status == .rejected)

            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            let fixed = try await operations.process(
                Self.vendor, id: file.id, columns: Self.columns, rows: Self.rows([Self.row(1)]))
            #expect(fixed.status == .ready)
            #expect(try await operations.submit(Self.vendor, id: file.id).status == .pending)
        }
    }

    @Test("preview files run the vendor's flow but the distributor never sees them")
    func previewFiles() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            var draft = Self.draft()
            draft.environment = .preview
            let file = try await operations.create(Self.vendor, draft)
            _ = try await operations.beginUpload(Self.vendor, id: file.id)
            _ = try await operations.process(Self.vendor, id: file.id, columns: Self.columns, rows: Self.rows([Self.row(1)]))
            #expect(try await operations.submit(Self.vendor, id: file.id).status == .pending)
            await expectDomainError(.notFound) { _ = try await operations.get(Self.distributor, id: file.id) }
            await expectDomainError(.notFound) { _ = try await operations.accept(Self.distributor, id: file.id, note: "") }
            await expectDomainError(.notFound) {
                _ = try await operations.records(Self.distributor, id: file.id, page: PageRequest())
            }
            #expect(try await operations.list(Self.distributor, page: PageRequest()).items.isEmpty)
            #expect(try await operations.list(Self.distributor, environment: .preview, page: PageRequest()).items.isEmpty)
            #expect(try await operations.list(Self.vendor, environment: .preview, page: PageRequest()).items.map(\.id)
                == [file.id])
        }
    }

    @Test("delete: only draft, invalid, ready or rejected files; a deleted file is gone for everyone")
    func delete() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let pending = try await Self.uploaded(operations, [Self.row(1)])
            _ = try await operations.submit(Self.vendor, id: pending.id)
            let refused = await expectDomainError(.failedPrecondition) {
                _ = try await operations.delete(Self.vendor, id: pending.id)
            }
            #expect(refused?.message.contains("is pending") == true)

            let draft = try await operations.create(Self.vendor, Self.draft())
            let deleted = try await operations.delete(Self.vendor, id: draft.id)
            #expect(deleted.status == .deleted)
            await expectDomainError(.notFound) { _ = try await operations.get(Self.vendor, id: draft.id) }
            #expect(try await store.read { try $0.usageFile(id: draft.id) }?.status == .deleted, "kept for the audit")
            let listed = try await operations.list(Self.vendor, page: PageRequest()).items.map(\.id)
            #expect(listed == [pending.id], "a deleted file leaves the vendor's list as it leaves get")
            let asked = try await operations.list(Self.vendor, status: .deleted, page: PageRequest()).items.map(\.id)
            #expect(asked == [draft.id], "unless the list asks for deleted files")
        }
    }

    @Test("another tenant's file is not found, whatever the action; resellers have no usage files")
    func tenantIsolation() async throws {
        try await withWorld { store throws in
            let operations = Self.operations(store)
            let file = try await Self.uploaded(operations, [Self.row(1)])
            _ = try await operations.submit(Self.vendor, id: file.id)
            let otherVendor = Tenant.vendor(id: World.otherVendor.id)
            let otherDistributor = Tenant.distributor(id: World.otherDistributor.id)
            for id in [file.id, "UF-2026-01-9999-9999", "not-an-id"] {
                let error = await expectDomainError(.notFound) { _ = try await operations.get(otherVendor, id: id) }
                #expect(error?.message == "usage file \(id) not found")
                await expectDomainError(.notFound) { _ = try await operations.get(otherDistributor, id: id) }
                await expectDomainError(.notFound) { _ = try await operations.delete(otherVendor, id: id) }
                await expectDomainError(.notFound) { _ = try await operations.beginUpload(otherVendor, id: id) }
                await expectDomainError(.notFound) {
                    _ = try await operations.reject(otherDistributor, id: id, note: "no")
                }
                await expectDomainError(.notFound) {
                    _ = try await operations.records(otherVendor, id: id, page: PageRequest())
                }
            }
            #expect(try await operations.list(otherVendor, page: PageRequest()).items.isEmpty)
            #expect(try await operations.list(otherDistributor, page: PageRequest()).items.isEmpty)
            let reseller = Tenant.reseller(
                ResellerTenant(id: World.tier1.id, distributorID: World.distributor.id, tier: 1, parentID: nil,
                    allowTier2: true))
            await expectDomainError(.permissionDenied) { _ = try await operations.list(reseller, page: PageRequest()) }
            await expectDomainError(.notFound) { _ = try await operations.get(reseller, id: file.id) }
        }
    }
}
