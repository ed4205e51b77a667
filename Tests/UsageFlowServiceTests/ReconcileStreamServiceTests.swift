// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import RPCInProcessTransport
import ServiceSupport
import Testing
import WellKnownTypes

/// ReconciliationService.Reconcile through the server's router over SQLite, called as distributor
/// A's service identity (a client certificate whose fingerprint is registered): closes across
/// files, one result per close in order, per-close refusals that leave the stream going, replays
/// that change nothing, the files following their records, and who may call it.
@Suite("Reconcile stream")
struct ReconcileStreamServiceTests {
    typealias Request = Usageflow_V1_ReconcileRequest
    typealias Response = Usageflow_V1_ReconcileResponse

    static let OK: Int32 = 0
    static let invalidArgument: Int32 = 3
    static let notFound: Int32 = 5
    static let alreadyExists: Int32 = 6
    static let failedPrecondition: Int32 = 9

    let world: UsageWorld
    let fingerprint: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }

    init() async throws {
        world = try await UsageWorld()
        let credentials = CredentialOperations(environment: world.environment, hashing: CryptoSecretHashing())
        _ = try await credentials.createServiceIdentity(
            world.distributorA.tenant, name: "Billing", subject: nil,
            sha256Fingerprint: fingerprint.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }

    // MARK: Fixtures

    /// A file of vendor A with `count` valid records `<prefix>-1…count`, accepted by distributor A
    /// unless `accept` is false (then it stays pending).
    func file(prefix: String, count: Int, accept: Bool = true) async throws -> String {
        let file = try await world.createFile(name: "January \(prefix)")
        let records = (1...count).map { n in
            world.record("\(prefix)-\(n)", item: world.integerItem, subscription: world.subscription1, quantity: "\(n)")
        }
        let uploaded = try await world.upload(file.id, records, batchSize: 500)
        #expect(uploaded.status == .ready, "\(uploaded.errorDetail)")
        _ = try await world.vendor { try await $0.submitUsageFile(UsageWorld.idRequest(file.id)) }
        if accept {
            var request = Usageflow_V1_AcceptUsageFileRequest()
            request.id = file.id
            _ = try await world.distributor { try await $0.acceptUsageFile(request) }
        }
        return file.id
    }

    static func close(_ fileID: String, _ recordID: String, _ billing: String, note: String = "") -> Request {
        var request = Request()
        request.fileId = fileID
        request.recordId = recordID
        request.externalBillingId = billing
        request.externalBillingNote = note
        return request
    }

    /// Sends `requests` on one stream as the service identity (or with `metadata` and no
    /// certificate) while reading the results, and returns them.
    func reconcile(
        _ requests: [Request], asIdentity: Bool = true, metadata: Metadata = [:]
    ) async throws -> [Response] {
        var peer = Peer(address: "in-process")
        if asIdentity {
            peer = Peer(
                address: "ipv4:127.0.0.1:50001",
                certificateChain: [
                    PeerCertificate(
                        subject: "CN=billing,O=Distributor A", issuer: "CN=Test CA", sha256Fingerprint: fingerprint,
                        der: [])
                ])
        }
        return try await InProcessTransport.withTransport(router: world.router, peer: peer, metadata: metadata) {
            transport in
            let client = Usageflow_V1_ReconciliationService_Client(transport: transport)
            let (writer, responses) = try await client.reconcile()
            return try await withThrowingTaskGroup(of: [Response].self) { group in
                group.addTask {
                    for request in requests { try await writer.write(request) }
                    try await writer.finish()
                    return []
                }
                group.addTask {
                    var received: [Response] = []
                    for try await response in responses { received.append(response) }
                    return received
                }
                var received: [Response] = []
                for try await part in group { received += part }
                return received
            }
        }
    }

    func getFile(_ id: String) async throws -> Usageflow_V1_UsageFile {
        try await world.distributor { try await $0.getUsageFile(UsageWorld.idRequest(id)) }
    }

    // MARK: Tests

    @Test("closes across files: one result per close in order, each file closed with its last record")
    func closesAcrossFiles() async throws {
        let first = try await file(prefix: "a", count: 3)
        let second = try await file(prefix: "b", count: 2)
        let requests = [
            Self.close(first, "a-1", "INV-1", note: "first"), Self.close(second, "b-1", "INV-2"),
            Self.close(first, "a-2", "INV-3"), Self.close(second, "b-2", "INV-4"), Self.close(first, "a-3", "INV-5"),
        ]
        let results = try await reconcile(requests)
        #expect(results.map(\.recordId) == requests.map(\.recordId))
        #expect(results.map(\.fileId) == requests.map(\.fileId))
        #expect(results.map(\.status.code) == [Self.OK, Self.OK, Self.OK, Self.OK, Self.OK])
        #expect(results.map(\.externalBillingId) == ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"])
        #expect(results.allSatisfy { $0.changed && $0.closedAt.seconds > 0 })

        for (id, count) in [(first, 3), (second, 2)] {
            let file = try await getFile(id)
            #expect(file.status == .closed)
            #expect(file.counts.approved == 0 && file.counts.closed == Int64(count))
            let closing = try #require(file.history.last)
            #expect(closing.to == "closed" && closing.actor == world.distributorA.tenant.actor)
            #expect(closing.reason == UsageReconciliationOperations.allRecordsClosedReason)
        }
        let records = try await world.records(first, as: world.distributorA)
        #expect(records.map(\.status) == [.closed, .closed, .closed])

        // Each close is in the distributor's audit trail, in stream order; the vendor sees none.
        let distributorID = world.distributorA.tenant.actor
        let vendorID = world.vendorA.tenant.actor
        let (seen, unseen) = try await world.environment.store.read { tx in
            (
                try tx.events(EventFilter(tenantID: distributorID, objectTypes: [.usageRecord]), limit: 100),
                try tx.events(EventFilter(tenantID: vendorID, objectTypes: [.usageRecord]), limit: 100)
            )
        }
        #expect(seen.map(\.objectID) == requests.map { "\($0.fileId)/\($0.recordId)" })
        #expect(seen.allSatisfy { $0.from == "approved" && $0.to == "closed" && $0.actor == distributorID })
        #expect(seen.first?.reason == "first")
        #expect(unseen.isEmpty)
        #expect(records.map(\.externalBillingId) == ["INV-1", "INV-3", "INV-5"])
        #expect(records.map(\.externalBillingNote) == ["first", "", ""])
    }

    @Test("a replay answers every close OK and unchanged, with the first close's id and time")
    func replayChangesNothing() async throws {
        let id = try await file(prefix: "r", count: 40)
        let requests = (1...40).map { Self.close(id, "r-\($0)", "INV-R\($0)") }
        let first = try await reconcile(requests)
        #expect(first.allSatisfy { $0.status.code == Self.OK && $0.changed })
        let fileAfterFirst = try await getFile(id)
        let recordsAfterFirst = try await world.records(id, as: world.distributorA)

        let again = try await reconcile(requests)
        #expect(again.map(\.recordId) == requests.map(\.recordId))
        #expect(again.allSatisfy { $0.status.code == Self.OK && !$0.changed })
        #expect(again.map(\.externalBillingId) == first.map(\.externalBillingId))
        #expect(again.map(\.closedAt) == first.map(\.closedAt))
        #expect(try await getFile(id) == fileAfterFirst)
        let events = try await world.environment.store.read { [distributorID = world.distributorA.tenant.actor] tx in
            try tx.events(EventFilter(tenantID: distributorID, objectTypes: [.usageRecord]), limit: 1000)
        }
        #expect(events.count == 40, "a replay records no event")
        #expect(try await world.records(id, as: world.distributorA) == recordsAfterFirst)
    }

    @Test("refusals are per close and the stream goes on; failures undo nothing")
    func refusalsPerClose() async throws {
        let accepted = try await file(prefix: "x", count: 3)
        let pending = try await file(prefix: "p", count: 1, accept: false)
        // Distributor B's file: vendor A's product under contract B.
        var create = world.createRequest(name: "B's file")
        create.contractId = world.contractB.id
        let foreign = try await world.vendor { try await $0.createUsageFile(create) }
        let requests = [
            Self.close(accepted, "x-1", "INV-X1"),
            Self.close(accepted, "x-1", "INV-OTHER"),  // the same record, another id
            Self.close(accepted, "no-such-record", "INV-X9"),
            Self.close(pending, "p-1", "INV-P1"),
            Self.close(foreign.id, "any", "INV-F1"),
            Self.close("UF-2026-01-0000-0000", "any", "INV-M1"),
            Self.close(accepted, "x-2", ""),  // no billing id
            Self.close(accepted, "x-2", "INV-X2", note: String(repeating: "n", count: 201)),
            Self.close(accepted, "x-1", "INV-X1"),  // a replay within the stream
            Self.close(accepted, "x-2", "INV-X2"),
        ]
        let results = try await reconcile(requests)
        #expect(results.map(\.recordId) == requests.map(\.recordId))
        #expect(
            results.map(\.status.code) == [
                Self.OK, Self.alreadyExists, Self.notFound, Self.failedPrecondition, Self.notFound, Self.notFound,
                Self.invalidArgument, Self.invalidArgument, Self.OK, Self.OK,
            ])
        #expect(results[1].status.message.contains("INV-X1"), "\(results[1].status.message)")
        #expect(results[2].status.message.contains("no-such-record"))
        #expect(results[3].status.message.contains("pending"))
        // Another distributor's file is refused exactly like a missing one.
        #expect(
            results[4].status.message.replacing(foreign.id, with: "ID")
                == results[5].status.message.replacing("UF-2026-01-0000-0000", with: "ID"))
        #expect(results[6].status.details.count == 1, "a field violation travels as BadRequest details")
        #expect(results[6].status.message.contains("external_billing_id"))
        #expect(results[7].status.message.contains("external_billing_note"))
        #expect([results[0].changed, results[8].changed, results[9].changed] == [true, false, true])

        let file = try await getFile(accepted)
        #expect(file.status == .accepted && file.counts.approved == 1 && file.counts.closed == 2)
        #expect(try await getFile(pending).counts.closed == 0)
    }

    @Test("the same record twice in one group, with another id the second time: OK, then ALREADY_EXISTS")
    func duplicateWithinGroup() async throws {
        let id = try await file(prefix: "d", count: 2)
        let tenant = world.distributorA.tenant
        let operations = UsageReconciliationOperations(environment: world.environment)
        let outcomes = try await operations.closeGroup(
            tenant,
            [
                .init(fileID: id, close: .init(recordID: "d-1", externalBillingID: "A")),
                .init(fileID: id, close: .init(recordID: "d-1", externalBillingID: "B")),
                .init(fileID: id, close: .init(recordID: "d-1", externalBillingID: "A")),
                .init(fileID: id, close: .init(recordID: "d-2", externalBillingID: "C")),
            ])
        let changed = outcomes.map { (try? $0.result.get())?.changed }
        #expect(changed == [true, nil, false, true])
        if case .failure(let error) = outcomes[1].result {
            #expect(error.kind == .alreadyExists)
        } else {
            Issue.record("the conflicting close succeeded")
        }
        let file = try await getFile(id)
        #expect(file.status == .closed && file.counts.closed == 2 && file.counts.approved == 0)
        // The file's history gained exactly one entry, the close.
        #expect(file.history.filter { $0.to == "closed" }.count == 1)
    }

    @Test("a group gives the same results and stored state as the same closes one by one")
    func groupMatchesSingleCloses() async throws {
        let grouped = try await file(prefix: "g", count: 6)
        let single = try await file(prefix: "s", count: 6)
        let script: [(Int, String)] = [(1, "A"), (2, "B"), (1, "A"), (1, "Z"), (9, "Q"), (3, ""), (3, "C"), (4, "D")]
        let tenant = world.distributorA.tenant
        let operations = UsageReconciliationOperations(environment: world.environment)
        let outcomes = try await operations.closeGroup(
            tenant,
            script.map { n, billing in
                .init(fileID: grouped, close: .init(recordID: "g-\(n)", externalBillingID: billing))
            })
        var singles: [Result<UsageRecord, DomainError>] = []
        for (n, billing) in script {
            do {
                singles.append(
                    .success(
                        try await operations.closeRecord(
                            tenant, fileID: single, .init(recordID: "s-\(n)", externalBillingID: billing))))
            } catch let error as DomainError {
                singles.append(.failure(error))
            }
        }
        for (outcome, one) in zip(outcomes, singles) {
            switch (outcome.result, one) {
            case (.success(let closed), .success(let record)):
                #expect(closed.externalBillingID == record.externalBillingID)
            case (.failure(let a), .failure(let b)):
                #expect(a.kind == b.kind)
                #expect(a.message.replacing(grouped, with: "F").replacing("g-", with: "r-")
                    == b.message.replacing(single, with: "F").replacing("s-", with: "r-"))
                #expect(a.violations.map(\.field) == b.violations.map(\.field))
            default:
                Issue.record("\(outcome.recordID): grouped \(outcome.result), one by one \(one)")
            }
        }
        let a = try await getFile(grouped)
        let b = try await getFile(single)
        #expect(a.counts == b.counts && a.status == b.status)
        let recordsA = try await world.records(grouped, as: world.distributorA)
        let recordsB = try await world.records(single, as: world.distributorA)
        #expect(recordsA.map(\.status) == recordsB.map(\.status))
        #expect(recordsA.map(\.externalBillingId) == recordsB.map(\.externalBillingId))
    }

    @Test("a long stream is answered in order, in groups, and closes every record")
    func longStream() async throws {
        let ids = [try await file(prefix: "l1", count: 1500), try await file(prefix: "l2", count: 1500)]
        var requests: [Request] = []
        for n in 1...1500 {
            for (index, id) in ids.enumerated() { requests.append(Self.close(id, "l\(index + 1)-\(n)", "B\(index)-\(n)")) }
        }
        let results = try await reconcile(requests)
        #expect(results.count == requests.count)
        #expect(results.map(\.recordId) == requests.map(\.recordId))
        #expect(results.allSatisfy { $0.status.code == Self.OK && $0.changed })
        for id in ids {
            let file = try await getFile(id)
            #expect(file.status == .closed && file.counts.closed == 1500)
        }
    }

    @Test("an empty stream ends OK with no results")
    func emptyStream() async throws {
        #expect(try await reconcile([]).isEmpty)
    }

    @Test("API keys are refused, a distributor's too; no credential is UNAUTHENTICATED")
    func onlyServiceIdentities() async throws {
        let id = try await file(prefix: "k", count: 1)
        do {
            _ = try await reconcile([Self.close(id, "k-1", "INV")], asIdentity: false, metadata: world.distributorA.metadata)
            Issue.record("a distributor key opened the stream")
        } catch let error as RPCError {
            #expect(error.code == .permissionDenied, "\(error)")
        }
        do {
            _ = try await reconcile([Self.close(id, "k-1", "INV")], asIdentity: false)
            Issue.record("no credential opened the stream")
        } catch let error as RPCError {
            #expect(error.code == .unauthenticated, "\(error)")
        }
        let file = try await getFile(id)
        #expect(file.counts.closed == 0)
    }
}
