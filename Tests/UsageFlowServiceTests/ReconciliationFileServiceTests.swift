// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import Testing
import WellKnownTypes

/// The reconciliation-file RPCs of DistributorService through the server's router with real keys
/// over SQLite: rows closing records, failing alone, replays, unreadable files and limits, the
/// stored rows and the refusals.
@Suite("Reconciliation file RPCs")
struct ReconciliationFileServiceTests {
    let world: UsageWorld

    init() async throws {
        world = try await UsageWorld()
    }

    /// A file of vendor A with `count` valid records `<prefix>-1…`, submitted and accepted.
    static func acceptedFile(_ world: UsageWorld, prefix: String, count: Int = 3) async throws -> Usageflow_V1_UsageFile {
        let file = try await world.createFile(name: "January \(prefix)")
        let records = (1...count).map {
            world.record("\(prefix)-\($0)", item: world.integerItem, subscription: world.subscription1, quantity: "\($0)")
        }
        let uploaded = try await world.upload(file.id, records)
        #expect(uploaded.status == .ready, "\(uploaded.errorDetail)")
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        var accept = Usageflow_V1_AcceptUsageFileRequest()
        accept.id = file.id
        return try await world.distributor { try await $0.acceptUsageFile(accept) }
    }

    /// The upload stream of `text` for `fileID`, cut into chunks of `chunk` bytes.
    static func upload(
        _ fileID: String, _ text: String, format: Usageflow_V1_UsageFileFormat = .csv, chunk: Int = 7
    ) -> [Usageflow_V1_UploadReconciliationFileRequest] {
        upload(fileID, Array(text.utf8), format: format, chunk: chunk)
    }

    static func upload(
        _ fileID: String, _ bytes: [UInt8], format: Usageflow_V1_UsageFileFormat, chunk: Int = 7
    ) -> [Usageflow_V1_UploadReconciliationFileRequest] {
        var header = Usageflow_V1_UploadReconciliationFileRequest()
        header.header.fileId = fileID
        header.header.format = format
        var requests = [header]
        var start = 0
        while start < bytes.count {
            var request = Usageflow_V1_UploadReconciliationFileRequest()
            request.chunk = Array(bytes[start..<min(start + chunk, bytes.count)])
            requests.append(request)
            start += chunk
        }
        return requests
    }

    func reconcile(
        _ requests: [Usageflow_V1_UploadReconciliationFileRequest], as party: UsageParty? = nil
    ) async throws -> Usageflow_V1_Reconciliation {
        try await world.distributor(party) { try await $0.uploadReconciliationFile(requests) }
    }

    /// Every row of a reconciliation, two per page.
    func rows(_ id: String, failedOnly: Bool = false) async throws -> [Usageflow_V1_ReconciliationRow] {
        var request = Usageflow_V1_ListReconciliationRowsRequest()
        request.reconciliationId = id
        request.failedOnly = failedOnly
        request.pageSize = 2
        var rows: [Usageflow_V1_ReconciliationRow] = []
        repeat {
            let page = try await world.distributor { [request] in try await $0.listReconciliationRows(request) }
            rows += page.rows
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        return rows
    }

    static func counts(_ reconciliation: Usageflow_V1_Reconciliation) -> [Int64] {
        [reconciliation.counts.rows, reconciliation.counts.closed, reconciliation.counts.unchanged,
         reconciliation.counts.failed]
    }

    func usageFile(_ id: String) async throws -> Usageflow_V1_UsageFile {
        try await world.distributor { try await $0.getUsageFile(UsageWorld.idRequest(id)) }
    }

    // MARK: Applying

    @Test("every row closes its record; the last one closes the file; rows are stored with their outcome")
    func closesTheFile() async throws {
        let file = try await Self.acceptedFile(world, prefix: "all")
        let text = "invoice,record_id,external_billing_id,external_billing_note\r\n"
            + "x, all-1 ,INV-1,first\r\n" + "x,all-2,INV-2,\r\n" + "\r\n" + "x,all-3,INV-3,\"with, comma\"\r\n"
        let reconciliation = try await reconcile(Self.upload(file.id, text))
        #expect(reconciliation.status == .completed)
        #expect(Self.counts(reconciliation) == [3, 3, 0, 0])
        #expect(IdentifierKind.reconciliation.matches(reconciliation.id))
        #expect(reconciliation.fileId == file.id && reconciliation.format == .csv)
        #expect(reconciliation.distributorId == world.distributorA.tenant.actor)
        #expect(reconciliation.actor == world.distributorA.tenant.actor)
        #expect(reconciliation.hasCompletedAt && reconciliation.errorDetail.isEmpty)

        let closed = try await usageFile(file.id)
        #expect(closed.status == .closed && closed.counts.closed == 3 && closed.counts.approved == 0)
        let records = try await world.records(file.id, as: world.distributorA)
        #expect(records.map(\.externalBillingId) == ["INV-1", "INV-2", "INV-3"])
        #expect(records.map(\.externalBillingNote) == ["first", "", "with, comma"])

        let stored = try await rows(reconciliation.id)
        #expect(stored.map(\.position) == [2, 3, 5], "CSV lines, the blank one skipped")
        #expect(stored.map(\.recordId) == ["all-1", "all-2", "all-3"], "cells are trimmed")
        #expect(stored.allSatisfy { $0.status.code == 0 && $0.status.message == "closed" })
        #expect(try await rows(reconciliation.id, failedOnly: true).isEmpty)

        let fetched = try await world.distributor { try await $0.getReconciliation(UsageWorld.idRequest(reconciliation.id)) }
        #expect(fetched == reconciliation)
    }

    @Test("failing rows fail alone with a single close's status; a record named twice with another id is refused")
    func failingRows() async throws {
        let file = try await Self.acceptedFile(world, prefix: "mix", count: 4)
        _ = try await world.distributor {
            var close = Usageflow_V1_CloseRecordRequest()
            close.fileId = file.id
            close.recordId = "mix-2"
            close.externalBillingId = "EARLIER"
            return try await $0.closeRecord(close)
        }
        let long = String(repeating: "n", count: 201)
        let text = "record_id,external_billing_id,external_billing_note\n"
            + "mix-1,B-1,\n"            // 2: closes
            + "nope,B-2,\n"             // 3: NOT_FOUND
            + "mix-2,B-3,\n"            // 4: ALREADY_EXISTS (EARLIER)
            + "mix-3,B-4,\(long)\n"     // 5: INVALID_ARGUMENT, the note
            + "mix-3,,\n"               // 6: INVALID_ARGUMENT, no billing id
            + ",B-5,\n"                 // 7: INVALID_ARGUMENT, no record id
            + "mix-4,B-6,\n"            // 8: closes
            + "mix-4,B-7,\n"            // 9: INVALID_ARGUMENT, named on row 8 with B-6
            + "mix-1,B-1,again\n"       // 10: unchanged
        let reconciliation = try await reconcile(Self.upload(file.id, text, chunk: 5))
        #expect(reconciliation.status == .completedWithErrors)
        #expect(Self.counts(reconciliation) == [9, 2, 1, 6])

        let failed = try await rows(reconciliation.id, failedOnly: true)
        #expect(failed.map(\.position) == [3, 4, 5, 6, 7, 9])
        #expect(failed.map(\.status.code) == [5, 6, 3, 3, 3, 3])
        #expect(failed[1].status.message.contains("EARLIER"))
        #expect(failed[2].status.message.contains("external_billing_note"))
        #expect(failed[3].status.message.contains("external_billing_id"))
        #expect(failed[4].status.message.contains("record_id"))
        #expect(failed[5].status.message.contains("row 8") && failed[5].status.message.contains("B-6"))
        let all = try await rows(reconciliation.id)
        #expect(all.map(\.status.message).last == "unchanged")

        let after = try await usageFile(file.id)
        #expect(after.status == .accepted && after.counts.closed == 3 && after.counts.approved == 1)
        let records = try await world.records(file.id, as: world.distributorA)
        #expect(records.map(\.externalBillingId) == ["B-1", "EARLIER", "", "B-6"])
    }

    @Test("the same file again is all unchanged and changes nothing")
    func replay() async throws {
        let file = try await Self.acceptedFile(world, prefix: "again")
        let text = "record_id,external_billing_id\nagain-1,R-1\nagain-2,R-2\nagain-3,R-3\n"
        let first = try await reconcile(Self.upload(file.id, text))
        let recordsBefore = try await world.records(file.id, as: world.distributorA)
        let fileBefore = try await usageFile(file.id)
        let second = try await reconcile(Self.upload(file.id, text))
        #expect(Self.counts(first) == [3, 3, 0, 0] && Self.counts(second) == [3, 0, 3, 0])
        #expect(second.status == .completed && second.id != first.id)
        #expect(try await world.records(file.id, as: world.distributorA) == recordsBefore)
        #expect(try await usageFile(file.id) == fileBefore)

        var list = Usageflow_V1_ListReconciliationsRequest()
        list.fileId = file.id
        list.pageSize = 1
        let page = try await world.distributor { [list] in try await $0.listReconciliations(list) }
        #expect(page.reconciliations.map(\.id) == [first.id] && !page.nextPageToken.isEmpty)
        list.pageToken = page.nextPageToken
        let next = try await world.distributor { [list] in try await $0.listReconciliations(list) }
        #expect(next.reconciliations.map(\.id) == [second.id] && next.nextPageToken.isEmpty)
    }

    // MARK: Unreadable files and limits

    @Test(
        "an unreadable file is invalid and applies nothing",
        arguments: [
            ("record_id,billing\nr-1,B\n", Usageflow_V1_UsageFileFormat.csv, "external_billing_id"),
            ("external_billing_id\nB\n", .csv, "no record_id column"),
            ("record_id,external_billing_id,record_id\nr,B,r\n", .csv, "2 times"),
            ("", .csv, "empty"),
            ("PK\u{3}\u{4}not really a zip archive at all", .xlsx, "XLSX"),
            ("record_id,external_billing_id\nbad-1,B\n", .xlsx, "declared XLSX"),
            ("record_id,external_billing_id\n\"bad-1,B\n", .csv, "CSV"),
        ])
    func invalidFiles(text: String, format: Usageflow_V1_UsageFileFormat, detail: String) async throws {
        let file = try await Self.acceptedFile(world, prefix: "bad")
        let reconciliation = try await reconcile(Self.upload(file.id, text, format: format))
        #expect(reconciliation.status == .invalid)
        #expect(reconciliation.errorDetail.contains(detail), "\(reconciliation.errorDetail)")
        #expect(Self.counts(reconciliation) == [0, 0, 0, 0] && reconciliation.hasCompletedAt)
        #expect(try await rows(reconciliation.id).isEmpty)
        let after = try await usageFile(file.id)
        #expect(after.status == .accepted && after.counts.approved == 3 && after.counts.closed == 0)
    }

    @Test("a file over the byte or row limit is invalid and applies nothing")
    func limits() async throws {
        let limit = 4096
        let small = try await UsageWorld(limits: UsageLimits(recordsPerFile: 2, bytesPerUpload: limit))
        let file = try await Self.acceptedFile(small, prefix: "lim", count: 2)
        let tooManyRows = "record_id,external_billing_id\nlim-1,A\nlim-2,B\nlim-1,A\n"
        let rows = try await small.distributor { try await $0.uploadReconciliationFile(Self.upload(file.id, tooManyRows)) }
        #expect(rows.status == .invalid && rows.errorDetail.contains("more than 2 rows"), "\(rows.errorDetail)")
        let tooManyBytes = "record_id,external_billing_id,external_billing_note\nlim-1,A,"
            + String(repeating: "n", count: limit) + "\n"
        let bytes = try await small.distributor {
            try await $0.uploadReconciliationFile(Self.upload(file.id, tooManyBytes, chunk: 1000))
        }
        #expect(bytes.status == .invalid && bytes.errorDetail.contains("larger than \(limit) bytes"), "\(bytes.errorDetail)")
        let after = try await small.distributor { try await $0.getUsageFile(UsageWorld.idRequest(file.id)) }
        #expect(after.counts.closed == 0)
    }

    // MARK: Refusals

    @Test("a bad header is INVALID_ARGUMENT; a file not accepted FAILED_PRECONDITION; another's NOT_FOUND")
    func refusals() async throws {
        let file = try await Self.acceptedFile(world, prefix: "ref")
        let text = "record_id,external_billing_id\nref-1,B\n"
        var noFormat = Self.upload(file.id, text)
        noFormat[0].header.format = .unspecified
        try await expectUsageRefusal(.invalidArgument, fields: ["header.format"]) { try await reconcile(noFormat) }
        try await expectUsageRefusal(.invalidArgument, fields: ["header.file_id"]) {
            try await reconcile(Self.upload("", text))
        }
        try await expectUsageRefusal(
            .invalidArgument, "header: the first message must be a header naming the file", fields: ["header"]
        ) { try await reconcile(Array(Self.upload(file.id, text).dropFirst())) }
        try await expectUsageRefusal(
            .invalidArgument, "header: the stream is empty: send a header naming the file first", fields: ["header"]
        ) { try await reconcile([]) }
        var twoHeaders = Self.upload(file.id, text)
        twoHeaders.append(twoHeaders[0])
        try await expectUsageRefusal(.invalidArgument, fields: ["chunk"]) { try await reconcile(twoHeaders) }
        let neither = Self.upload(file.id, text) + [Usageflow_V1_UploadReconciliationFileRequest()]
        let neitherError = try await expectUsageRefusal(.invalidArgument, fields: ["chunk"]) { try await reconcile(neither) }
        #expect(neitherError?.message.contains("has neither a header nor a chunk") == true)
        var listAfterRefusals = Usageflow_V1_ListReconciliationsRequest()
        listAfterRefusals.fileId = file.id
        let stored = try await world.distributor { [listAfterRefusals] in
            try await $0.listReconciliations(listAfterRefusals)
        }
        #expect(stored.reconciliations.isEmpty, "a refused upload stored a reconciliation")

        let pending = try await world.createFile(name: "pending")
        _ = try await world.upload(pending.id, [
            world.record("p-1", item: world.integerItem, subscription: world.subscription1, quantity: "1")
        ])
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(pending.id)) }
        let notAccepted = try await expectUsageRefusal(.failedPrecondition) { try await reconcile(Self.upload(pending.id, text)) }
        #expect(notAccepted?.message.hasPrefix("usage file \(pending.id) is pending") == true)

        try await expectUsageRefusal(.notFound, "usage file \(file.id) not found") {
            try await reconcile(Self.upload(file.id, text), as: world.distributorB)
        }
        try await expectUsageRefusal(.permissionDenied) { try await reconcile(Self.upload(file.id, text), as: world.vendorA) }
        #expect(try await usageFile(file.id).counts.closed == 0, "a refused upload closed something")

        let mine = try await reconcile(Self.upload(file.id, text))
        try await expectUsageRefusal(.notFound, "reconciliation \(mine.id) not found") {
            try await world.distributor(world.distributorB) { try await $0.getReconciliation(UsageWorld.idRequest(mine.id)) }
        }
        try await expectUsageRefusal(.notFound, "reconciliation RC-1 not found") {
            try await world.distributor { try await $0.getReconciliation(UsageWorld.idRequest("RC-1")) }
        }
        var rowsRequest = Usageflow_V1_ListReconciliationRowsRequest()
        rowsRequest.reconciliationId = mine.id
        try await expectUsageRefusal(.notFound) {
            try await world.distributor(world.distributorB) { [rowsRequest] in try await $0.listReconciliationRows(rowsRequest) }
        }
        var listRequest = Usageflow_V1_ListReconciliationsRequest()
        listRequest.fileId = file.id
        try await expectUsageRefusal(.notFound) {
            try await world.distributor(world.distributorB) { [listRequest] in try await $0.listReconciliations(listRequest) }
        }
        let others = try await world.distributor(world.distributorB) {
            try await $0.listReconciliations(Usageflow_V1_ListReconciliationsRequest())
        }
        #expect(others.reconciliations.isEmpty, "another distributor's list shows this one's reconciliations")
    }
}
