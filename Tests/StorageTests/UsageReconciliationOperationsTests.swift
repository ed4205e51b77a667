// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// `UsageReconciliationOperations` end to end on SQLite over `World`, and the storage it uses:
/// records found by record id, closes written one by one and for a whole file.
@Suite("Usage reconciliation")
struct UsageReconciliationOperationsTests {
    typealias Files = UsageFileOperationsTests
    typealias Close = UsageReconciliationOperations.Close

    static let distributor = Tenant.distributor(id: World.distributor.id)
    static let now = Files.FixedClock().now()

    static func reconciliation(_ store: SQLiteDataStore) -> UsageReconciliationOperations {
        UsageReconciliationOperations(environment: DomainEnvironment(store: store, clock: Files.FixedClock()))
    }

    /// A file with `count` valid rows `<prefix>-1…`, submitted and accepted.
    static func acceptedFile(_ store: SQLiteDataStore, prefix: String, count: Int = 3) async throws -> UsageFile {
        let files = Files.operations(store)
        let rows = (1...count).map { Files.row($0, recordID: "\(prefix)-\($0)") }
        let file = try await Files.uploaded(files, rows)
        _ = try await files.submit(Files.vendor, id: file.id)
        return try await files.accept(distributor, id: file.id, note: "")
    }

    /// The stored file, and a check that its counts agree with its records.
    static func storedFile(_ store: SQLiteDataStore, _ id: String) async throws -> UsageFile {
        let (file, counts) = try await store.read { tx in
            (try tx.usageFile(id: id), try tx.usageRecordCounts(fileID: id))
        }
        let stored = try #require(file)
        #expect(stored.counts == counts, "the file's counts disagree with its records")
        return stored
    }

    // MARK: Storage

    @Test("a record is found by its record id within its file only; a close is stored field by field")
    func storageFindsAndCloses() async throws {
        try await withWorld { store throws in
            let first = UsageFixtures.file(1, status: .accepted)
            let second = UsageFixtures.file(2, status: .accepted)
            try await store.write { tx in
                try tx.insert(first)
                try tx.insert(second)
                try tx.appendUsageRecords(
                    [UsageFixtures.record(first.id, 1, status: .approved), UsageFixtures.record(first.id, 2, status: .approved)],
                    fileID: first.id)
                // The same record id in another file of the product: storage keeps them apart.
                try tx.appendUsageRecords(
                    [UsageFixtures.record(second.id, 1, recordID: "rec-2", status: .approved)], fileID: second.id)
            }
            try await store.read { tx throws in
                #expect(try tx.usageRecord(fileID: first.id, recordID: "rec-2")?.position == 2)
                #expect(try tx.usageRecord(fileID: second.id, recordID: "rec-2")?.fileID == second.id)
                #expect(try tx.usageRecord(fileID: second.id, recordID: "rec-1") == nil)
                #expect(try tx.usageRecord(fileID: "UF-2026-01-0000-0009", recordID: "rec-1") == nil)
            }

            var record = try #require(try await store.read { try $0.usageRecord(fileID: first.id, recordID: "rec-1") })
            #expect(try record.close(externalBillingID: "INV-1", note: "n", at: World.time(500)))
            try await store.write { [record] in try $0.updateReconciliation(of: record) }
            try await store.read { [record] tx throws in
                #expect(try tx.usageRecord(fileID: first.id, position: 1) == record)
                #expect(try tx.closedUsageRecord(fileID: first.id, billedOtherThan: "INV-1") == nil)
                #expect(try tx.closedUsageRecord(fileID: first.id, billedOtherThan: "INV-2")?.recordID == "rec-1")
            }

            let closed = try await store.write { tx in
                try tx.closeApprovedUsageRecords(
                    fileID: first.id, externalBillingID: "INV-ALL", note: "all", at: World.time(600))
            }
            #expect(closed == 1, "only the file's records still approved")
            try await store.read { tx throws in
                let records = try tx.usageRecords(fileID: first.id, status: nil, page: PageRequest(size: 10)).items
                #expect(records.map(\.externalBillingID) == ["INV-1", "INV-ALL"])
                #expect(records.map(\.externalBillingNote) == ["n", "all"])
                #expect(records.map(\.closedAt) == [World.time(500), World.time(600)])
                #expect(try tx.usageRecord(fileID: second.id, position: 1)?.status == .approved)
            }

            var ghost = UsageFixtures.record(first.id, 42, status: .closed)
            ghost.externalBillingID = "X"
            await expectDomainError(.notFound) { try await store.write { [ghost] in try $0.updateReconciliation(of: ghost) } }
        }
    }

    // MARK: Operations

    @Test("closing records one by one moves the counts and closes the file with its last approved record")
    func closeOneByOne() async throws {
        try await withWorld { store throws in
            let operations = Self.reconciliation(store)
            let file = try await Self.acceptedFile(store, prefix: "a")

            let first = try await operations.closeRecord(
                Self.distributor, fileID: file.id, Close(recordID: "a-1", externalBillingID: "INV-1", note: "Jan"))
            #expect(first.status == .closed && first.externalBillingID == "INV-1" && first.externalBillingNote == "Jan")
            #expect(first.closedAt == Self.now)
            var stored = try await Self.storedFile(store, file.id)
            #expect(stored.status == .accepted)
            #expect(stored.counts == UsageFileCounts(uploaded: 3, approved: 2, closed: 1))

            // A replay changes nothing, not even the file's update time.
            let replay = try await operations.closeRecord(
                Self.distributor, fileID: file.id, Close(recordID: "a-1", externalBillingID: "INV-1"))
            #expect(replay == first)
            #expect(try await Self.storedFile(store, file.id) == stored)

            _ = try await operations.closeRecord(
                Self.distributor, fileID: file.id, Close(recordID: "a-2", externalBillingID: "INV-2"))
            _ = try await operations.closeRecord(
                Self.distributor, fileID: file.id, Close(recordID: "a-3", externalBillingID: "INV-3"))
            stored = try await Self.storedFile(store, file.id)
            #expect(stored.status == .closed)
            #expect(stored.counts == UsageFileCounts(uploaded: 3, approved: 0, closed: 3))
            #expect(
                stored.history.last
                    == StatusChange(
                        from: "accepted", to: "closed", at: Self.now, actor: World.distributor.id,
                        reason: UsageReconciliationOperations.allRecordsClosedReason))

            // Still answered once the file is closed: a replay succeeds, a conflict does not.
            _ = try await operations.closeRecord(
                Self.distributor, fileID: file.id, Close(recordID: "a-3", externalBillingID: "INV-3"))
            let conflict = await expectDomainError(.alreadyExists) {
                _ = try await operations.closeRecord(
                    Self.distributor, fileID: file.id, Close(recordID: "a-3", externalBillingID: "INV-4"))
            }
            #expect(conflict?.message == "record a-3 of usage file \(file.id) is already closed with external_billing_id INV-3")
        }
    }

    @Test("a bulk close gives every record its outcome; failures keep the successes; a repeated entry is a replay")
    func bulkOutcomes() async throws {
        try await withWorld { store throws in
            let operations = Self.reconciliation(store)
            let file = try await Self.acceptedFile(store, prefix: "b", count: 4)
            let bulk = try await operations.closeRecords(
                Self.distributor, fileID: file.id,
                [
                    Close(recordID: "b-1", externalBillingID: "X-1"),
                    Close(recordID: "b-1", externalBillingID: "X-1"),
                    Close(recordID: "b-1", externalBillingID: "X-9"),
                    Close(recordID: "missing", externalBillingID: "X-2"),
                    Close(recordID: "b-2", externalBillingID: ""),
                    Close(recordID: "b-3", externalBillingID: "X-3"),
                ])
            #expect(bulk.outcomes.map(\.recordID) == ["b-1", "b-1", "b-1", "missing", "b-2", "b-3"])
            let kinds = bulk.outcomes.map { outcome -> DomainError.Kind? in
                if case .failure(let error) = outcome.result { return error.kind }
                return nil
            }
            #expect(kinds == [nil, nil, .alreadyExists, .notFound, .invalidArgument, nil])
            if case .failure(let error) = bulk.outcomes[4].result {
                #expect(error.violations.map(\.field) == ["records[4].external_billing_id"])
            }
            #expect(bulk.file.status == .accepted)
            #expect(bulk.file.counts == UsageFileCounts(uploaded: 4, approved: 2, closed: 2))
            #expect(try await Self.storedFile(store, file.id) == bulk.file)

            let rest = try await operations.closeRecords(
                Self.distributor, fileID: file.id,
                [Close(recordID: "b-2", externalBillingID: "X-2"), Close(recordID: "b-4", externalBillingID: "X-4")])
            #expect(rest.file.status == .closed)
            #expect(try await Self.storedFile(store, file.id).status == .closed)

            await expectDomainError(.invalidArgument) {
                _ = try await operations.closeRecords(Self.distributor, fileID: file.id, [])
            }
            let tooMany = Array(
                repeating: Close(recordID: "b-1", externalBillingID: "X-1"),
                count: UsageReconciliationOperations.maximumRecordsPerCall + 1)
            await expectDomainError(.invalidArgument) {
                _ = try await operations.closeRecords(Self.distributor, fileID: file.id, tooMany)
            }
        }
    }

    @Test("closing a whole file: earlier closes keep their ids; a replay is a no-op, another id a conflict")
    func closeWholeFile() async throws {
        try await withWorld { store throws in
            let operations = Self.reconciliation(store)
            let file = try await Self.acceptedFile(store, prefix: "c")
            _ = try await operations.closeRecord(
                Self.distributor, fileID: file.id, Close(recordID: "c-2", externalBillingID: "OWN"))
            let closed = try await operations.closeFile(
                Self.distributor, id: file.id, externalBillingID: "ALL", note: "whole")
            #expect(closed.status == .closed)
            #expect(closed.counts == UsageFileCounts(uploaded: 3, approved: 0, closed: 3))
            #expect(closed.history.last?.reason == "closed with external_billing_id ALL")
            #expect(try await Self.storedFile(store, file.id) == closed)
            let records = try await Files.allRecords(Files.operations(store), Self.distributor, id: file.id)
            #expect(records.map(\.externalBillingID) == ["ALL", "OWN", "ALL"])

            #expect(try await operations.closeFile(Self.distributor, id: file.id, externalBillingID: "ALL", note: "") == closed)
            let conflict = await expectDomainError(.alreadyExists) {
                _ = try await operations.closeFile(Self.distributor, id: file.id, externalBillingID: "OTHER", note: "")
            }
            #expect(conflict?.message.contains("record c-1") == true)

            // A file closed record by record with one id answers a whole-file close with that id.
            let single = try await Self.acceptedFile(store, prefix: "d", count: 1)
            _ = try await operations.closeRecord(
                Self.distributor, fileID: single.id, Close(recordID: "d-1", externalBillingID: "D"))
            #expect(try await operations.closeFile(Self.distributor, id: single.id, externalBillingID: "D", note: "").status == .closed)
            await expectDomainError(.alreadyExists) {
                _ = try await operations.closeFile(Self.distributor, id: single.id, externalBillingID: "E", note: "")
            }
        }
    }

    @Test("only the file's distributor closes, and only records of accepted files")
    func refusals() async throws {
        try await withWorld { store throws in
            let operations = Self.reconciliation(store)
            let files = Files.operations(store)
            let close = Close(recordID: "e-1", externalBillingID: "X")
            let pending = try await Files.uploaded(files, [Files.row(1, recordID: "p-1")])
            _ = try await files.submit(Files.vendor, id: pending.id)
            let wrongState = await expectDomainError(.failedPrecondition) {
                _ = try await operations.closeRecord(
                    Self.distributor, fileID: pending.id, Close(recordID: "p-1", externalBillingID: "X"))
            }
            #expect(wrongState?.message == "usage file \(pending.id) is pending; only the records of accepted files can be closed")

            let file = try await Self.acceptedFile(store, prefix: "e")
            await expectDomainError(.permissionDenied) {
                _ = try await operations.closeRecord(Files.vendor, fileID: file.id, close)
            }
            await expectDomainError(.notFound) {
                _ = try await operations.closeRecord(.distributor(id: World.otherDistributor.id), fileID: file.id, close)
            }
            await expectDomainError(.notFound) {
                _ = try await operations.closeFile(
                    .distributor(id: World.otherDistributor.id), id: file.id, externalBillingID: "X", note: "")
            }
            await expectDomainError(.notFound) {
                _ = try await operations.closeRecord(Self.distributor, fileID: "not-a-file", close)
            }
            let invalid = await expectDomainError(.invalidArgument) {
                _ = try await operations.closeRecord(
                    Self.distributor, fileID: file.id,
                    Close(recordID: "e-1", externalBillingID: String(repeating: "b", count: 256), note: "a\u{1}"))
            }
            #expect(invalid?.violations.map(\.field) == ["external_billing_id", "external_billing_note"])
            #expect(try await Self.storedFile(store, file.id).counts.closed == 0)
        }
    }
}
