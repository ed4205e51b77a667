// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Synchronization
import Testing

/// Reconciliation files end to end on SQLite over `World`: rows applied in batches with their
/// outcomes stored, a record named twice across batches, unreadable sources and limits that apply
/// nothing, a failure part way, and the restart that marks an interrupted one failed.
@Suite("Reconciliation files")
struct ReconciliationFileOperationsTests {
    typealias Files = UsageFileOperationsTests
    typealias Closes = UsageReconciliationOperationsTests

    static let distributor = Closes.distributor

    static func entries(_ list: [(String, String)], from position: Int = 2) -> [ReconciliationEntry] {
        list.enumerated().map { offset, entry in
            ReconciliationEntry(position: position + offset, recordID: entry.0, externalBillingID: entry.1)
        }
    }

    static func reconcile(
        _ store: SQLiteDataStore, _ fileID: String, _ entries: [ReconciliationEntry], maximumRows: Int = 1_000_000
    ) async throws -> Reconciliation {
        try await Closes.reconciliation(store).reconcile(
            distributor, fileID: fileID, format: .csv, maximumRows: maximumRows
        ) { ReconciliationEntryList(entries) }
    }

    static func storedRows(_ store: SQLiteDataStore, _ id: String, failedOnly: Bool = false) async throws
        -> [ReconciliationRow]
    {
        try await store.read { tx in
            try ChannelPages.all { try tx.reconciliationRows(reconciliationID: id, failedOnly: failedOnly, page: $0) }
        }
    }

    /// The reconciliation's events as its distributor sees them, `from->to`.
    static func events(_ store: SQLiteDataStore, _ id: String) async throws -> [String] {
        try await store.read { tx in
            try tx.events(EventFilter(tenantID: World.distributor.id, objectTypes: [.reconciliation], objectID: id), limit: 10)
                .map { "\($0.from)->\($0.to)" }
        }
    }

    @Test("rows apply across batches; outcomes, counts and the file agree with the records")
    func batches() async throws {
        try await withWorld { store throws in
            let count = UsageReconciliationOperations.reconciliationBatchSize * 2 + 500
            let file = try await Closes.acceptedFile(store, prefix: "big", count: count)
            var list = (1...count).map { ("big-\($0)", "INV-\($0)") }
            // Named again two batches later: the same id is a replay, another one is refused.
            list.append(("big-1", "INV-1"))
            list.append(("big-2", "OTHER"))
            let reconciliation = try await Self.reconcile(store, file.id, Self.entries(list))
            #expect(reconciliation.status == .completedWithErrors)
            #expect(reconciliation.counts == ReconciliationCounts(rows: count + 2, closed: count, unchanged: 1, failed: 1))

            let stored = try await Closes.storedFile(store, file.id)
            #expect(stored.status == .closed && stored.counts.closed == count && stored.counts.approved == 0)
            #expect(stored.history.last?.reason == UsageReconciliationOperations.allRecordsClosedReason)
            let rows = try await Self.storedRows(store, reconciliation.id)
            #expect(rows.count == count + 2)
            #expect(rows.map(\.position) == Array(2..<(count + 4)))
            let failed = try await Self.storedRows(store, reconciliation.id, failedOnly: true)
            #expect(failed.map(\.position) == [count + 3])
            #expect(failed.first?.outcome == .invalidArgument)
            #expect(failed.first?.message.contains("row 3") == true)
            #expect(rows[count].outcome == .unchanged)
            let listed = try await store.read { tx in
                try tx.reconciliations(ReconciliationFilter(fileID: file.id), page: PageRequest())
            }
            #expect(listed.items == [reconciliation])
            #expect(try await Self.events(store, reconciliation.id) == ["->processing", "processing->completed_with_errors"])
        }
    }

    @Test("a source that cannot be read on, or has too many rows, applies nothing")
    func unreadable() async throws {
        try await withWorld { store throws in
            let file = try await Closes.acceptedFile(store, prefix: "bad", count: 3)
            let broken = try await Closes.reconciliation(store).reconcile(
                Self.distributor, fileID: file.id, format: .xlsx, maximumRows: 10
            ) { BrokenSource(after: 2) }
            #expect(broken.status == .invalid && broken.errorDetail == BrokenSource.message)
            #expect(broken.counts == .zero && broken.completedAt != nil)

            let tooMany = try await Self.reconcile(
                store, file.id, Self.entries([("bad-1", "A"), ("bad-2", "B"), ("bad-3", "C")]), maximumRows: 2)
            #expect(tooMany.status == .invalid && tooMany.errorDetail.contains("more than 2 rows"))

            let stored = try await Closes.storedFile(store, file.id)
            #expect(stored.status == .accepted && stored.counts.closed == 0)
            #expect(try await Self.storedRows(store, broken.id).isEmpty)
            #expect(try await Self.events(store, broken.id) == ["->invalid"])
        }
    }

    @Test("a failure part way keeps the batches before it and marks the reconciliation failed")
    func failurePartWay() async throws {
        try await withWorld { store throws in
            let size = UsageReconciliationOperations.reconciliationBatchSize
            let file = try await Closes.acceptedFile(store, prefix: "part", count: size + 10)
            let entries = Self.entries((1...(size + 10)).map { ("part-\($0)", "P-\($0)") })
            // Readable on the first pass, failing inside the second batch on the second.
            let passes = PassCounter()
            await #expect(throws: DomainError.self) {
                _ = try await Closes.reconciliation(store).reconcile(
                    Self.distributor, fileID: file.id, format: .csv, maximumRows: 1_000_000
                ) {
                    passes.increment() == 1
                        ? ReconciliationEntryList(entries) as any ReconciliationEntrySource
                        : FailingSource(entries, failAt: size + 5)
                }
            }
            let reconciliation = try #require(try await store.read { tx in
                try tx.reconciliations(ReconciliationFilter(fileID: file.id), page: PageRequest()).items.first
            })
            #expect(reconciliation.status == .failed)
            #expect(reconciliation.counts.rows == size && reconciliation.counts.closed == size)
            #expect(reconciliation.errorDetail.contains("after \(size) rows"))
            let stored = try await Closes.storedFile(store, file.id)
            #expect(stored.counts.closed == size && stored.counts.approved == 10 && stored.status == .accepted)
            #expect(try await Self.storedRows(store, reconciliation.id).count == size)
        }
    }

    @Test("a restart marks a processing reconciliation failed, saying how far it got")
    func recovery() async throws {
        try await withWorld { store throws in
            let file = try await Closes.acceptedFile(store, prefix: "rec", count: 2)
            let finished = try await Self.reconcile(store, file.id, Self.entries([("rec-1", "A")]))
            let stuck = Reconciliation(
                id: "RC-1111-2222-3333", distributorID: World.distributor.id, fileID: file.id, format: .xlsx,
                counts: ReconciliationCounts(rows: 7, closed: 7), actor: World.distributor.id, createdAt: Closes.now)
            try await store.write { tx in try tx.insert(stuck) }

            let recovered = try await Closes.reconciliation(store).recoverInterruptedReconciliations()
            #expect(recovered.map(\.id) == [stuck.id])
            let after = try #require(try await store.read { try $0.reconciliation(id: stuck.id) })
            #expect(after.status == .failed && after.counts == stuck.counts && after.completedAt == Closes.now)
            #expect(after.errorDetail.contains("after applying 7 rows"))
            #expect(try await store.read { try $0.reconciliation(id: finished.id) } == finished, "a finished one changed")
            #expect(try await Closes.reconciliation(store).recoverInterruptedReconciliations().isEmpty)
            #expect(try await Self.events(store, stuck.id) == ["processing->failed"])
        }
    }

    @Test("a reconciliation is stored and read back field by field; rows page by position")
    func storage() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1, status: .accepted)
            var reconciliation = Reconciliation(
                id: "RC-1234-5678-9012", distributorID: World.distributor.id, fileID: file.id, format: .xlsx,
                actor: World.distributor.id, createdAt: World.time(100))
            let rows = (0..<5).map {
                ReconciliationRow(
                    reconciliationID: reconciliation.id, position: 10 + $0, recordID: "r-\($0)", externalBillingID: "B",
                    note: "n", outcome: $0 % 2 == 0 ? .closed : .notFound, message: $0 % 2 == 0 ? "" : "missing")
            }
            try await store.write { [reconciliation] tx in
                try tx.insert(file)
                try tx.insert(reconciliation)
                try tx.appendReconciliationRows(rows)
            }
            reconciliation.counts = ReconciliationCounts(rows: 5, closed: 3, failed: 2)
            try reconciliation.complete(at: World.time(200))
            try await store.write { [reconciliation] tx in try tx.update(reconciliation) }
            try await store.read { [reconciliation] tx throws in
                #expect(try tx.reconciliation(id: reconciliation.id) == reconciliation)
                #expect(try tx.isIdentifierTaken(reconciliation.id), "a new id could repeat a reconciliation's")
                #expect(try tx.isIdentifierTaken("RC-1234-5678-9013") == false)
                let first = try tx.reconciliationRows(
                    reconciliationID: reconciliation.id, failedOnly: false, page: PageRequest(size: 2))
                #expect(first.items == Array(rows.prefix(2)) && first.nextAfter == 11)
                let next = try tx.reconciliationRows(
                    reconciliationID: reconciliation.id, failedOnly: false, page: PageRequest(size: 10, after: 11))
                #expect(next.items == Array(rows.dropFirst(2)) && next.nextAfter == nil)
                let failed = try tx.reconciliationRows(
                    reconciliationID: reconciliation.id, failedOnly: true, page: PageRequest(size: 10))
                #expect(failed.items.map(\.position) == [11, 13])
                #expect(try tx.firstReconciliationRow(reconciliationID: reconciliation.id, recordID: "r-3")?.position == 13)
                #expect(try tx.firstReconciliationRow(reconciliationID: reconciliation.id, recordID: "r-9") == nil)
                let mine = try tx.reconciliations(
                    ReconciliationFilter(distributorID: World.distributor.id, statuses: [.completedWithErrors]),
                    page: PageRequest())
                #expect(mine.items == [reconciliation])
                #expect(try tx.reconciliations(ReconciliationFilter(distributorID: "PA-000-999"), page: PageRequest()).items.isEmpty)
            }
            await #expect(throws: DomainError.self) {
                try await store.write { tx in try tx.appendReconciliationRows([rows[0]]) }
            }
        }
    }
}

extension ReconciliationFileOperationsTests {
    @Test("the schema admits every status, format and outcome the model has")
    func everyCaseStored() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1, status: .accepted)
            try await store.write { tx in try tx.insert(file) }
            for (index, status) in ReconciliationStatus.allCases.enumerated() {
                let reconciliation = Reconciliation(
                    id: "RC-1000-0000-000\(index + 1)", distributorID: World.distributor.id, fileID: file.id,
                    format: ReconciliationFormat.allCases[index % ReconciliationFormat.allCases.count], status: status,
                    actor: World.distributor.id, createdAt: World.time(100))
                let rows = ReconciliationRow.Outcome.allCases.enumerated().map { position, outcome in
                    ReconciliationRow(
                        reconciliationID: reconciliation.id, position: position, recordID: "r", externalBillingID: "B",
                        note: "", outcome: outcome)
                }
                try await store.write { tx in
                    try tx.insert(reconciliation)
                    try tx.appendReconciliationRows(rows)
                }
                try await store.read { tx throws in
                    #expect(try tx.reconciliation(id: reconciliation.id) == reconciliation)
                    let stored = try tx.reconciliationRows(
                        reconciliationID: reconciliation.id, failedOnly: false, page: PageRequest(size: 100))
                    #expect(stored.items == rows)
                }
            }
        }
    }
}

/// Pages through a list to its end.
enum ChannelPages {
    static func all<T>(_ list: (PageRequest) throws -> Page<T>) throws -> [T] {
        var items: [T] = []
        var page = try list(PageRequest(size: 7))
        items += page.items
        while let after = page.nextAfter {
            page = try list(PageRequest(size: 7, after: after))
            items += page.items
        }
        return items
    }
}

/// Rows that break off: a truncated file.
struct BrokenSource: ReconciliationEntrySource {
    static let message = "the records sheet cannot be read: the archive ends early"
    let after: Int
    var given = 0

    init(after: Int) {
        self.after = after
    }

    mutating func next() throws -> ReconciliationEntry? {
        given += 1
        guard given <= after else { throw DomainError(kind: .invalidArgument, message: Self.message) }
        return ReconciliationEntry(position: given + 1, recordID: "bad-\(given)", externalBillingID: "X")
    }
}

/// Rows that fail with a storage-like error at one position: a disk gone away part way.
struct FailingSource: ReconciliationEntrySource {
    var entries: ReconciliationEntryList
    let failAt: Int
    var given = 0

    init(_ entries: [ReconciliationEntry], failAt: Int) {
        self.entries = ReconciliationEntryList(entries)
        self.failAt = failAt
    }

    mutating func next() throws -> ReconciliationEntry? {
        given += 1
        if given == failAt { throw DomainError.internalFailure("the spool went away") }
        return try entries.next()
    }
}

/// Counts the calls of a row-source factory.
final class PassCounter: Sendable {
    private let count = Mutex(0)

    func increment() -> Int { count.withLock { $0 += 1; return $0 } }
}
