// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import RPCCore
import Testing

/// The usage-file RPCs of VendorService and DistributorService, through the server's router with
/// real keys over SQLite: SPEC §6 scenarios 1, 2, 3, 6, 10 and 11 with record-stream uploads.
@Suite("Usage-file RPCs")
struct UsageFileServiceTests {
    let world: UsageWorld

    init() async throws {
        world = try await UsageWorld()
    }

    /// Three valid records for two subscriptions on both items.
    func threeRecords(prefix: String = "r") -> [Usageflow_V1_UsageRecordInput] {
        [
            world.record("\(prefix)-1", item: world.integerItem, subscription: world.subscription1, quantity: "100"),
            world.record("\(prefix)-2", item: world.decimalItem, subscription: world.subscription1, quantity: "3.25"),
            world.record("\(prefix)-3", item: world.decimalItem, subscription: world.subscription2, quantity: "0.5"),
        ]
    }

    // MARK: Scenario 1

    @Test("scenario 1: create, upload three records for two subscriptions → ready, submit → pending")
    func readyThenPending() async throws {
        var create = world.createRequest()
        create.note = "internal: from the metering export"
        create.description = "January usage"
        let created = try await world.vendor { try await $0.createUsageFile(create) }
        #expect(created.status == .draft)
        #expect(created.id.hasPrefix("UF-2026-01-"))
        #expect(created.productId == world.product.id)
        #expect(created.contractId == world.contract.id)
        #expect(created.distributorId == world.distributorA.tenant.actor)
        #expect(created.currency == "EUR")
        #expect(created.schema == .qt)
        #expect(created.environment == .production)
        #expect(created.periodFrom == "2026-01-01" && created.periodTo == "2026-01-31")
        #expect(created.note == "internal: from the metering export")
        #expect(created.history.map(\.to) == ["draft"])

        let uploaded = try await world.upload(created.id, threeRecords())
        #expect(uploaded.status == .ready, "\(uploaded.errorDetail)")
        #expect(uploaded.counts.uploaded == 3 && uploaded.counts.valid == 3 && uploaded.counts.invalid == 0)
        #expect(uploaded.columns.prefix(3) == ["record_id", "record_note", "item_search_criteria"])
        #expect(uploaded.history.map(\.to) == ["draft", "uploading", "processing", "ready"])

        let records = try await world.records(created.id)
        #expect(records.map(\.recordId) == ["r-1", "r-2", "r-3"])
        #expect(records.map(\.position) == [1, 2, 3])
        #expect(records.map(\.quantity) == ["100", "3.25", "0.5"])
        #expect(records.map(\.itemId) == [world.integerItem.id, world.decimalItem.id, world.decimalItem.id])
        #expect(
            records.map(\.subscriptionId) == [world.subscription1.id, world.subscription1.id, world.subscription2.id])
        #expect(records.allSatisfy { $0.status == .valid && $0.errors.isEmpty && $0.fileId == created.id })
        #expect(records[0].startTime == UsageWorld.time("2026-01-10T00:00:00Z"))

        // Before submission the distributor sees nothing of it.
        await expectRPCError(.notFound, "usage file \(created.id) not found") {
            try await world.distributor { try await $0.getUsageFile(UsageWorld.idRequest(created.id)) }
        }

        let submitted = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(created.id)) }
        #expect(submitted.status == .pending)
        #expect(submitted.history.last?.actor == world.vendorA.tenant.actor)

        let seen = try await world.distributor { try await $0.getUsageFile(UsageWorld.idRequest(created.id)) }
        #expect(seen.status == .pending)
        #expect(seen.note == "", "the vendor's internal note reached the distributor")
        #expect(seen.description == "January usage")
        let listed = try await world.distributor { try await $0.listUsageFiles(Usageflow_V1_ListUsageFilesRequest()) }
        #expect(listed.files.map(\.id) == [created.id])
        #expect(listed.files.allSatisfy { $0.note.isEmpty })
        let distributorRecords = try await world.records(created.id, as: world.distributorA)
        #expect(distributorRecords.map(\.recordId) == ["r-1", "r-2", "r-3"])
    }

    // MARK: Scenario 2

    @Test("scenario 2: 100.5 on the integer item and 3.257 on the decimal(2) item → invalid, submit refused")
    func precisionErrors() async throws {
        let file = try await world.createFile()
        let records = [
            world.record("p-1", item: world.integerItem, subscription: world.subscription1, quantity: "100.5"),
            world.record("p-2", item: world.decimalItem, subscription: world.subscription1, quantity: "3.257"),
            world.record("p-3", item: world.decimalItem, subscription: world.subscription2, quantity: "3.25"),
        ]
        let uploaded = try await world.upload(file.id, records)
        #expect(uploaded.status == .invalid)
        #expect(uploaded.counts.uploaded == 3 && uploaded.counts.valid == 1 && uploaded.counts.invalid == 2)
        #expect(uploaded.errorDetail == "")

        let invalid = try await world.records(file.id, status: .invalid)
        #expect(invalid.map(\.recordId) == ["p-1", "p-2"])
        for record in invalid {
            #expect(record.errors.map(\.code) == ["quantity.precision"])
            #expect(record.errors.map(\.column) == ["quantity"])
            #expect(record.errors.first?.message.contains(record.values[4]) == true, "\(record.errors)")
        }
        #expect(try await world.records(file.id, status: .valid).map(\.recordId) == ["p-3"])

        await expectRPCError(
            .failedPrecondition, "usage file \(file.id) is invalid; only ready files can be submitted"
        ) {
            try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        }
    }

    // MARK: Scenario 3

    @Test("scenario 3: unknown item, unknown and another distributor's subscription; a corrected re-upload")
    func resolutionErrorsThenCorrected() async throws {
        let file = try await world.createFile()
        var unknownItem = world.record("u-1", item: world.integerItem, subscription: world.subscription1, quantity: "1")
        unknownItem.itemSearchValue = "NO-SUCH-MPN"
        var unknownSubscription = world.record(
            "u-2", item: world.integerItem, subscription: world.subscription1, quantity: "1")
        unknownSubscription.assetSearchValue = "AS-9999-9999-9999"
        let foreign = world.record("u-3", item: world.integerItem, subscription: world.foreignSubscription, quantity: "1")
        let uploaded = try await world.upload(file.id, [unknownItem, unknownSubscription, foreign])
        #expect(uploaded.status == .invalid)
        #expect(uploaded.counts.invalid == 3)
        let records = try await world.records(file.id)
        #expect(records.map { $0.errors.map(\.code) } == [
            ["item.not_found"], ["subscription.not_found"], ["subscription.other_contract"],
        ])
        #expect(records.map(\.status) == [.invalid, .invalid, .invalid])
        #expect(records[2].errors.first?.message.contains(world.contract.id) == true)

        let corrected = try await world.upload(file.id, threeRecords(prefix: "c"))
        #expect(corrected.status == .ready)
        #expect(corrected.counts.uploaded == 3 && corrected.counts.invalid == 0)
        #expect(try await world.records(file.id).map(\.recordId) == ["c-1", "c-2", "c-3"], "the old records remain")
    }

    // MARK: Scenario 6

    @Test("scenario 6: reject with a note, re-upload and resubmit; the vendor cannot accept its own file")
    func rejectResubmitAccept() async throws {
        let file = try await world.createFile()
        _ = try await world.upload(file.id, threeRecords())
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }

        var reject = Usageflow_V1_RejectUsageFileRequest()
        reject.id = file.id
        try await expectUsageRefusal(.invalidArgument, fields: ["note"]) {
            try await world.distributor { [reject] in try await $0.rejectUsageFile(reject) }
        }
        reject.note = "quantities for Globex are a month late"
        let rejected = try await world.distributor { [reject] in try await $0.rejectUsageFile(reject) }
        #expect(rejected.status == .rejected)
        #expect(rejected.rejectionNote == "quantities for Globex are a month late")
        #expect(try await world.records(file.id).allSatisfy { $0.status == .rejected })

        // The vendor sees the rejection and the note, uploads again and resubmits.
        let seen = try await world.vendor { try await $0.getUsageFile(UsageWorld.idRequest(file.id)) }
        #expect(seen.status == .rejected && seen.rejectionNote == reject.note)
        let reuploaded = try await world.upload(file.id, threeRecords(prefix: "again"))
        #expect(reuploaded.status == .ready)
        let resubmitted = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        #expect(resubmitted.status == .pending)

        // A vendor key is refused by the distributor's service before anything is looked up.
        var accept = Usageflow_V1_AcceptUsageFileRequest()
        accept.id = file.id
        await expectRPCError(.permissionDenied) {
            try await world.distributor(world.vendorA) { [accept] in try await $0.acceptUsageFile(accept) }
        }
        accept.note = String(repeating: "n", count: 201)
        try await expectUsageRefusal(.invalidArgument, fields: ["note"]) {
            try await world.distributor { [accept] in try await $0.acceptUsageFile(accept) }
        }
        accept.note = "thanks"
        let accepted = try await world.distributor { [accept] in try await $0.acceptUsageFile(accept) }
        #expect(accepted.status == .accepted)
        #expect(accepted.acceptanceNote == "thanks")
        #expect(accepted.counts.approved == 3)
        #expect(try await world.records(file.id, as: world.distributorA).allSatisfy { $0.status == .approved })
        #expect(Array(accepted.history.map(\.to).suffix(3)) == ["ready", "pending", "accepted"])
        await expectRPCError(
            .failedPrecondition, "usage file \(file.id) is accepted; only pending files can be rejected"
        ) {
            try await world.distributor { [reject] in try await $0.rejectUsageFile(reject) }
        }
    }

    // MARK: Scenario 10

    @Test("scenario 10: the other vendor and distributor see nothing of the pair's files, and get NOT_FOUND")
    func tenantIsolation() async throws {
        let file = try await world.createFile()
        _ = try await world.upload(file.id, threeRecords())
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        let missing = "UF-2026-01-1111-1111"
        let id = UsageWorld.idRequest(file.id)

        for target in [file.id, missing] {
            let request = UsageWorld.idRequest(target)
            var records = Usageflow_V1_ListUsageRecordsRequest()
            records.fileId = target
            var update = Usageflow_V1_UpdateUsageFileRequest()
            update.id = target
            update.name = "taken over"
            var accept = Usageflow_V1_AcceptUsageFileRequest()
            accept.id = target
            var reject = Usageflow_V1_RejectUsageFileRequest()
            reject.id = target
            reject.note = "no"
            let message = "usage file \(target) not found"
            let vendorB = world.vendorB
            let distributorB = world.distributorB
            await expectRPCError(.notFound, message) { try await world.vendor(vendorB) { try await $0.getUsageFile(request) } }
            await expectRPCError(.notFound, message) {
                try await world.vendor(vendorB) { try await $0.listRecords(records) }
            }
            await expectRPCError(.notFound, message) {
                try await world.vendor(vendorB) { try await $0.updateUsageFile(update) }
            }
            await expectRPCError(.notFound, message) {
                try await world.vendor(vendorB) { try await $0.deleteUsageFile(request) }
            }
            await expectRPCError(.notFound, message) {
                try await world.upload(target, threeRecords(prefix: "b"), as: vendorB)
            }
            await expectRPCError(.notFound, message) {
                try await world.distributor(distributorB) { try await $0.getUsageFile(request) }
            }
            await expectRPCError(.notFound, message) {
                try await world.distributor(distributorB) { try await $0.listRecords(records) }
            }
            await expectRPCError(.notFound, message) {
                try await world.distributor(distributorB) { try await $0.acceptUsageFile(accept) }
            }
            await expectRPCError(.notFound, message) {
                try await world.distributor(distributorB) { try await $0.rejectUsageFile(reject) }
            }
        }

        var byProduct = Usageflow_V1_ListUsageFilesRequest()
        byProduct.productId = world.product.id
        #expect(try await world.vendor(world.vendorB) { try await $0.listUsageFiles(byProduct) }.files.isEmpty)
        #expect(try await world.distributor(world.distributorB) { try await $0.listUsageFiles(byProduct) }.files.isEmpty)
        #expect(
            try await world.distributor(world.distributorB) {
                try await $0.listUsageFiles(Usageflow_V1_ListUsageFilesRequest())
            }.files.isEmpty)

        // Vendor B cannot report on vendor A's product, nor on its subscriptions.
        var foreignCreate = world.createRequest()
        foreignCreate.productId = world.product.id
        foreignCreate.contractId = world.contractVendorB.id
        await expectRPCError(.notFound, "product \(world.product.id) not found") {
            try await world.vendor(world.vendorB) { [foreignCreate] in try await $0.createUsageFile(foreignCreate) }
        }
        var own = world.createRequest()
        own.productId = world.productB.id
        own.contractId = world.contractVendorB.id
        let fileB = try await world.vendor(world.vendorB) { [own] in try await $0.createUsageFile(own) }
        var record = world.record("b-1", item: world.integerItem, subscription: world.subscription1, quantity: "1")
        record.itemSearchCriteria = "item.id"
        record.itemSearchValue = world.integerItem.id
        let uploadedB = try await world.upload(fileB.id, [record], as: world.vendorB)
        #expect(uploadedB.status == .invalid)
        let codes = try await world.records(fileB.id, as: world.vendorB).flatMap { $0.errors.map(\.code) }
        #expect(codes == ["item.not_found", "subscription.not_found"])

        // The pair still sees the file.
        #expect(try await world.distributor { try await $0.getUsageFile(id) }.status == .pending)
    }

    @Test("the distributor never sees drafts, ready files or preview files, even submitted ones")
    func distributorVisibility() async throws {
        let draft = try await world.createFile(name: "draft")
        let ready = try await world.createFile(name: "ready")
        _ = try await world.upload(ready.id, threeRecords(prefix: "ready"))
        let preview = try await world.createFile(name: "preview", environment: .preview)
        #expect(preview.environment == .preview)
        _ = try await world.upload(preview.id, threeRecords(prefix: "preview"))
        let submitted = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(preview.id)) }
        #expect(submitted.status == .pending)

        for file in [draft, ready, preview] {
            let request = UsageWorld.idRequest(file.id)
            await expectRPCError(.notFound, "usage file \(file.id) not found") {
                try await world.distributor { try await $0.getUsageFile(request) }
            }
        }
        var previews = Usageflow_V1_ListUsageFilesRequest()
        previews.environment = .preview
        let previewFilter = previews
        let previewPage = try await world.distributor { try await $0.listUsageFiles(previewFilter) }
        #expect(previewPage.files.isEmpty)
        #expect(
            try await world.distributor { try await $0.listUsageFiles(Usageflow_V1_ListUsageFilesRequest()) }.files
                .isEmpty)
        #expect(
            try await world.vendor { try await $0.listUsageFiles(Usageflow_V1_ListUsageFilesRequest()) }.files.map(\.id)
                == [draft.id, ready.id, preview.id])
    }

    // MARK: Scenario 11

    @Test("scenario 11: external_id makes a create idempotent; a different request with it is ALREADY_EXISTS")
    func externalIDIdempotency() async throws {
        let first = try await world.createFile(externalID: "CRD Jan 2026")
        let again = try await world.createFile(externalID: "CRD Jan 2026")
        #expect(again.id == first.id)
        let error = try await expectUsageRefusal(.alreadyExists, fields: ["external_id"]) {
            try await world.createFile(name: "January, again", externalID: "CRD Jan 2026")
        }
        #expect(error?.message.contains(first.id) == true, "\(String(describing: error))")
        #expect(error?.message.contains("name") == true, "\(String(describing: error))")
        var byExternal = Usageflow_V1_ListUsageFilesRequest()
        byExternal.externalId = "CRD Jan 2026"
        let externalFilter = byExternal
        let page = try await world.vendor { try await $0.listUsageFiles(externalFilter) }
        #expect(page.files.map(\.id) == [first.id])
    }

    @Test("scenario 11: a record_id of another ready file of the product, or twice in one file, is refused")
    func duplicateRecordIDs() async throws {
        let first = try await world.createFile(name: "first")
        #expect(try await world.upload(first.id, threeRecords(prefix: "dup")).status == .ready)
        let second = try await world.createFile(name: "second")
        var records = threeRecords(prefix: "new")
        records[0].recordId = "dup-2"
        records[2].recordId = "new-2"
        let uploaded = try await world.upload(second.id, records)
        #expect(uploaded.status == .invalid)
        let stored = try await world.records(second.id)
        #expect(stored.map { $0.errors.map(\.code) } == [
            ["record_id.used_by_another_file"], [], ["record_id.duplicate"],
        ])
        #expect(stored[0].errors.first?.message.contains(first.id) == true)
        #expect(stored[0].errors.first?.column == "record_id")
    }

    // MARK: Parameters and categories

    @Test("parameter columns and categories travel with the records; an unknown category is a record error")
    func parametersAndCategories() async throws {
        let file = try await world.createFile()
        var category = Usageflow_V1_UsageCategory()
        category.id = "compute"
        category.name = "Compute"
        var records = threeRecords()
        records[0].parameterValues = ["eu-west", "gold"]
        records[1].parameterValues = ["eu-east"]
        records[1].categoryId = "compute"
        records[2].categoryId = "storage"
        let uploaded = try await world.upload(
            file.id, records, categories: [category], parameterColumns: ["region", "plan"])
        #expect(uploaded.status == .invalid)
        #expect(uploaded.columns.suffix(2) == ["region", "plan"])
        let stored = try await world.records(file.id)
        #expect(stored[0].parameters.map { "\($0.name)=\($0.value)" } == ["region=eu-west", "plan=gold"])
        #expect(stored[1].parameters.map { "\($0.name)=\($0.value)" }.first == "region=eu-east")
        #expect(stored[1].categoryId == "compute" && stored[1].status == .valid)
        #expect(stored[2].errors.map(\.code) == ["category_id.not_found"])
    }

    // MARK: Refused requests

    @Test("malformed upload streams are INVALID_ARGUMENT with the field, and the file keeps its state")
    func malformedStreams() async throws {
        let file = try await world.createFile()
        _ = try await world.upload(file.id, threeRecords())

        try await expectUsageRefusal(.invalidArgument, fields: ["header"]) {
            try await world.vendor { try await $0.uploadRecords([Usageflow_V1_UploadRecordsRequest]()) }
        }
        let batchFirst = Array(UsageWorld.uploadRequests(file.id, threeRecords()).dropFirst())
        try await expectUsageRefusal(.invalidArgument, fields: ["header"]) {
            try await world.vendor { try await $0.uploadRecords(batchFirst) }
        }
        var twoHeaders = UsageWorld.uploadRequests(file.id, threeRecords(prefix: "x"))
        twoHeaders.append(twoHeaders[0])
        try await expectUsageRefusal(.invalidArgument, fields: ["batch"]) {
            try await world.vendor { [twoHeaders] in try await $0.uploadRecords(twoHeaders) }
        }
        var tooMany = threeRecords(prefix: "y")
        tooMany[1].parameterValues = ["a", "b"]
        let tooManyRequests = UsageWorld.uploadRequests(file.id, tooMany, parameterColumns: ["region"])
        try await expectUsageRefusal(.invalidArgument, fields: ["batch.records[1].parameter_values"]) {
            try await world.vendor { try await $0.uploadRecords(tooManyRequests) }
        }
        let badColumns = UsageWorld.uploadRequests(file.id, [], parameterColumns: ["Quantity", "region", "REGION", ""])
        try await expectUsageRefusal(
            .invalidArgument,
            fields: ["header.parameter_columns[0]", "header.parameter_columns[2]", "header.parameter_columns[3]"]
        ) {
            try await world.vendor { try await $0.uploadRecords(badColumns) }
        }

        let after = try await world.vendor { try await $0.getUsageFile(UsageWorld.idRequest(file.id)) }
        #expect(after.status == .ready, "a refused upload changed the file's state")
        #expect(try await world.records(file.id).map(\.recordId) == ["r-1", "r-2", "r-3"])
    }

    @Test("bad create, update and list requests name every bad field")
    func badFields() async throws {
        var create = world.createRequest()
        create.periodFrom = "2026-02-30"
        create.periodTo = "31/01/2026"
        create.environment = Usageflow_V1_UsageEnvironment(rawValue: 7)
        try await expectUsageRefusal(.invalidArgument, fields: ["environment", "period_from", "period_to"]) {
            try await world.vendor { [create] in try await $0.createUsageFile(create) }
        }
        create = world.createRequest(name: "")
        create.periodFrom = ""
        try await expectUsageRefusal(.invalidArgument, fields: ["name", "period_from"]) {
            try await world.vendor { [create] in try await $0.createUsageFile(create) }
        }
        create = world.createRequest()
        create.periodFrom = "2026-02-01"
        try await expectUsageRefusal(.invalidArgument, fields: ["period_to"]) {
            try await world.vendor { [create] in try await $0.createUsageFile(create) }
        }

        var records = Usageflow_V1_ListUsageRecordsRequest()
        records.status = Usageflow_V1_UsageRecordStatus(rawValue: 42)
        records.pageSize = 5000
        try await expectUsageRefusal(.invalidArgument, fields: ["file_id", "status", "page_size"]) {
            try await world.vendor { [records] in try await $0.listRecords(records) }
        }
        var list = Usageflow_V1_ListUsageFilesRequest()
        list.status = Usageflow_V1_UsageFileStatus(rawValue: 11)
        list.pageToken = "bogus"
        try await expectUsageRefusal(.invalidArgument, fields: ["status", "page_token"]) {
            try await world.vendor { [list] in try await $0.listUsageFiles(list) }
        }

        let file = try await world.createFile()
        var update = Usageflow_V1_UpdateUsageFileRequest()
        update.id = file.id
        update.periodTo = "2026-13-01"
        try await expectUsageRefusal(.invalidArgument, fields: ["period_to"]) {
            try await world.vendor { [update] in try await $0.updateUsageFile(update) }
        }
        update.periodTo = "2026-01-15"
        update.note = "half a month"
        let updated = try await world.vendor { [update] in try await $0.updateUsageFile(update) }
        #expect(updated.periodTo == "2026-01-15" && updated.note == "half a month")
    }

    @Test("actions in the wrong state are FAILED_PRECONDITION naming the state; read-only keys cannot write")
    func wrongStatesAndScopes() async throws {
        let file = try await world.createFile()
        let id = UsageWorld.idRequest(file.id)
        await expectRPCError(.failedPrecondition, "usage file \(file.id) is draft; only ready files can be submitted") {
            try await world.vendor { try await $0.submitUsageFile(id) }
        }
        _ = try await world.upload(file.id, threeRecords())
        var update = Usageflow_V1_UpdateUsageFileRequest()
        update.id = file.id
        update.name = "renamed"
        await expectRPCError(.failedPrecondition, "usage file \(file.id) is ready; only draft files can be changed") {
            try await world.vendor { [update] in try await $0.updateUsageFile(update) }
        }
        _ = try await world.vendor { try await $0.submitUsageFile(id) }
        let error = await expectRPCError(.failedPrecondition) {
            try await world.upload(file.id, threeRecords(prefix: "late"))
        }
        #expect(error?.message.hasPrefix("usage file \(file.id) is pending;") == true, "\(String(describing: error))")
        await expectRPCError(.failedPrecondition) { try await world.vendor { try await $0.deleteUsageFile(id) } }

        let other = try await world.createFile(name: "read-only")
        await expectRPCError(.permissionDenied) {
            try await world.upload(other.id, threeRecords(prefix: "ro"), as: world.vendorAReadOnly)
        }
        let otherID = UsageWorld.idRequest(other.id)
        await expectRPCError(.permissionDenied) {
            try await world.vendor(world.vendorAReadOnly) { try await $0.deleteUsageFile(otherID) }
        }
        #expect(try await world.vendor(world.vendorAReadOnly) { try await $0.getUsageFile(otherID) }.status == .draft)

        let deleted = try await world.vendor { try await $0.deleteUsageFile(otherID) }
        #expect(deleted.status == .deleted)
        await expectRPCError(.notFound, "usage file \(other.id) not found") {
            try await world.vendor { try await $0.getUsageFile(otherID) }
        }
    }
}

/// The limits: past either, the file becomes invalid with the limit as its error detail and keeps
/// no records.
@Suite("Usage upload limits")
struct UsageUploadLimitTests {
    @Test("more records than a file may hold make it invalid, with no records")
    func recordLimit() async throws {
        let world = try await UsageWorld(limits: UsageLimits(recordsPerFile: 2, bytesPerUpload: 1 << 20))
        let file = try await world.createFile()
        let records = (1...5).map {
            world.record("l-\($0)", item: world.integerItem, subscription: world.subscription1, quantity: "1")
        }
        let uploaded = try await world.upload(file.id, records)
        #expect(uploaded.status == .invalid)
        #expect(uploaded.errorDetail == UsageLimits(recordsPerFile: 2).recordsExceededDetail)
        #expect(uploaded.counts.uploaded == 0)
        #expect(try await world.records(file.id).isEmpty)

        // Within the limit, the same file recovers.
        let fixed = try await world.upload(file.id, Array(records.prefix(2)))
        #expect(fixed.status == .ready && fixed.errorDetail == "")
    }

    @Test("more spooled bytes than an upload may have make the file invalid")
    func byteLimit() async throws {
        let world = try await UsageWorld(limits: UsageLimits(recordsPerFile: 1000, bytesPerUpload: 300))
        let file = try await world.createFile()
        let records = (1...10).map {
            world.record("b-\($0)", item: world.integerItem, subscription: world.subscription1, quantity: "1")
        }
        let uploaded = try await world.upload(file.id, records)
        #expect(uploaded.status == .invalid)
        #expect(uploaded.errorDetail == UsageLimits(bytesPerUpload: 300).bytesExceededDetail)
        #expect(try await world.records(file.id).isEmpty)
    }

    @Test("a large stream in many batches is stored whole, in order")
    func manyRecords() async throws {
        let world = try await UsageWorld()
        let file = try await world.createFile()
        let records = (1...3000).map {
            world.record("m-\($0)", item: world.decimalItem, subscription: world.subscription2, quantity: "\($0).25")
        }
        let uploaded = try await world.upload(file.id, records, batchSize: 250)
        #expect(uploaded.status == .ready)
        #expect(uploaded.counts.uploaded == 3000 && uploaded.counts.valid == 3000)
        var request = Usageflow_V1_ListUsageRecordsRequest()
        request.fileId = file.id
        request.pageSize = 1000
        request.pageToken = ""
        var seen: [String] = []
        repeat {
            let page = try await world.vendor { [request] in try await $0.listRecords(request) }
            seen += page.records.map(\.quantity)
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        #expect(seen == (1...3000).map { "\($0).25" })
    }
}
