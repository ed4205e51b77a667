// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import Testing
import WellKnownTypes

/// ResellerService.MarkRecordsBilled through the server's router with real keys over SQLite: a
/// result per mark in order, replays and conflicts, refusals as statuses with their details, and
/// the distributor's view of the records untouched.
@Suite("Reseller billing RPC")
struct ResellerBillingServiceTests {
    let channel: ResellerUsageChannel

    init() async throws {
        channel = try await ResellerUsageChannel()
    }

    var world: UsageWorld { channel.world }

    static func request(_ marks: [(file: String, record: String, billing: String, note: String)])
        -> Usageflow_V1_MarkRecordsBilledRequest
    {
        var request = Usageflow_V1_MarkRecordsBilledRequest()
        request.records = marks.map { mark in
            var record = Usageflow_V1_RecordBillingMark()
            record.fileId = mark.file
            record.recordId = mark.record
            record.externalBillingId = mark.billing
            record.externalBillingNote = mark.note
            return record
        }
        return request
    }

    /// An accepted file: b-1 sold through tier 1, b-2 through tier 2, b-3 to a direct customer.
    func acceptedFile() async throws -> String {
        try await channel.file(
            "Billing",
            [
                world.record("b-1", item: world.decimalItem, subscription: channel.tier1Subscription, quantity: "1.25"),
                world.record("b-2", item: world.integerItem, subscription: channel.tier2Subscription, quantity: "7"),
                world.record("b-3", item: world.integerItem, subscription: world.subscription1, quantity: "3"),
            ])
    }

    @Test("each mark is answered in order: OK with the mark as stored, or the status a single mark would get")
    func resultsPerMark() async throws {
        let file = try await acceptedFile()
        let reply = try await channel.reseller(channel.tier1) {
            try await $0.markRecordsBilled(
                Self.request([
                    (file, "b-1", "T1-100", "January"),
                    (file, "b-2", "T1-101", ""),
                    (file, "b-1", "T1-100", "replayed"),
                    (file, "b-1", "T1-999", ""),
                    (file, "b-3", "T1-102", ""),
                    (file, "b-2", "", ""),
                ]))
        }
        #expect(reply.results.map(\.recordId) == ["b-1", "b-2", "b-1", "b-1", "b-3", "b-2"])
        #expect(reply.results.allSatisfy { $0.fileId == file && $0.hasStatus })
        #expect(reply.results.map(\.status.code) == [0, 0, 0, 6, 5, 3])
        let first = reply.results[0].billing
        #expect(first.resellerId == channel.tier1.tenant.actor)
        #expect(first.externalBillingId == "T1-100" && first.externalBillingNote == "January")
        #expect(first.hasBilledAt && first.billedAt.seconds > 0)
        #expect(reply.results[2].billing == first, "a replay answered another mark than the stored one")
        #expect(!reply.results[3].hasBilling && !reply.results[4].hasBilling)
        #expect(
            reply.results[3].status.message
                == "record b-1 of usage file \(file) is already marked billed with external_billing_id T1-100")
        #expect(reply.results[4].status.message == "record b-3 of usage file \(file) not found")
        // A bad mark carries its BadRequest like a single call's status.
        let details = reply.results[5].status.details
        #expect(details.count == 1)
        let badRequest = try Google_Rpc_BadRequest(serializedBytes: try #require(details.first).value)
        #expect(badRequest.fieldViolations.map(\.field) == ["records[5].external_billing_id"])

        // The tier-2 reseller marks the same record on its own.
        let tier2 = try await channel.reseller(channel.tier2) {
            try await $0.markRecordsBilled(Self.request([(file, "b-2", "T2-1", ""), (file, "b-1", "T2-2", "")]))
        }
        #expect(tier2.results.map(\.status.code) == [0, 5])
        #expect(tier2.results[0].billing.resellerId == channel.tier2.tenant.actor)

        // The distributor's records are as it left them.
        let records = try await world.records(file, as: world.distributorA)
        #expect(records.map(\.status) == [.approved, .approved, .approved])
        #expect(records.allSatisfy { $0.externalBillingId.isEmpty && !$0.hasClosedAt })
    }

    @Test("records of files still pending or of other distributors are refused per mark; the call needs 1–1000 marks")
    func refusals() async throws {
        let pending = try await channel.file(
            "Pending",
            [world.record("p-1", item: world.integerItem, subscription: channel.tier1Subscription, quantity: "1")],
            accept: false)
        let reply = try await channel.reseller(channel.tier1) {
            try await $0.markRecordsBilled(
                Self.request([(pending, "p-1", "X", ""), ("UF-2026-01-0000-0000", "p-1", "X", "")]))
        }
        #expect(reply.results.map(\.status.code) == [9, 5])
        #expect(
            reply.results[0].status.message
                == "record p-1 of usage file \(pending) is valid; only approved or closed records can be marked billed")

        try await expectUsageRefusal(.invalidArgument, fields: ["records"]) {
            try await channel.reseller(channel.tier1) { try await $0.markRecordsBilled(Self.request([])) }
        }
        let tooMany = Array(repeating: (pending, "p-1", "X", ""), count: 1001)
        try await expectUsageRefusal(.invalidArgument, fields: ["records"]) {
            try await channel.reseller(channel.tier1) { try await $0.markRecordsBilled(Self.request(tooMany)) }
        }
    }
}
