// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// The export's reads on SQLite: files in the order they were accepted (migration 6's trigger),
/// records by position within them, resumable after any position, scoped and filtered in SQL,
/// with what the records name looked up once per batch.
@Suite("Usage export store")
struct UsageExportStoreTests {
    static let query = UsageExportQuery(
        scope: .distributor(id: World.distributor.id), filter: RecordFilter(statuses: RecordFilter.defaultStatuses))

    static func ids(_ batch: ExportedRecordBatch) -> [String] {
        batch.records.map { "\($0.record.fileID.suffix(1))/\($0.record.recordID)" }
    }

    @Test("files come in acceptance order, so a file accepted after a cursor is read after it")
    func acceptanceOrder() async throws {
        try await withWorld { store throws in
            // File 1 is stored first but accepted last; file 2 is stored accepted.
            var first = UsageFixtures.file(1, status: .pending)
            let second = UsageFixtures.file(2, status: .accepted)
            let preview = UsageFixtures.file(3, status: .accepted, environment: .preview)
            try await store.write { [first] tx in
                try tx.insert(first)
                try tx.insert(second)
                try tx.insert(preview)
                try tx.appendUsageRecords(UsageFixtures.records(first.id, 1...3, status: .approved), fileID: first.id)
                try tx.appendUsageRecords(UsageFixtures.records(second.id, 1...2, status: .approved), fileID: second.id)
                try tx.appendUsageRecords(
                    UsageFixtures.records(preview.id, 1...2, status: .approved), fileID: preview.id)
            }
            let before = try await store.read { tx in try tx.exportedRecords(Self.query, after: nil, limit: 10) }
            #expect(Self.ids(before) == ["2/rec-1", "2/rec-2"], "a pending file and a preview file were exported")
            let cursor = try #require(before.lastPosition)

            first.status = .accepted
            try await store.write { [first] tx in try tx.update(first) }
            let resumed = try await store.read { tx in try tx.exportedRecords(Self.query, after: cursor, limit: 10) }
            #expect(Self.ids(resumed) == ["1/rec-1", "1/rec-2", "1/rec-3"])
            let all = try await store.read { tx in try tx.exportedRecords(Self.query, after: nil, limit: 10) }
            #expect(Self.ids(all) == ["2/rec-1", "2/rec-2", "1/rec-1", "1/rec-2", "1/rec-3"])
            #expect(all.records.map(\.position) == all.records.map(\.position).sorted())

            // Batches cut at their limit continue exactly after their last record.
            var seen: [String] = []
            var after: ExportedRecord.Position?
            while true {
                let batch = try await store.read { [after] tx in try tx.exportedRecords(Self.query, after: after, limit: 2) }
                seen += Self.ids(batch)
                guard batch.hasMore, let last = batch.lastPosition else { break }
                after = last
            }
            #expect(seen == Self.ids(all))

            // Each batch names its item, subscription and parties once, and its file's facts.
            #expect(all.items.keys.sorted() == [World.item.id])
            #expect(all.subscriptions[World.subscription.id]?.parameters == World.subscription.parameters)
            #expect(all.customers.keys.sorted() == [World.subscription.tiers.customerID])
            #expect(all.files[second.id]?.currency == "EUR" && all.files[second.id]?.periodTo == UsageFixtures.january.1)
            #expect(all.records[0].record.quantity == Decimal("1.0025") && all.records[0].record.rawValues.isEmpty)
        }
    }

    @Test("statuses, ids and periods filter in SQL; another distributor's scope sees nothing")
    func filtersAndScope() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1, status: .accepted)
            try await store.write { tx in
                try tx.insert(file)
                var records = UsageFixtures.records(file.id, 1...4, status: .approved)
                records[3].status = .closed
                try tx.appendUsageRecords(records, fileID: file.id)
            }
            func ids(_ filter: RecordFilter, scope: UsageExportQuery.Scope? = nil) async throws -> [String] {
                var filter = filter
                filter.statuses = filter.effectiveStatuses
                let query = UsageExportQuery(scope: scope ?? Self.query.scope, filter: filter)
                return Self.ids(try await store.read { tx in try tx.exportedRecords(query, after: nil, limit: 10) })
            }
            #expect(try await ids(RecordFilter(statuses: [.closed])) == ["1/rec-4"])
            #expect(try await ids(RecordFilter(statuses: [.rejected])).isEmpty)
            #expect(try await ids(RecordFilter(fileID: file.id)).count == 4)
            #expect(try await ids(RecordFilter(fileID: "UF-2026-01-0000-0009")).isEmpty)
            #expect(try await ids(RecordFilter(itemID: World.item.id)).count == 4)
            #expect(try await ids(RecordFilter(subscriptionID: "AS-0000-0000-0009")).isEmpty)
            #expect(try await ids(RecordFilter(customerID: World.subscription.tiers.customerID)).count == 4)
            // Every record starts at World.time(200), on 2026-01-01.
            let day = CivilDate(year: 2026, month: 1, day: 1)!
            #expect(try await ids(RecordFilter(periodFrom: day, periodTo: day)).count == 4)
            #expect(try await ids(RecordFilter(periodFrom: CivilDate(year: 2026, month: 1, day: 2)!)).isEmpty)
            #expect(try await ids(RecordFilter(), scope: .distributor(id: "PA-000-009")).isEmpty)
        }
    }
}
