// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Glibc
import SQLite
import Storage
import Testing

@Suite("Usage storage")
struct UsageStoreTests {
    @Test("a file round-trips with every field and its history; updates append to the history")
    func fileRoundTrip() async throws {
        try await withWorld { store throws in
            var file = UsageFixtures.file(1, externalID: "ext-1")
            try await store.write { [file] in try $0.insert(file) }
            #expect(try await store.read { try $0.usageFile(id: "UF-2026-01-0000-0001") } == file)

            try file.beginUpload(at: World.time(110), by: World.vendor.id)
            try file.beginProcessing(at: World.time(111), by: World.vendor.id)
            try file.finishProcessing(
                counts: UsageFileCounts(uploaded: 3, valid: 2, invalid: 1), columns: ["a", "", "c:d"],
                errorDetail: "", at: World.time(112), by: World.vendor.id)
            file.externalID = nil
            try await store.write { [file] in try $0.update(file) }
            let stored = try await store.read { try $0.usageFile(id: "UF-2026-01-0000-0001") }
            #expect(stored == file)
            #expect(stored?.history.count == 4)

            let missing = UsageFixtures.file(9)
            await expectDomainError(.notFound) { try await store.write { try $0.update(missing) } }
        }
    }

    @Test("records and categories round-trip exactly, in upload order")
    func recordRoundTrip() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            let records = UsageFixtures.records(file.id, 1...5) + UsageFixtures.records(file.id, 6...7, status: .invalid)
            let categories = [
                UsageCategory(id: "cat-1", name: "Compute", description: "vCPU: hours"),
                UsageCategory(id: "cat-2", name: "", description: ""),
            ]
            try await store.write { tx in
                try tx.insert(file)
                try tx.insert(categories, fileID: file.id)
                try tx.appendUsageRecords(Array(records.reversed()), fileID: file.id)
            }
            try await store.read { tx throws in
                let page = try tx.usageRecords(fileID: file.id, status: nil, page: PageRequest(size: 100))
                #expect(page.items == records)
                #expect(page.nextAfter == nil)
                #expect(try tx.usageRecord(fileID: file.id, position: 6) == records[5])
                #expect(try tx.usageRecord(fileID: file.id, position: 99) == nil)
                #expect(try tx.usageCategories(fileID: file.id) == categories)
                #expect(try tx.usageRecordCounts(fileID: file.id) == UsageFileCounts(uploaded: 7, valid: 5, invalid: 2))
            }
        }
    }

    /// Records go in 64 per statement and the rest one by one: every count around those
    /// boundaries stores every field of every record, in order, whether its row as uploaded is
    /// text or the validator's cells (a time among them).
    @Test("records round-trip across the many-row statement's boundaries", arguments: [1, 63, 64, 65, 130, 200])
    func recordRoundTripAcrossStatementSizes(count: Int) async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            let records = (1...count).map { position in
                var record = UsageFixtures.record(file.id, position, status: position % 7 == 0 ? .invalid : .valid)
                if position % 3 == 0 {
                    record.raw = UsageRawValues(
                        cells: [.text("rec-\(position)"), .number("1.5"), .date(World.time(Int64(position))), .boolean(true)],
                        count: 6)
                }
                return record
            }
            try await store.write { tx in
                try tx.insert(file)
                // One call for most, then a second call: statements are kept for the transaction.
                try tx.appendUsageRecords(Array(records.prefix(count - count / 3)), fileID: file.id)
                try tx.appendUsageRecords(Array(records.suffix(count / 3)), fileID: file.id)
            }
            try await store.read { tx throws in
                let page = try tx.usageRecords(fileID: file.id, status: nil, page: PageRequest(size: 500))
                #expect(page.items == records)
                #expect(page.items.count == count)
                if count >= 3 {
                    #expect(page.items[2].rawValues[2] == UsageTime.format(World.time(3)))
                    #expect(page.items[2].rawValues[3] == "TRUE" && page.items[2].rawValues[5] == "")
                }
            }
        }
    }

    @Test("a record's position is unique within its file; a category id within its file")
    func recordUniqueness() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            try await store.write { tx in
                try tx.insert(file)
                try tx.appendUsageRecords([UsageFixtures.record(file.id, 1)], fileID: file.id)
            }
            await expectDomainError(.alreadyExists) {
                try await store.write { tx in
                    try tx.appendUsageRecords([UsageFixtures.record(file.id, 1)], fileID: file.id)
                }
            }
            let category = UsageCategory(id: "c", name: "", description: "")
            let error = await expectDomainError(.alreadyExists) {
                try await store.write { tx in try tx.insert([category, category], fileID: file.id) }
            }
            #expect(error?.message == "category c appears more than once in usage file \(file.id)")
            await expectDomainError(.notFound) {
                try await store.write { tx in
                    try tx.appendUsageRecords([UsageFixtures.record("UF-2026-01-9999-9999", 1)],
                        fileID: "UF-2026-01-9999-9999")
                }
            }
        }
    }

    @Test("external ids are unique per vendor, product and contract among files not deleted")
    func externalIDUniqueness() async throws {
        try await withWorld { store throws in
            try await store.write { tx in
                try tx.insert(UsageFixtures.file(1, externalID: "jan"))
                try tx.insert(UsageFixtures.file(2))
                try tx.insert(UsageFixtures.file(3))  // several files without an external id
            }
            let error = await expectDomainError(.alreadyExists) {
                try await store.write { try $0.insert(UsageFixtures.file(4, externalID: "jan")) }
            }
            #expect(error?.violations.first?.field == "external_id")
            #expect(try await store.read { try $0.usageFile(id: UsageFixtures.file(4).id) } == nil)

            let found = try await store.read { tx throws in
                try tx.usageFile(
                    vendorID: World.vendor.id, productID: World.product.id, contractID: World.contract.id,
                    externalID: "jan")
            }
            #expect(found?.id == UsageFixtures.file(1).id)

            var deleted = UsageFixtures.file(1, status: .deleted, externalID: "jan")
            deleted.history = try #require(found?.history)
            try await store.write { [deleted] in try $0.update(deleted) }
            try await store.write { try $0.insert(UsageFixtures.file(4, externalID: "jan")) }
            let after = try await store.read { tx throws in
                try tx.usageFile(
                    vendorID: World.vendor.id, productID: World.product.id, contractID: World.contract.id,
                    externalID: "jan")
            }
            #expect(after?.id == UsageFixtures.file(4).id, "a deleted file's external id is free again")
        }
    }

    @Test("files page in creation order with every filter; records page by position with a status filter")
    func paging() async throws {
        try await withWorld { store throws in
            let statuses: [UsageFileStatus] = [.draft, .ready, .pending, .accepted, .deleted, .pending, .ready]
            try await store.write { tx in
                for (index, status) in statuses.enumerated() {
                    try tx.insert(
                        UsageFixtures.file(index + 1, status: status, environment: index == 5 ? .preview : .production))
                }
                let big = UsageFixtures.file(1).id
                var records: [UsageRecord] = []
                for position in 1...250 {
                    records.append(UsageFixtures.record(big, position, status: position % 7 == 0 ? .invalid : .valid))
                }
                try tx.appendUsageRecords(records, fileID: big)
            }
            try await store.read { tx throws in
                let all = try readAll(size: 2) { try tx.usageFiles(UsageFileFilter(vendorID: World.vendor.id), page: $0) }
                #expect(all.items.map(\.name) == (1...7).map { "January \($0)" })
                #expect(all.pages == 4)
                let reviewed = try readAll(size: 1) {
                    try tx.usageFiles(
                        UsageFileFilter(
                            distributorID: World.distributor.id, statuses: [.pending, .accepted], environment: .production),
                        page: $0)
                }
                #expect(reviewed.items.map(\.name) == ["January 3", "January 4"])
                let none = try tx.usageFiles(UsageFileFilter(vendorID: World.otherVendor.id), page: PageRequest())
                #expect(none.items.isEmpty)
                let byProduct = try tx.usageFiles(
                    UsageFileFilter(productID: World.otherProduct.id), page: PageRequest())
                #expect(byProduct.items.isEmpty)

                let fileID = UsageFixtures.file(1).id
                let records = try readAll(size: 100) {
                    try tx.usageRecords(fileID: fileID, status: nil, page: $0)
                }
                #expect(records.items.map(\.position) == Array(1...250))
                #expect(records.pages == 3)
                let invalid = try readAll(size: 10) {
                    try tx.usageRecords(fileID: fileID, status: .invalid, page: $0)
                }
                #expect(invalid.items.map(\.position) == stride(from: 7, through: 245, by: 7).map { $0 })
                #expect(invalid.items.allSatisfy { $0.errors.count == 2 })
            }
        }
    }

    @Test("a record id counts against other files of the product only while they are live")
    func recordIDAcrossFiles() async throws {
        try await withWorld { store throws in
            try await store.write { tx in
                for (number, status) in [(1, UsageFileStatus.ready), (2, .draft), (3, .invalid)] {
                    let file = UsageFixtures.file(number, status: status)
                    try tx.insert(file)
                    try tx.appendUsageRecords([UsageFixtures.record(file.id, 1, recordID: "shared")], fileID: file.id)
                }
            }
            let first = UsageFixtures.file(1).id
            let second = UsageFixtures.file(2).id
            try await store.read { tx throws in
                #expect(try tx.usageFileUsing(recordID: "shared", productID: World.product.id, excludingFileID: second)
                    == first)
                #expect(try tx.usageFileUsing(recordID: "shared", productID: World.product.id, excludingFileID: first)
                    == nil, "draft and invalid files do not hold their record ids")
                #expect(try tx.usageFileUsing(recordID: "other", productID: World.product.id, excludingFileID: second)
                    == nil)
                #expect(try tx.usageFileUsing(
                    recordID: "shared", productID: World.otherProduct.id, excludingFileID: second) == nil)
            }
            for status in UsageFileStatus.allCases {
                var file = try #require(try await store.read { try $0.usageFile(id: first) })
                file.status = status
                try await store.write { [file] in try $0.update(file) }
                let holder = try await store.read { tx throws in
                    try tx.usageFileUsing(recordID: "shared", productID: World.product.id, excludingFileID: second)
                }
                #expect((holder != nil) == UsageFileStatus.holdingRecordIDs.contains(status), "\(status)")
            }
        }
    }

    @Test("moving records between statuses, removing a record set")
    func statusMovesAndRemoval() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            try await store.write { tx in
                try tx.insert(file)
                try tx.insert([UsageCategory(id: "c", name: "", description: "")], fileID: file.id)
                try tx.appendUsageRecords(
                    UsageFixtures.records(file.id, 1...4) + UsageFixtures.records(file.id, 5...5, status: .invalid),
                    fileID: file.id)
            }
            let moved = try await store.write { tx in
                try tx.updateUsageRecordStatus(fileID: file.id, from: .valid, to: .approved)
            }
            #expect(moved == 4)
            #expect(try await store.read { try $0.usageRecordCounts(fileID: file.id) }
                == UsageFileCounts(uploaded: 5, invalid: 1, approved: 4))
            try await store.write { tx in try tx.removeUsageRecords(fileID: file.id) }
            try await store.read { tx throws in
                #expect(try tx.usageRecordCounts(fileID: file.id) == .zero)
                #expect(try tx.usageCategories(fileID: file.id).isEmpty)
                #expect(try tx.usageFile(id: file.id) == file, "the file itself stays")
            }
        }
    }

    @Test("subscriptions are found by every usage criteria, only among the vendor's")
    func subscriptionLookup() async throws {
        try await withWorld { store throws in
            let vendor = World.vendor.id
            let cases: [(UsageSubscriptionCriteria, String, [String])] = [
                (.id, World.subscription.id, [World.subscription.id]),
                (.externalID, "ext-1", [World.subscription.id]),
                (.externalUID, "uid-1", [World.subscription.id]),
                (.reconciliationID, "A-17", [World.subscription.id]),
                (.parameter("zone"), "eu-west", [World.subscription.id]),
                (.parameter("account"), "A-17", [World.subscription.id]),
                (.parameter("Zone"), "eu-west", []),
                (.reconciliationID, "eu-west", []),
                (.externalID, "missing", []),
            ]
            try await store.read { tx throws in
                for (criteria, value, expected) in cases {
                    let found = try tx.subscriptions(vendorID: vendor, criteria: criteria, value: value, limit: 2)
                    #expect(found.map(\.id) == expected, "\(criteria.name) = \(value)")
                    #expect(found.allSatisfy { criteria.matches($0, value: value) })
                    let other = try tx.subscriptions(
                        vendorID: World.otherVendor.id, criteria: criteria, value: value, limit: 2)
                    #expect(other.isEmpty)
                }
                let full = try #require(try tx.subscriptions(vendorID: vendor, criteria: .id, value: World.subscription.id,
                    limit: 1).first)
                #expect(full == World.subscription, "parameters and history come along")
            }
        }
    }

    @Test("a reader during a record-set replacement sees the old set or the new one, never a mix")
    func replacementIsAtomic() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            let old = (1...300).map { UsageFixtures.record(file.id, $0, recordID: "old-\($0)") }
            try await store.write { tx in
                try tx.insert(file)
                try tx.appendUsageRecords(old, fileID: file.id)
            }
            let writing = Task {
                try await store.write { tx in
                    try tx.removeUsageRecords(fileID: file.id)
                    for batch in 0..<20 {
                        let records = (1...50).map {
                            UsageFixtures.record(file.id, batch * 50 + $0, recordID: "new-\(batch * 50 + $0)")
                        }
                        try tx.appendUsageRecords(records, fileID: file.id)
                        usleep(5_000)  // give readers time to look while the set is half replaced
                    }
                }
            }
            var snapshots: [(count: Int, prefixes: Set<Substring>)] = []
            var sawOld = 0
            repeat {
                let snapshot = try await store.read { tx throws in
                    let records = try readAll(size: 1000) { try tx.usageRecords(fileID: file.id, status: nil, page: $0) }
                    return (records.items.count, Set(records.items.map { $0.recordID.prefix(3) }))
                }
                snapshots.append(snapshot)
                if snapshot.1 == ["old"] { sawOld += 1 }
            } while snapshots.count < 1000 && !(snapshots.last.map { $0.prefixes == ["new"] } ?? false)
            try await writing.value
            let final = try await store.read { try $0.usageRecordCounts(fileID: file.id) }
            #expect(final.uploaded == 1000)
            #expect(sawOld >= 1, "some reads ran while the replacement was under way")
            for snapshot in snapshots {
                let oldSet = snapshot.count == 300 && snapshot.prefixes == ["old"]
                let newSet = snapshot.count == 1000 && snapshot.prefixes == ["new"]
                #expect(oldSet || newSet, "a reader saw \(snapshot.count) records of \(snapshot.prefixes)")
            }
        }
    }

    @Test("a failed replacement leaves the old set")
    func failedReplacementRollsBack() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            try await store.write { tx in
                try tx.insert(file)
                try tx.appendUsageRecords(UsageFixtures.records(file.id, 1...10), fileID: file.id)
            }
            await #expect(throws: TestFailure.self) {
                try await store.write { tx in
                    try tx.removeUsageRecords(fileID: file.id)
                    try tx.appendUsageRecords(UsageFixtures.records(file.id, 1...3), fileID: file.id)
                    throw TestFailure(reason: "the upload broke off")
                }
            }
            let records = try await store.read { tx throws in
                try tx.usageRecords(fileID: file.id, status: nil, page: PageRequest(size: 100))
            }
            #expect(records.items == UsageFixtures.records(file.id, 1...10))
        }
    }

    @Test("bulk insert of 100,000 records (time printed, not asserted)")
    func bulkInsert() async throws {
        try await withWorld { store throws in
            let file = UsageFixtures.file(1)
            try await store.write { try $0.insert(file) }
            let template = UsageRecord(
                fileID: file.id, position: 0, recordID: "", itemID: World.item.id,
                subscriptionID: World.subscription.id, quantity: Decimal("12.5"), amount: Decimal("3.10"), tier: 0,
                start: World.time(200), end: World.time(300),
                rawValues: ["", "PRD-000-000-001-0001", "AS-0000-0000-0001", "12.5", "3.10", "0"], status: .valid)
            let count = 100_000
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await store.write { tx in
                    var batch: [UsageRecord] = []
                    batch.reserveCapacity(512)
                    for position in 1...count {
                        var record = template
                        record.position = position
                        record.recordID = "r-\(position)"
                        batch.append(record)
                        if batch.count == 512 {
                            try tx.appendUsageRecords(batch, fileID: file.id)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    try tx.appendUsageRecords(batch, fileID: file.id)
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("usage records bulk insert: \(count) records in \(elapsed) (\(Int(Double(count) / seconds)) records/s)")
            #expect(try await store.read { try $0.usageRecordCounts(fileID: file.id) }.uploaded == count)
        }
    }
}

@Suite("Usage schema")
struct UsageSchemaTests {
    static let filteredColumns: [(table: String, column: String)] = [
        ("usage_files", "id"), ("usage_files", "vendor_id"), ("usage_files", "distributor_id"),
        ("usage_files", "product_id"), ("usage_files", "contract_id"), ("usage_files", "marketplace_id"),
        ("usage_files", "status"), ("usage_file_history", "file_id"), ("usage_categories", "file_seq"),
        ("usage_records", "file_seq"), ("usage_records", "product_seq"),
    ]

    @Test("every filtered usage column leads an index", arguments: filteredColumns)
    func filteredColumnIndexed(table: String, column: String) async throws {
        try await withStore { _, directory throws in
            let connection = try SQLiteConnection(path: directory.file("store.sqlite"), mode: .readOnly)
            let indexes = try connection.query("SELECT name FROM pragma_index_list(?)", [.text(table)]) {
                try $0.text(0)
            }
            let leading = try indexes.compactMap { index in
                try connection.queryOne("SELECT name FROM pragma_index_info(?) WHERE seqno = 0", [.text(index)]) {
                    try $0.optionalText(0)
                } ?? nil
            }
            #expect(leading.contains(column), "indexes of \(table) lead with \(leading)")
        }
    }

    @Test("the usage records table has exactly its two indexes, so bulk inserts stay cheap")
    func recordIndexes() async throws {
        try await withStore { _, directory throws in
            let connection = try SQLiteConnection(path: directory.file("store.sqlite"), mode: .readOnly)
            let indexes = try connection.query("SELECT name FROM pragma_index_list('usage_records') ORDER BY name") {
                try $0.text(0)
            }
            #expect(indexes == ["usage_records_file_position", "usage_records_product_record"])
        }
    }

    static let refused: [String] = [
        "UPDATE usage_files SET status = 'submitted'",
        "UPDATE usage_files SET environment = 'test'",
        "UPDATE usage_files SET ppu_schema = 'QT'",
        "UPDATE usage_files SET period_from = '2026-1-1'",
        "UPDATE usage_files SET count_valid = -1",
        "UPDATE usage_files SET count_closed = 'three'",
        "UPDATE usage_records SET status = 'pending'",
        "UPDATE usage_records SET parameters = NULL",
    ]

    @Test("the schema refuses usage values outside the model", arguments: refused)
    func refusesValuesOutsideModel(sql: String) async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            let store = try await SQLiteDataStore(path: path)
            try await store.write { tx in
                try World.insert(into: tx)
                let file = UsageFixtures.file(1)
                try tx.insert(file)
                try tx.appendUsageRecords([UsageFixtures.record(file.id, 1)], fileID: file.id)
            }
            await store.close()
            let connection = try SQLiteConnection(path: path)
            let error = #expect(throws: SQLiteError.self) { try connection.run(sql) }
            #expect(error?.isConstraint == true, "\(error.map(String.init(describing:)) ?? "")")
        }
    }

    @Test("every status, environment and schema the model has is accepted")
    func acceptsEveryCase() async throws {
        try await withWorld { store throws in
            var number = 0
            for status in UsageFileStatus.allCases {
                for environment in UsageEnvironment.allCases {
                    number += 1
                    try await store.write { [number] in
                        try $0.insert(UsageFixtures.file(number, status: status, environment: environment))
                    }
                }
            }
            var file = UsageFixtures.file(1, status: .draft)
            for schema in PPUSchema.allCases {
                file.schema = schema
                try await store.write { [file] in try $0.update(file) }
            }
            let fileID = file.id
            let records = UsageRecordStatus.allCases.enumerated().map {
                UsageFixtures.record(fileID, $0.offset + 1, status: $0.element)
            }
            try await store.write { tx in try tx.appendUsageRecords(records, fileID: fileID) }
            let stored = try await store.read { tx throws in
                try tx.usageRecords(fileID: fileID, status: nil, page: PageRequest(size: 10)).items
            }
            #expect(stored == records)
        }
    }
}
