// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import RPCInProcessTransport
import Testing
import WellKnownTypes

/// The reconciliation RPCs of DistributorService through the server's router with real keys over
/// SQLite: SPEC §6 scenarios 7 and 8, idempotent replays, closing a whole file, and the refusals.
@Suite("Reconciliation RPCs")
struct UsageReconciliationServiceTests {
    let world: UsageWorld

    init() async throws {
        world = try await UsageWorld()
    }

    /// A file of vendor A with three valid records `<prefix>-1…3`, submitted and accepted by
    /// distributor A.
    func acceptedFile(prefix: String) async throws -> Usageflow_V1_UsageFile {
        let id = try await pendingFile(prefix: prefix).id
        var accept = Usageflow_V1_AcceptUsageFileRequest()
        accept.id = id
        let accepted = try await world.distributor { try await $0.acceptUsageFile(accept) }
        #expect(accepted.status == .accepted && accepted.counts.approved == 3)
        return accepted
    }

    func pendingFile(prefix: String) async throws -> Usageflow_V1_UsageFile {
        let file = try await world.createFile(name: "January \(prefix)")
        let records = [
            world.record("\(prefix)-1", item: world.integerItem, subscription: world.subscription1, quantity: "100"),
            world.record("\(prefix)-2", item: world.decimalItem, subscription: world.subscription1, quantity: "3.25"),
            world.record("\(prefix)-3", item: world.decimalItem, subscription: world.subscription2, quantity: "0.5"),
        ]
        let uploaded = try await world.upload(file.id, records)
        #expect(uploaded.status == .ready, "\(uploaded.errorDetail)")
        return try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
    }

    func closeRequest(
        _ fileID: String, _ recordID: String, billing: String, note: String = ""
    ) -> Usageflow_V1_CloseRecordRequest {
        var request = Usageflow_V1_CloseRecordRequest()
        request.fileId = fileID
        request.recordId = recordID
        request.externalBillingId = billing
        request.externalBillingNote = note
        return request
    }

    func bulkRequest(_ fileID: String, _ closes: [(String, String)]) -> Usageflow_V1_CloseRecordsRequest {
        var request = Usageflow_V1_CloseRecordsRequest()
        request.fileId = fileID
        request.records = closes.map { recordID, billing in
            var close = Usageflow_V1_RecordClose()
            close.recordId = recordID
            close.externalBillingId = billing
            return close
        }
        return request
    }

    func getFile(_ id: String) async throws -> Usageflow_V1_UsageFile {
        try await world.distributor { try await $0.getUsageFile(UsageWorld.idRequest(id)) }
    }

    // MARK: Scenario 7

    @Test("scenario 7: accept → close one record → bulk close of the rest → the file is closed")
    func recordThenBulkClosesTheFile() async throws {
        let file = try await acceptedFile(prefix: "s7")
        let distributor = world.distributorA.tenant.actor

        let closed = try await world.distributor {
            try await $0.closeRecord(closeRequest(file.id, "s7-1", billing: "INV-1001", note: "January invoice"))
        }
        #expect(closed.recordId == "s7-1" && closed.fileId == file.id)
        #expect(closed.status == .closed)
        #expect(closed.externalBillingId == "INV-1001" && closed.externalBillingNote == "January invoice")
        #expect(closed.hasClosedAt && closed.closedAt.seconds > 0)
        #expect(closed.quantity == "100", "closing changed what was reported")
        let afterOne = try await getFile(file.id)
        #expect(afterOne.status == .accepted)
        #expect(afterOne.counts.approved == 2 && afterOne.counts.closed == 1 && afterOne.counts.uploaded == 3)

        let bulk = try await world.distributor {
            try await $0.closeRecords(bulkRequest(file.id, [("s7-2", "INV-1002"), ("s7-3", "INV-1003")]))
        }
        #expect(bulk.results.map(\.recordId) == ["s7-2", "s7-3"])
        #expect(bulk.results.allSatisfy { $0.hasStatus && $0.status.code == 0 && $0.hasClosedAt })
        #expect(bulk.results.map(\.externalBillingId) == ["INV-1002", "INV-1003"])
        #expect(bulk.file.status == .closed)
        #expect(bulk.file.counts.approved == 0 && bulk.file.counts.closed == 3)
        #expect(bulk.file.note == "", "the vendor's internal note reached the distributor")
        let closing = try #require(bulk.file.history.last)
        #expect(closing.from == "accepted" && closing.to == "closed" && closing.actor == distributor)

        // Both parties see the file closed and every record with its billing id.
        let vendorView = try await world.vendor { try await $0.getUsageFile(UsageWorld.idRequest(file.id)) }
        #expect(vendorView.status == .closed && vendorView.counts.closed == 3)
        let records = try await world.records(file.id, as: world.distributorA)
        #expect(records.map(\.status) == [.closed, .closed, .closed])
        #expect(records.map(\.externalBillingId) == ["INV-1001", "INV-1002", "INV-1003"])
    }

    @Test("the same billing id again is a no-op success; a different one is ALREADY_EXISTS naming the record and id")
    func replaysAndConflicts() async throws {
        let file = try await acceptedFile(prefix: "rp")
        let first = try await world.distributor { try await $0.closeRecord(closeRequest(file.id, "rp-1", billing: "B-1")) }
        let replay = try await world.distributor {
            try await $0.closeRecord(closeRequest(file.id, "rp-1", billing: "B-1", note: "a later note"))
        }
        #expect(replay == first, "a replay changed the record")
        #expect(try await getFile(file.id).counts.closed == 1, "a replay counted twice")

        try await expectUsageRefusal(
            .alreadyExists, "record rp-1 of usage file \(file.id) is already closed with external_billing_id B-1",
            fields: ["external_billing_id"]
        ) {
            try await world.distributor { try await $0.closeRecord(closeRequest(file.id, "rp-1", billing: "B-2")) }
        }

        // A bulk replay of a closed file's records succeeds too and keeps the file closed.
        let rest = bulkRequest(file.id, [("rp-2", "B-2"), ("rp-3", "B-3")])
        let closedFile = try await world.distributor { try await $0.closeRecords(rest) }.file
        #expect(closedFile.status == .closed)
        let closing = try await world.records(file.id, as: world.distributorA)
        let again = try await world.distributor { try await $0.closeRecords(rest) }
        #expect(again.results.allSatisfy { $0.status.code == 0 })
        #expect(again.results.map(\.externalBillingId) == ["B-2", "B-3"])
        #expect(again.results.map(\.closedAt) == closing.suffix(2).map(\.closedAt), "a replay moved the close time")
        #expect(again.file == closedFile, "a replay changed the closed file")
        let conflicting = try await world.distributor {
            try await $0.closeRecords(bulkRequest(file.id, [("rp-2", "B-9"), ("rp-3", "B-3")]))
        }
        #expect(conflicting.results.map(\.status.code) == [Int32(Status.Code.alreadyExists.rawValue), 0])
        #expect(conflicting.results[0].status.message.contains("B-2"))
        #expect(conflicting.results[0].externalBillingId.isEmpty)
    }

    // MARK: Scenario 8

    @Test("scenario 8: a bulk close with an unknown id and another file's record: those two fail, the rest close")
    func bulkWithFailures() async throws {
        let file = try await acceptedFile(prefix: "a")
        let other = try await acceptedFile(prefix: "b")
        let response = try await world.distributor {
            try await $0.closeRecords(
                bulkRequest(
                    file.id, [("a-1", "INV-1"), ("no-such-record", "INV-2"), ("b-1", "INV-3"), ("a-2", "INV-4"),
                        ("a-3", "INV-5")]))
        }
        #expect(response.results.map(\.recordId) == ["a-1", "no-such-record", "b-1", "a-2", "a-3"])
        let notFound = Int32(Status.Code.notFound.rawValue)
        #expect(response.results.map(\.status.code) == [0, notFound, notFound, 0, 0])
        #expect(response.results[1].status.message == "record no-such-record of usage file \(file.id) not found")
        #expect(response.results[2].status.message == "record b-1 of usage file \(file.id) not found")
        #expect(response.results.map(\.externalBillingId) == ["INV-1", "", "", "INV-4", "INV-5"])
        #expect(response.file.status == .closed && response.file.counts.closed == 3)

        // The other file's record was not touched.
        let untouched = try await getFile(other.id)
        #expect(untouched.status == .accepted && untouched.counts.approved == 3 && untouched.counts.closed == 0)
        let otherRecords = try await world.records(other.id, as: world.distributorA)
        #expect(otherRecords.allSatisfy { $0.status == .approved && $0.externalBillingId.isEmpty })
    }

    @Test("a malformed entry of a bulk close is its own INVALID_ARGUMENT result with the field; the others close")
    func bulkFieldViolations() async throws {
        let file = try await acceptedFile(prefix: "v")
        let response = try await world.distributor {
            try await $0.closeRecords(
                bulkRequest(
                    file.id, [("v-1", ""), ("v-2", String(repeating: "x", count: 256)), ("v-3", "OK-3")]))
        }
        let invalid = Int32(Status.Code.invalidArgument.rawValue)
        #expect(response.results.map(\.status.code) == [invalid, invalid, 0])
        // The BadRequest details of a single call travel in the result's status.
        #expect(response.results[0].status.details.count == 1)
        let details = try Google_Rpc_BadRequest(serializedBytes: response.results[0].status.details[0].value)
        #expect(details.fieldViolations.map(\.field) == ["records[0].external_billing_id"])
        #expect(response.results[1].status.message.contains("records[1].external_billing_id"))
        #expect(response.file.status == .accepted && response.file.counts.approved == 2)
    }

    // MARK: Closing a file

    @Test("CloseUsageFile closes every approved record with one billing id; earlier closes keep theirs")
    func closeWholeFile() async throws {
        let file = try await acceptedFile(prefix: "w")
        _ = try await world.distributor { try await $0.closeRecord(closeRequest(file.id, "w-2", billing: "OWN-2")) }
        var request = Usageflow_V1_CloseUsageFileRequest()
        request.id = file.id
        request.externalBillingId = "INV-ALL"
        request.externalBillingNote = "whole file"
        let closed = try await world.distributor { try await $0.closeUsageFile(request) }
        #expect(closed.status == .closed)
        #expect(closed.counts.approved == 0 && closed.counts.closed == 3)
        #expect(closed.history.last?.actor == world.distributorA.tenant.actor)
        let records = try await world.records(file.id, as: world.distributorA)
        #expect(records.map(\.externalBillingId) == ["INV-ALL", "OWN-2", "INV-ALL"])
        #expect(records.map(\.externalBillingNote) == ["whole file", "", "whole file"])
        #expect(records.allSatisfy { $0.status == .closed && $0.hasClosedAt })

        // The same close again changes nothing; another billing id conflicts.
        let replay = try await world.distributor { try await $0.closeUsageFile(request) }
        #expect(replay == closed)
        request.externalBillingId = "INV-OTHER"
        try await expectUsageRefusal(.alreadyExists, fields: ["external_billing_id"]) {
            try await world.distributor { try await $0.closeUsageFile(request) }
        }
    }

    // MARK: Refusals

    @Test("wrong states are FAILED_PRECONDITION; other tenants NOT_FOUND; vendors PERMISSION_DENIED; bad fields")
    func refusals() async throws {
        let pending = try await pendingFile(prefix: "p")
        try await expectUsageRefusal(
            .failedPrecondition,
            "usage file \(pending.id) is pending; only the records of accepted files can be closed"
        ) {
            try await world.distributor { try await $0.closeRecord(closeRequest(pending.id, "p-1", billing: "X")) }
        }
        var closeFile = Usageflow_V1_CloseUsageFileRequest()
        closeFile.id = pending.id
        closeFile.externalBillingId = "X"
        try await expectUsageRefusal(.failedPrecondition) {
            try await world.distributor { try await $0.closeUsageFile(closeFile) }
        }

        let file = try await acceptedFile(prefix: "t")
        try await expectUsageRefusal(.notFound, "usage file \(file.id) not found") {
            try await world.distributor(world.distributorB) {
                try await $0.closeRecord(closeRequest(file.id, "t-1", billing: "X"))
            }
        }
        try await expectUsageRefusal(.notFound, "usage file \(file.id) not found") {
            try await world.distributor(world.distributorB) {
                try await $0.closeRecords(bulkRequest(file.id, [("t-1", "X")]))
            }
        }
        closeFile.id = file.id
        try await expectUsageRefusal(.notFound, "usage file \(file.id) not found") {
            try await world.distributor(world.distributorB) { try await $0.closeUsageFile(closeFile) }
        }
        try await expectUsageRefusal(.permissionDenied) {
            try await InProcessTransport.withTransport(router: world.router, metadata: world.vendorA.metadata) {
                try await Usageflow_V1_DistributorService_Client(transport: $0)
                    .closeRecord(closeRequest(file.id, "t-1", billing: "X"))
            }
        }
        try await expectUsageRefusal(.notFound, "record nope of usage file \(file.id) not found") {
            try await world.distributor { try await $0.closeRecord(closeRequest(file.id, "nope", billing: "X")) }
        }

        try await expectUsageRefusal(
            .invalidArgument, fields: ["record_id", "external_billing_id", "external_billing_note"]
        ) {
            try await world.distributor {
                try await $0.closeRecord(closeRequest(file.id, "", billing: " ", note: String(repeating: "n", count: 201)))
            }
        }
        try await expectUsageRefusal(.invalidArgument, fields: ["records"]) {
            try await world.distributor { try await $0.closeRecords(bulkRequest(file.id, [])) }
        }
        let tooMany = (0...UsageReconciliationOperations.maximumRecordsPerCall).map { ("t-\($0)", "X") }
        try await expectUsageRefusal(.invalidArgument, fields: ["records"]) {
            try await world.distributor { try await $0.closeRecords(bulkRequest(file.id, tooMany)) }
        }

        // Nothing of the refused calls stuck.
        let unchanged = try await getFile(file.id)
        #expect(unchanged.status == .accepted && unchanged.counts.approved == 3 && unchanged.counts.closed == 0)
    }
}
