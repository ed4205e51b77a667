// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import RPCInProcessTransport
import ServiceSupport
import Testing

/// ExportRecords and ExportUsageFile of the distributor and ListRecords and ExportRecords of the
/// reseller, through the server's router with real keys over SQLite: every filter narrows, an
/// interrupted export resumes without a duplicate or a gap (also when files are accepted in
/// between), nobody sees records that are not theirs, and bad requests get exact statuses.
@Suite("Export RPCs")
struct UsageExportServiceTests {
    let world: UsageWorld
    /// Distributor A's tier-1 reseller, its tier-2 reseller and their parties with keys.
    let tier1: UsageParty
    let tier2: UsageParty
    /// A subscription of a customer of the tier-1 reseller, and one sold through the tier-2.
    let tier1Subscription: Subscription
    let tier2Subscription: Subscription
    let tier1Customer: Customer

    init() async throws {
        let world = try await UsageWorld()
        self.world = world
        let environment = world.environment
        let resellers = ResellerOperations(environment: environment)
        let credentials = CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
        let customers = CustomerOperations(environment: environment)
        let subscriptions = SubscriptionOperations(environment: environment)
        let distributor = world.distributorA.tenant
        // Two reseller levels, so a customer of a tier-2 reseller may subscribe.
        _ = try await CatalogueOperations(environment: environment).updateProduct(
            world.vendorA.tenant, id: world.product.id,
            changes: CatalogueOperations.ProductChanges(capabilities: Capabilities(ppu: true, schema: .qt, tierLevels: 2)))
        let reseller1 = try await resellers.create(distributor, name: "Reseller One", allowTier2: true)
        let reseller2 = try await resellers.create(.reseller(reseller1.tenant), name: "Reseller Two", allowTier2: false)
        func party(_ reseller: Reseller) async throws -> UsageParty {
            let key = try await credentials.issueKey(distributor, accountID: reseller.id, scope: .full, name: "tests")
            return UsageParty(tenant: .reseller(reseller.tenant), token: key.token.text)
        }
        tier1 = try await party(reseller1)
        tier2 = try await party(reseller2)
        let marketplaceID = world.contract.marketplaceID
        tier1Customer = try await customers.create(distributor, name: "Umbrella", resellerID: reseller1.id, externalID: "U-1")
        let tier2Customer = try await customers.create(distributor, name: "Hooli", resellerID: reseller2.id, externalID: "")
        tier1Subscription = try await subscriptions.create(
            distributor,
            SubscriptionOperations.Draft(
                customerID: tier1Customer.id, productID: world.product.id, marketplaceID: marketplaceID,
                externalID: "umbrella-1", parameters: [Parameter(name: "tenant", value: "umb-77", reconciliation: true)]))
        tier2Subscription = try await subscriptions.create(
            distributor,
            SubscriptionOperations.Draft(
                customerID: tier2Customer.id, productID: world.product.id, marketplaceID: marketplaceID,
                externalID: "hooli-1"))
    }

    // MARK: Helpers

    /// A file of vendor A with `records`, submitted; accepted by distributor A unless `accept` is false.
    func file(
        _ name: String, _ records: [Usageflow_V1_UsageRecordInput], accept: Bool = true
    ) async throws -> Usageflow_V1_UsageFile {
        let file = try await world.createFile(name: name)
        let uploaded = try await world.upload(file.id, records, batchSize: 50)
        #expect(uploaded.status == .ready, "\(uploaded.errorDetail)")
        let pending = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        guard accept else { return pending }
        var request = Usageflow_V1_AcceptUsageFileRequest()
        request.id = file.id
        return try await world.distributor { [request] in try await $0.acceptUsageFile(request) }
    }

    /// `count` records `<prefix>-<n>` spread over the two items and the given subscriptions.
    func records(_ prefix: String, count: Int, subscriptions: [Subscription]? = nil) -> [Usageflow_V1_UsageRecordInput] {
        let subscriptions = subscriptions ?? [world.subscription1, world.subscription2]
        return (1...count).map { n in
            world.record(
                "\(prefix)-\(n)", item: n % 2 == 0 ? world.decimalItem : world.integerItem,
                subscription: subscriptions[n % subscriptions.count], quantity: n % 2 == 0 ? "\(n).25" : "\(n)",
                start: n % 3 == 0 ? "2026-01-20T00:00:00Z" : "2026-01-10T00:00:00Z",
                end: n % 3 == 0 ? "2026-01-21T00:00:00Z" : "2026-01-11T00:00:00Z")
        }
    }

    func request(
        _ configure: (inout Usageflow_V1_RecordFilter) -> Void = { _ in }, batchSize: Int32 = 0, cursor: String = ""
    ) -> Usageflow_V1_ExportRecordsRequest {
        var request = Usageflow_V1_ExportRecordsRequest()
        var filter = Usageflow_V1_RecordFilter()
        configure(&filter)
        request.filter = filter
        request.batchSize = batchSize
        request.cursor = cursor
        return request
    }

    /// Every batch of an export as `party` (distributor A by default), or the first `maxBatches`.
    func export(
        _ request: Usageflow_V1_ExportRecordsRequest, as party: UsageParty? = nil, maxBatches: Int = .max
    ) async throws -> [Usageflow_V1_ExportRecordsResponse] {
        let party = party ?? world.distributorA
        return try await InProcessTransport.withTransport(router: world.router, metadata: party.metadata) {
            transport in
            var batches: [Usageflow_V1_ExportRecordsResponse] = []
            let stream: ResponseStream<Usageflow_V1_ExportRecordsResponse>
            if case .reseller = party.tenant {
                stream = try await Usageflow_V1_ResellerService_Client(transport: transport).exportRecords(request)
            } else {
                stream = try await Usageflow_V1_DistributorService_Client(transport: transport).exportRecords(request)
            }
            for try await batch in stream {
                batches.append(batch)
                if batches.count >= maxBatches { break }
            }
            return batches
        }
    }

    func recordIDs(_ batches: [Usageflow_V1_ExportRecordsResponse]) -> [String] {
        batches.flatMap { $0.records.map(\.record.recordId) }
    }

    // MARK: Content and filters

    @Test("an exported record carries its item, subscription, customer, tiers and file facts")
    func recordContent() async throws {
        let file = try await file(
            "content",
            [
                world.record("c-1", item: world.decimalItem, subscription: tier1Subscription, quantity: "3.25"),
                world.record("c-2", item: world.integerItem, subscription: tier2Subscription, quantity: "7"),
            ])
        let batches = try await export(request())
        #expect(batches.count == 1 && !batches[0].cursor.isEmpty)
        let records = batches[0].records
        #expect(records.map(\.record.recordId) == ["c-1", "c-2"])
        let first = try #require(records.first)
        #expect(first.record.fileId == file.id && first.record.quantity == "3.25" && first.record.status == .approved)
        #expect(first.record.values.isEmpty && first.record.errors.isEmpty)
        #expect(first.vendorId == world.vendorA.tenant.actor && first.distributorId == world.distributorA.tenant.actor)
        #expect(first.productId == world.product.id && first.contractId == world.contract.id)
        #expect(first.marketplaceId == world.contract.marketplaceID && first.currency == "EUR")
        #expect(first.periodFrom == UsageWorld.periodFrom && first.periodTo == UsageWorld.periodTo)
        #expect(first.item.id == world.decimalItem.id && first.item.localId == world.decimalItem.localID)
        #expect(first.item.mpn == "TRANSFER-GB" && first.item.name == "Transfer" && first.item.unit == "unit*h")
        #expect(first.item.precision == .decimal2 && first.item.type == .ppu)
        #expect(first.subscription.id == tier1Subscription.id && first.subscription.externalId == "umbrella-1")
        #expect(first.subscription.reconciliationId == "umb-77" && first.subscription.status == .active)
        #expect(first.subscription.parameters.map(\.name) == ["tenant"])
        #expect(first.customer.id == tier1Customer.id && first.customer.name == "Umbrella" && first.customer.externalId == "U-1")
        #expect(first.hasTier1 && first.tier1.id == tier1.tenant.actor && first.tier1.name == "Reseller One")
        #expect(!first.hasTier2 && !first.hasResellerBilling)
        let second = records[1]
        #expect(second.tier1.id == tier1.tenant.actor && second.tier2.id == tier2.tenant.actor)
        #expect(second.tier2.name == "Reseller Two")
    }

    @Test("each filter narrows the export to exactly its records")
    func filtersNarrow() async throws {
        let first = try await file("first", records("a", count: 6))
        let second = try await file(
            "second",
            [
                world.record("b-1", item: world.integerItem, subscription: tier1Subscription, quantity: "1"),
                world.record("b-2", item: world.decimalItem, subscription: tier2Subscription, quantity: "2"),
            ])
        let all = ["a-1", "a-2", "a-3", "a-4", "a-5", "a-6", "b-1", "b-2"]
        #expect(recordIDs(try await export(request())) == all)
        #expect(recordIDs(try await export(request { $0.fileId = second.id })) == ["b-1", "b-2"])
        #expect(recordIDs(try await export(request { $0.fileId = first.id })) == Array(all.prefix(6)))
        #expect(recordIDs(try await export(request { $0.productId = world.product.id })) == all)
        #expect(recordIDs(try await export(request { $0.marketplaceId = world.contract.marketplaceID })) == all)
        #expect(recordIDs(try await export(request { $0.itemId = world.decimalItem.id })) == ["a-2", "a-4", "a-6", "b-2"])
        #expect(recordIDs(try await export(request { $0.subscriptionId = world.subscription1.id })) == ["a-2", "a-4", "a-6"])
        #expect(recordIDs(try await export(request { $0.customerId = tier1Customer.id })) == ["b-1"])
        // Either tier: the tier-1 reseller's own customer and the one sold through its tier-2.
        #expect(recordIDs(try await export(request { $0.resellerId = tier1.tenant.actor })) == ["b-1", "b-2"])
        #expect(recordIDs(try await export(request { $0.resellerId = tier2.tenant.actor })) == ["b-2"])
        // Start times: a-3 and a-6 start on the 20th, the rest on the 10th; both days inclusive.
        #expect(recordIDs(try await export(request { $0.periodFrom = "2026-01-20" })) == ["a-3", "a-6"])
        #expect(
            recordIDs(try await export(request { $0.periodTo = "2026-01-19" })) == ["a-1", "a-2", "a-4", "a-5", "b-1", "b-2"])
        #expect(recordIDs(try await export(request { $0.periodFrom = "2026-01-10"; $0.periodTo = "2026-01-10" })).count == 6)
        #expect(recordIDs(try await export(request { $0.periodFrom = "2026-02-01" })).isEmpty)
        // Combined filters AND together.
        #expect(
            recordIDs(try await export(request { $0.itemId = world.integerItem.id; $0.subscriptionId = world.subscription2.id })) == ["a-1", "a-3", "a-5"])

        // Statuses: closed only once a record is closed; approved excludes it.
        var close = Usageflow_V1_CloseRecordRequest()
        close.fileId = first.id
        close.recordId = "a-2"
        close.externalBillingId = "INV-2"
        _ = try await world.distributor { [close] in try await $0.closeRecord(close) }
        #expect(recordIDs(try await export(request { $0.statuses = [.closed] })) == ["a-2"])
        let closed = try await export(request { $0.statuses = [.closed] })[0].records[0].record
        #expect(closed.externalBillingId == "INV-2" && closed.status == .closed)
        #expect(recordIDs(try await export(request { $0.statuses = [.approved] })) == all.filter { $0 != "a-2" })
        #expect(recordIDs(try await export(request())) == all, "the default is approved and closed")
    }

    @Test("rejected records only when asked for, from rejected files; files not yet reviewed and previews never")
    func rejectedPendingAndPreview() async throws {
        _ = try await file("accepted", records("ok", count: 2))
        let rejected = try await file("rejected", records("no", count: 2), accept: false)
        var reject = Usageflow_V1_RejectUsageFileRequest()
        reject.id = rejected.id
        reject.note = "wrong month"
        _ = try await world.distributor { [reject] in try await $0.rejectUsageFile(reject) }
        _ = try await file("pending", records("wait", count: 2), accept: false)
        let preview = try await world.createFile(name: "preview", environment: .preview)
        _ = try await world.upload(preview.id, records("pv", count: 2))
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(preview.id)) }

        #expect(recordIDs(try await export(request())) == ["ok-1", "ok-2"])
        #expect(recordIDs(try await export(request { $0.statuses = [.rejected] })) == ["no-1", "no-2"])
        #expect(
            Set(recordIDs(try await export(request { $0.statuses = [.approved, .rejected] })))
                == ["ok-1", "ok-2", "no-1", "no-2"])
        await expectRPCError(.notFound) { try await export(request { $0.fileId = preview.id }) }
    }

    @Test("records encoded straight to bytes decode to the very messages the conversion builds")
    func wireEncodingMatchesMessages() async throws {
        _ = try await file("wire", records("w", count: 6, subscriptions: [tier1Subscription, tier2Subscription]))
        var close = Usageflow_V1_CloseRecordRequest()
        close.fileId = try await export(request())[0].records[0].record.fileId
        close.recordId = "w-1"
        close.externalBillingId = "INV-W1"
        close.externalBillingNote = "note"
        _ = try await world.distributor { [close] in try await $0.closeRecord(close) }
        // A reseller's own billing marks, with and without a note.
        let billing = ResellerBillingOperations(environment: world.environment)
        let wireRecords = try await export(request())[0].records
        for (reseller, subscription) in [(tier1, tier1Subscription), (tier2, tier2Subscription)] {
            let marks = wireRecords.filter { $0.record.subscriptionId == subscription.id }.prefix(2).enumerated().map {
                ResellerBillingOperations.Mark(
                    fileID: $1.record.fileId, recordID: $1.record.recordId, externalBillingID: "RB-\($0)",
                    note: $0 == 0 ? "" : "paid")
            }
            #expect(marks.count == 2)
            for outcome in try await billing.markRecordsBilled(reseller.tenant, Array(marks)) {
                _ = try outcome.result.get()
            }
        }
        let operations = UsageExportOperations(environment: world.environment)
        for tenant in [world.distributorA.tenant, tier1.tenant, tier2.tenant] {
            let query = try await operations.query(tenant, filter: RecordFilter())
            let batch = try await operations.batch(query, after: nil, limit: 100)
            let (encoder, streamed) = try await operations.batch(query, after: nil, limit: 100, into: ExportWireEncoder())
            let reseller: String? = if case .reseller(let id, _, _) = query.scope { id } else { nil }
            let decoded = try Usageflow_V1_ExportRecordsResponse(
                serializedBytes: encoder.encode(streamed, includingBilling: reseller, cursor: "next"))
            #expect(decoded.cursor == "next")
            #expect(!decoded.records.isEmpty)
            #expect(streamed.count == batch.records.count && streamed.lastPosition == batch.lastPosition)
            #expect(decoded.records == batch.wireRecords(includingBilling: reseller != nil))
        }
    }

    // MARK: Resume

    @Test("an export cancelled after two batches and resumed from its cursor yields the full set once")
    func resumeAfterCancel() async throws {
        _ = try await file("one", records("r", count: 9))
        let full = recordIDs(try await export(request(batchSize: 2)))
        #expect(full.count == 9 && Set(full).count == 9)

        let partial = try await export(request(batchSize: 2), maxBatches: 2)
        #expect(partial.count == 2)
        let rest = try await export(request(batchSize: 2, cursor: partial[1].cursor))
        #expect(recordIDs(partial) + recordIDs(rest) == full)
        // A batch size that is not the first call's is fine: the cursor names a record, not a batch.
        let restInThrees = try await export(request(batchSize: 3, cursor: partial[1].cursor))
        #expect(recordIDs(restInThrees) == recordIDs(rest))
        // The last cursor resumes to nothing.
        let after = try await export(request(batchSize: 2, cursor: rest.last!.cursor))
        #expect(after.isEmpty)
    }

    @Test("files accepted while an export is interrupted come after it, also one uploaded before it started")
    func resumeWithFilesAcceptedBetween() async throws {
        _ = try await file("first", records("f", count: 5))
        // Uploaded and submitted before the export starts, accepted only while it is interrupted:
        // its rows are older than the cursor, yet its records must not be skipped.
        let early = try await file("early", records("e", count: 3), accept: false)
        let partial = try await export(request(batchSize: 2), maxBatches: 1)
        #expect(recordIDs(partial) == ["f-1", "f-2"])

        var accept = Usageflow_V1_AcceptUsageFileRequest()
        accept.id = early.id
        _ = try await world.distributor { [accept] in try await $0.acceptUsageFile(accept) }
        _ = try await file("late", records("l", count: 3))

        let rest = try await export(request(batchSize: 2, cursor: partial[0].cursor))
        let resumed = recordIDs(partial) + recordIDs(rest)
        #expect(resumed == ["f-1", "f-2", "f-3", "f-4", "f-5", "e-1", "e-2", "e-3", "l-1", "l-2", "l-3"])
        #expect(Set(resumed) == Set(recordIDs(try await export(request()))))
    }

    // MARK: Who sees what

    @Test("another distributor and the resellers see only their own records")
    func isolation() async throws {
        let file = try await file(
            "mixed",
            records("d", count: 2)
                + [
                    world.record("t1", item: world.integerItem, subscription: tier1Subscription, quantity: "1"),
                    world.record("t2", item: world.integerItem, subscription: tier2Subscription, quantity: "2"),
                ])
        #expect(recordIDs(try await export(request(), as: world.distributorB)).isEmpty)
        await expectRPCError(.notFound) { try await export(request { $0.fileId = file.id }, as: world.distributorB) }
        await expectRPCError(.notFound) {
            try await export(request { $0.subscriptionId = world.subscription1.id }, as: world.distributorB)
        }
        await expectRPCError(.notFound) {
            try await export(request { $0.marketplaceId = world.contract.marketplaceID }, as: world.distributorB)
        }

        // Tier 1: its own customer's and its tier-2's; tier 2: only its own.
        #expect(recordIDs(try await export(request(), as: tier1)) == ["t1", "t2"])
        #expect(recordIDs(try await export(request(), as: tier2)) == ["t2"])
        #expect(recordIDs(try await export(request { $0.fileId = file.id }, as: tier2)) == ["t2"])
        await expectRPCError(.notFound) {
            try await export(request { $0.subscriptionId = world.subscription1.id }, as: tier1)
        }
        await expectRPCError(.notFound) {
            try await export(request { $0.subscriptionId = tier1Subscription.id }, as: tier2)
        }
        await expectRPCError(.notFound) { try await export(request { $0.customerId = tier1Customer.id }, as: tier2) }
        await expectRPCError(.notFound) { try await export(request { $0.resellerId = tier1.tenant.actor }, as: tier2) }
        #expect(recordIDs(try await export(request { $0.resellerId = tier2.tenant.actor }, as: tier1)) == ["t2"])

        // The vendor has no export.
        await expectRPCError(.permissionDenied) { try await export(request(), as: world.vendorA) }
    }

    // MARK: Refusals

    @Test("bad filters, batch sizes and cursors are INVALID_ARGUMENT naming the field; unknown ids NOT_FOUND")
    func refusals() async throws {
        _ = try await file("one", records("x", count: 3))
        func refused(_ request: Usageflow_V1_ExportRecordsRequest, as party: UsageParty? = nil, _ fields: [String]) async throws {
            try await expectUsageRefusal(.invalidArgument, fields: fields) { try await export(request, as: party) }
        }
        try await refused(request { $0.statuses = [.valid] }, ["filter.statuses"])
        try await refused(request { $0.statuses = [.invalid, .approved] }, ["filter.statuses"])
        try await refused(request { $0.statuses = [.unspecified] }, ["filter.statuses"])
        try await refused(request { $0.statuses = [Usageflow_V1_UsageRecordStatus(rawValue: 42)] }, ["filter.statuses"])
        try await refused(request { $0.statuses = [.rejected] }, as: tier1, ["filter.statuses"])
        try await refused(request { $0.periodFrom = "2026-02-30" }, ["filter.period_from"])
        try await refused(request { $0.periodFrom = "2026-01-20"; $0.periodTo = "2026-01-10" }, ["filter.period_to"])
        try await refused(request(batchSize: 1001), ["batch_size"])
        try await refused(request(batchSize: -1), ["batch_size"])
        try await refused(request(cursor: "not a cursor"), ["cursor"])

        // A cursor continues only its own filter and caller.
        let batches = try await export(request(batchSize: 1), maxBatches: 1)
        let cursor = batches[0].cursor
        try await refused(request({ $0.itemId = world.integerItem.id }, batchSize: 1, cursor: cursor), ["cursor"])
        try await refused(request(batchSize: 1, cursor: cursor), as: tier1, ["cursor"])
        #expect(recordIDs(try await export(request(batchSize: 1, cursor: cursor))) == ["x-2", "x-3"])

        await expectRPCError(.notFound) { try await export(request { $0.fileId = "UF-2026-01-0000-0000" }) }
        await expectRPCError(.notFound) { try await export(request { $0.productId = "PRD-000-000-000" }) }
        await expectRPCError(.notFound) { try await export(request { $0.itemId = "PRD-000-000-000-0001" }) }
        await expectRPCError(.notFound) { try await export(request { $0.customerId = "CA-0000-0000" }) }
        await expectRPCError(.notFound) { try await export(request { $0.resellerId = "TA-0000-0000" }) }
    }

    // MARK: Reseller list

    @Test("the reseller's list pages through its records with a token bound to its filter")
    func resellerList() async throws {
        _ = try await file(
            "list",
            (1...5).map { n in
                world.record("L-\(n)", item: world.integerItem, subscription: n == 3 ? world.subscription1 : tier1Subscription, quantity: "\(n)")
            })
        func list(_ request: Usageflow_V1_ListResellerRecordsRequest, as party: UsageParty) async throws
            -> Usageflow_V1_ListResellerRecordsResponse
        {
            try await InProcessTransport.withTransport(router: world.router, metadata: party.metadata) {
                try await Usageflow_V1_ResellerService_Client(transport: $0).listRecords(request)
            }
        }
        var request = Usageflow_V1_ListResellerRecordsRequest()
        request.pageSize = 3
        let first = try await list(request, as: tier1)
        #expect(first.records.map(\.record.recordId) == ["L-1", "L-2", "L-4"] && !first.nextPageToken.isEmpty)
        request.pageToken = first.nextPageToken
        let second = try await list(request, as: tier1)
        #expect(second.records.map(\.record.recordId) == ["L-5"] && second.nextPageToken.isEmpty)
        #expect(try await list(Usageflow_V1_ListResellerRecordsRequest(), as: tier2).records.isEmpty)

        // Nothing is marked billed yet: "no" lists everything, "yes" nothing.
        var unbilled = Usageflow_V1_ListResellerRecordsRequest()
        unbilled.billed = .no
        #expect(try await list(unbilled, as: tier1).records.count == 4)
        unbilled.billed = .yes
        #expect(try await list(unbilled, as: tier1).records.isEmpty)

        // The token belongs to its filter; the page size is bounded.
        var other = Usageflow_V1_ListResellerRecordsRequest()
        other.pageToken = first.nextPageToken
        other.billed = .no
        try await expectUsageRefusal(.invalidArgument, fields: ["page_token"]) { try await list(other, as: tier1) }
        var big = Usageflow_V1_ListResellerRecordsRequest()
        big.pageSize = 1001
        try await expectUsageRefusal(.invalidArgument, fields: ["page_size"]) { try await list(big, as: tier1) }
    }

    // MARK: Whole file

    @Test("a whole accepted file exports as CSV with the upload's and the export's columns; others are refused")
    func wholeFile() async throws {
        let file = try await file(
            "whole",
            [
                world.record("w-1", item: world.integerItem, subscription: tier1Subscription, quantity: "4"),
                world.record("w-2", item: world.decimalItem, subscription: world.subscription1, quantity: "0.5"),
            ])
        func download(_ id: String, _ format: Usageflow_V1_UsageFileFormat, as party: UsageParty? = nil) async throws
            -> (name: String, bytes: [UInt8])
        {
            var request = Usageflow_V1_ExportUsageFileRequest()
            request.fileId = id
            request.format = format
            return try await world.distributor(party) { [request] client in
                var name = ""
                var bytes: [UInt8] = []
                for try await chunk in try await client.exportUsageFile(request) {
                    if name.isEmpty { name = chunk.fileName }
                    bytes += chunk.data
                }
                return (name, bytes)
            }
        }
        let csv = try await download(file.id, .csv)
        #expect(csv.name == "\(file.id)-export.csv")
        let lines = String(decoding: csv.bytes, as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines[0].hasPrefix("record_id,"), "\(lines)")
        #expect(
            lines[0].hasSuffix(
                ",item_id,item_mpn,item_name,subscription_id,subscription_external_id,customer_id,customer_name,"
                    + "status,external_billing_id,external_billing_note,closed_at"), "\(lines)")
        #expect(lines[1].hasPrefix("w-1,") && lines[1].contains(",STORAGE-GB,Storage,") && lines[1].contains(",Umbrella,approved,"))
        #expect(lines[2].contains(",TRANSFER-GB,") && lines[2].contains(",acme-1,"), "\(lines)")

        let xlsx = try await download(file.id, .xlsx)
        #expect(xlsx.bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), "not a ZIP archive")

        await expectRPCError(.notFound) { try await download(file.id, .csv, as: world.distributorB) }
        try await expectUsageRefusal(.invalidArgument, fields: ["format"]) { try await download(file.id, .unspecified) }
        let pending = try await self.file("pending", records("p", count: 1), accept: false)
        await expectRPCError(.failedPrecondition) { try await download(pending.id, .csv) }
    }
}
