// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// `ResellerBillingOperations` end to end on SQLite over `World`, and the mark storage it uses.
///
/// `World.subscription` is sold through both tiers (its customer buys from the tier-2 reseller),
/// subscription 2 through the tier-1 reseller alone, subscription 3 to a direct customer.
@Suite("Reseller billing")
struct ResellerBillingOperationsTests {
    typealias Mark = ResellerBillingOperations.Mark

    static let tier1 = Tenant.reseller(World.tier1.tenant)
    static let tier2 = Tenant.reseller(World.tier2.tenant)
    static let now = UsageFileOperationsTests.FixedClock().now()
    static let tier1Subscription = World.subscription(2, customer: World.tier1Customer)
    static let directSubscription = World.subscription(3, customer: World.directCustomer)

    static func operations(_ store: SQLiteDataStore) -> ResellerBillingOperations {
        ResellerBillingOperations(
            environment: DomainEnvironment(store: store, clock: UsageFileOperationsTests.FixedClock()))
    }

    /// A record of `fileID` at `position` on `subscription`, named `r<position>`.
    static func record(
        _ fileID: String, _ position: Int, subscription: Subscription = World.subscription,
        status: UsageRecordStatus = .approved
    ) -> UsageRecord {
        var record = UsageFixtures.record(fileID, position, recordID: "r\(position)", status: status)
        record.subscriptionID = subscription.id
        return record
    }

    /// An accepted file with records r1 (both tiers), r2 (tier 1 only), r3 (direct), r4 (closed,
    /// both tiers); a pending file with r1 valid; a rejected file with r1 rejected; an accepted
    /// preview file with r1. Returns the files' ids in that order.
    static func seed(_ store: SQLiteDataStore) async throws -> (
        accepted: String, pending: String, rejected: String, preview: String
    ) {
        let accepted = UsageFixtures.file(1, status: .accepted)
        let pending = UsageFixtures.file(2, status: .pending)
        let rejected = UsageFixtures.file(3, status: .rejected)
        let preview = UsageFixtures.file(4, status: .accepted, environment: .preview)
        try await store.write { tx in
            try tx.insert(tier1Subscription)
            try tx.insert(directSubscription)
            for file in [accepted, pending, rejected, preview] { try tx.insert(file) }
            var closed = record(accepted.id, 4)
            _ = try closed.close(externalBillingID: "DIST-4", note: "distributor", at: World.time(900))
            try tx.appendUsageRecords(
                [
                    record(accepted.id, 1), record(accepted.id, 2, subscription: tier1Subscription),
                    record(accepted.id, 3, subscription: directSubscription), closed,
                ],
                fileID: accepted.id)
            try tx.appendUsageRecords([record(pending.id, 1, status: .valid)], fileID: pending.id)
            try tx.appendUsageRecords([record(rejected.id, 1, status: .rejected)], fileID: rejected.id)
            try tx.appendUsageRecords([record(preview.id, 1)], fileID: preview.id)
        }
        return (accepted.id, pending.id, rejected.id, preview.id)
    }

    /// The error of one outcome, or nil when it succeeded.
    static func failure(_ outcome: ResellerBillingOperations.Outcome) -> DomainError? {
        if case .failure(let error) = outcome.result { return error }
        return nil
    }

    static func mark(_ outcome: ResellerBillingOperations.Outcome) -> ResellerBillingMark? {
        try? outcome.result.get()
    }

    // MARK: Storage

    @Test("a mark is stored per record and reseller, found by file and position; a second one is refused")
    func storage() async throws {
        try await withWorld { store throws in
            let files = try await Self.seed(store)
            let mark = ResellerBillingMark(
                resellerID: World.tier1.id, externalBillingID: "T1-1", externalBillingNote: "line\nbreak ✓",
                billedAt: World.time(700), actor: World.tier1.id)
            try await store.write { tx in try tx.insert(mark, fileID: files.accepted, position: 1) }
            try await store.read { tx throws in
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 1, resellerID: World.tier1.id) == mark)
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 1, resellerID: World.tier2.id) == nil)
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 2, resellerID: World.tier1.id) == nil)
                #expect(try tx.resellerBillingMark(fileID: files.pending, position: 1, resellerID: World.tier1.id) == nil)
            }
            await expectDomainError(.alreadyExists) {
                try await store.write { tx in try tx.insert(mark, fileID: files.accepted, position: 1) }
            }
            await expectDomainError(.notFound) {
                try await store.write { tx in try tx.insert(mark, fileID: files.accepted, position: 42) }
            }
            await expectDomainError(.notFound) {
                try await store.write { tx in try tx.insert(mark, fileID: "UF-2026-01-0000-0099", position: 1) }
            }
        }
    }

    // MARK: Operations

    @Test("tier 1 and tier 2 keep their own marks on one record; the record and the distributor's close never change")
    func separateMarksPerTier() async throws {
        try await withWorld { store throws in
            let files = try await Self.seed(store)
            let operations = Self.operations(store)
            let before = try await store.read { tx in
                (try tx.usageRecord(fileID: files.accepted, position: 1), try tx.usageRecord(fileID: files.accepted, position: 4))
            }

            let first = try await operations.markRecordsBilled(
                Self.tier1,
                [
                    Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "T1-A", note: "January"),
                    Mark(fileID: files.accepted, recordID: "r4", externalBillingID: "T1-B"),
                ])
            #expect(first.map { Self.failure($0)?.kind } == [nil, nil])
            #expect(
                Self.mark(first[0])
                    == ResellerBillingMark(
                        resellerID: World.tier1.id, externalBillingID: "T1-A", externalBillingNote: "January",
                        billedAt: Self.now, actor: World.tier1.id))
            let second = try await operations.markRecordsBilled(
                Self.tier2, [Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "T2-A")])
            #expect(Self.mark(second[0])?.externalBillingID == "T2-A")
            #expect(Self.mark(second[0])?.resellerID == World.tier2.id)

            // Each new mark is an event for its reseller alone; the replay below adds none.
            _ = try await operations.markRecordsBilled(
                Self.tier2, [Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "T2-A")])
            try await store.read { tx throws in
                let tier2Events = try tx.events(
                    EventFilter(tenantID: World.tier2.id, objectTypes: [.resellerBilling]), limit: 10)
                #expect(tier2Events.map(\.objectID) == ["\(files.accepted)/r1"])
                #expect(tier2Events.map(\.to) == ["billed"] && tier2Events.map(\.from) == [""])
                #expect(tier2Events.map(\.reason) == ["external_billing_id T2-A"])
                #expect(tier2Events.map(\.actor) == [World.tier2.id] && tier2Events.map(\.at) == [Self.now])
                let tier1Events = try tx.events(
                    EventFilter(tenantID: World.tier1.id, objectTypes: [.resellerBilling]), limit: 10)
                #expect(tier1Events.map(\.objectID) == ["\(files.accepted)/r1", "\(files.accepted)/r4"])
                #expect(try tx.events(EventFilter(tenantID: World.distributor.id, objectTypes: [.resellerBilling]), limit: 10) == [])
            }
            try await store.read { tx throws in
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 1, resellerID: World.tier1.id)?
                    .externalBillingID == "T1-A")
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 1, resellerID: World.tier2.id)?
                    .externalBillingID == "T2-A")
                #expect(try tx.usageRecord(fileID: files.accepted, position: 1) == before.0)
                #expect(try tx.usageRecord(fileID: files.accepted, position: 4) == before.1)
                #expect(try tx.usageFile(id: files.accepted)?.status == .accepted)
            }
        }
    }

    @Test("the same billing id again returns the first mark; another id is ALREADY_EXISTS naming the stored one")
    func replayAndConflict() async throws {
        try await withWorld { store throws in
            let files = try await Self.seed(store)
            let operations = Self.operations(store)
            let outcomes = try await operations.markRecordsBilled(
                Self.tier1,
                [
                    Mark(fileID: files.accepted, recordID: "r2", externalBillingID: "INV-7", note: "first"),
                    Mark(fileID: files.accepted, recordID: "r2", externalBillingID: "INV-7", note: "replayed"),
                    Mark(fileID: files.accepted, recordID: "r2", externalBillingID: "INV-8"),
                ])
            #expect(Self.mark(outcomes[1]) == Self.mark(outcomes[0]))
            #expect(Self.mark(outcomes[1])?.externalBillingNote == "first")
            let conflict = try #require(Self.failure(outcomes[2]))
            #expect(conflict.kind == .alreadyExists)
            #expect(
                conflict.message
                    == "record r2 of usage file \(files.accepted) is already marked billed with external_billing_id INV-7")

            // A later call replays alike.
            let later = try await operations.markRecordsBilled(
                Self.tier1, [Mark(fileID: files.accepted, recordID: "r2", externalBillingID: "INV-7", note: "x")])
            #expect(Self.mark(later[0]) == Self.mark(outcomes[0]))
        }
    }

    @Test("records a reseller does not sell, in files it cannot see or missing are NOT_FOUND alike; others fail on state")
    func refusals() async throws {
        try await withWorld { store throws in
            let files = try await Self.seed(store)
            let operations = Self.operations(store)
            let marks = [
                Mark(fileID: files.accepted, recordID: "r3", externalBillingID: "X"),  // a direct customer's
                Mark(fileID: files.accepted, recordID: "r2", externalBillingID: "X"),  // tier 1 only
                Mark(fileID: files.accepted, recordID: "nope", externalBillingID: "X"),
                Mark(fileID: "UF-2026-01-0000-0099", recordID: "r1", externalBillingID: "X"),
                Mark(fileID: "not-a-file", recordID: "r1", externalBillingID: "X"),
                Mark(fileID: files.preview, recordID: "r1", externalBillingID: "X"),
                Mark(fileID: files.pending, recordID: "r1", externalBillingID: "X"),
                Mark(fileID: files.rejected, recordID: "r1", externalBillingID: "X"),
                Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "X"),
            ]
            let outcomes = try await operations.markRecordsBilled(Self.tier2, marks)
            #expect(outcomes.map(\.recordID) == marks.map(\.recordID))
            #expect(outcomes.map(\.fileID) == marks.map(\.fileID))
            #expect(
                outcomes.map { Self.failure($0)?.kind }
                    == [.notFound, .notFound, .notFound, .notFound, .notFound, .notFound, .failedPrecondition,
                        .failedPrecondition, nil])
            for (mark, outcome) in zip(marks, outcomes) where Self.failure(outcome)?.kind == .notFound {
                #expect(Self.failure(outcome)?.message == "record \(mark.recordID) of usage file \(mark.fileID) not found")
            }
            #expect(
                Self.failure(outcomes[6])?.message
                    == "record r1 of usage file \(files.pending) is valid; only approved or closed records can be marked billed")

            // The tier-1 reseller sells r2 but not r3.
            let tier1 = try await operations.markRecordsBilled(
                Self.tier1,
                [
                    Mark(fileID: files.accepted, recordID: "r2", externalBillingID: "X"),
                    Mark(fileID: files.accepted, recordID: "r3", externalBillingID: "X"),
                ])
            #expect(tier1.map { Self.failure($0)?.kind } == [nil, .notFound])

            // A reseller of another distributor sees nothing, even under the same ids.
            var stranger = World.tier1.tenant
            stranger.distributorID = World.otherDistributor.id
            let foreign = try await operations.markRecordsBilled(
                .reseller(stranger), [Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "X")])
            #expect(Self.failure(foreign[0])?.kind == .notFound)
            try await store.read { tx throws in
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 1, resellerID: World.tier1.id) == nil)
            }
        }
    }

    @Test("bad ids and notes fail their own mark with field violations; the call itself needs 1–1000 marks and a reseller")
    func badInput() async throws {
        try await withWorld { store throws in
            let files = try await Self.seed(store)
            let operations = Self.operations(store)
            let outcomes = try await operations.markRecordsBilled(
                Self.tier1,
                [
                    Mark(fileID: files.accepted, recordID: "r1", externalBillingID: ""),
                    Mark(fileID: "", recordID: "", externalBillingID: "OK"),
                    Mark(
                        fileID: files.accepted, recordID: "r1", externalBillingID: String(repeating: "b", count: 256),
                        note: String(repeating: "n", count: 201)),
                    Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "tab\there"),
                    Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "GOOD", note: "two\nlines"),
                ])
            #expect(outcomes.map { Self.failure($0)?.kind } == [.invalidArgument, .invalidArgument, .invalidArgument, .invalidArgument, nil])
            #expect(Self.failure(outcomes[0])?.violations.map(\.field) == ["records[0].external_billing_id"])
            #expect(Self.failure(outcomes[1])?.violations.map(\.field) == ["records[1].file_id", "records[1].record_id"])
            #expect(
                Self.failure(outcomes[2])?.violations.map(\.field)
                    == ["records[2].external_billing_id", "records[2].external_billing_note"])
            #expect(Self.failure(outcomes[3])?.violations.map(\.field) == ["records[3].external_billing_id"])

            await expectDomainError(.invalidArgument) { _ = try await operations.markRecordsBilled(Self.tier1, []) }
            let tooMany = Array(
                repeating: Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "GOOD"),
                count: ResellerBillingOperations.maximumRecordsPerCall + 1)
            await expectDomainError(.invalidArgument) { _ = try await operations.markRecordsBilled(Self.tier1, tooMany) }
            let full = Array(tooMany.dropLast())
            let replays = try await operations.markRecordsBilled(Self.tier1, full)
            #expect(replays.count == 1000 && replays.allSatisfy { Self.failure($0) == nil })
            await expectDomainError(.permissionDenied) {
                _ = try await operations.markRecordsBilled(
                    .distributor(id: World.distributor.id),
                    [Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "GOOD")])
            }
        }
    }

    @Test("a marked record can still be closed by the distributor, and its mark stays")
    func closeAfterMark() async throws {
        try await withWorld { store throws in
            let files = try await Self.seed(store)
            _ = try await Self.operations(store).markRecordsBilled(
                Self.tier2, [Mark(fileID: files.accepted, recordID: "r1", externalBillingID: "T2")])
            let reconciliation = UsageReconciliationOperations(
                environment: DomainEnvironment(store: store, clock: UsageFileOperationsTests.FixedClock()))
            let closed = try await reconciliation.closeRecord(
                .distributor(id: World.distributor.id), fileID: files.accepted,
                UsageReconciliationOperations.Close(recordID: "r1", externalBillingID: "DIST-1"))
            #expect(closed.status == .closed && closed.externalBillingID == "DIST-1")
            try await store.read { tx throws in
                #expect(try tx.resellerBillingMark(fileID: files.accepted, position: 1, resellerID: World.tier2.id)?
                    .externalBillingID == "T2")
            }
        }
    }
}
