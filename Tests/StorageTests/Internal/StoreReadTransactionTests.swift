// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

@Suite("Store transaction: pages")
struct StoreReadTransactionTests {
    /// A vendor account numbered `number`, for lists of any length.
    private static func vendor(_ number: Int) -> Account {
        let digits = String(100_000 + number).suffix(6)
        return Account(
            id: "VA-\(digits.prefix(3))-\(digits.suffix(3))", role: .vendor, name: "Vendor \(number)",
            createdAt: World.time(Int64(number)))
    }

    private static func insertVendors(_ numbers: Range<Int>, into store: SQLiteDataStore) async throws {
        try await store.write { tx in for number in numbers { try tx.insert(vendor(number)) } }
    }

    @Test(
        "pages hold at most their size, in insertion order, and only the last has no next position",
        arguments: [(0, 10), (1, 10), (9, 10), (10, 10), (11, 10), (25, 10), (25, 1), (7, 1000)]
    )
    func pageSizes(count: Int, size: Int) async throws {
        try await withStore { store, _ throws in
            try await Self.insertVendors(0..<count, into: store)
            var pages: [Page<Account>] = []
            var after: Int64?
            repeat {
                let page = try await store.read { [after] in
                    try $0.accounts(role: nil, page: PageRequest(size: size, after: after))
                }
                pages.append(page)
                after = page.nextAfter
            } while after != nil && pages.count <= count + 1
            let expectedPages = max(1, (count + size - 1) / size)
            #expect(pages.count == expectedPages)
            #expect(pages.dropLast().allSatisfy { $0.items.count == size && $0.nextAfter != nil })
            #expect(pages.last?.nextAfter == nil)
            #expect(pages.flatMap(\.items) == (0..<count).map(Self.vendor))
        }
    }

    @Test("a page boundary stays put while rows are inserted and deleted between fetches: no skip, no repeat")
    func stableBoundary() async throws {
        try await withWorld { store throws in
            // Items of one product, with inserts after each page and a delete just past the boundary.
            @Sendable func item(_ number: Int) -> Item {
                var item = World.item
                let digits = String(10_000 + number).suffix(4)
                item.id = "PRD-000-000-001-\(digits)"
                item.localID = "PRD_000_000_001_\(digits)"
                item.name = "item \(number)"
                item.mpn = "mpn \(number)"
                return item
            }
            try await store.write { [item] tx in for number in 2...12 { try tx.insert(item(number)) } }
            var seen: [Item] = []
            var after: Int64?
            var pages = 0
            var next = 13
            repeat {
                let page = try await store.read { [after] tx in
                    try tx.items(productID: World.product.id, status: nil, page: PageRequest(size: 4, after: after))
                }
                seen += page.items
                after = page.nextAfter
                pages += 1
                // Rows inserted now land after every existing position.
                if pages <= 3 {
                    let added = [item(next), item(next + 1)]
                    next += 2
                    try await store.write { tx in for item in added { try tx.insert(item) } }
                }
                // A row just past the boundary disappears before the next page is read.
                if pages == 2, let last = page.items.last, let number = Int(last.id.suffix(4)) {
                    try await store.write { [item] in try $0.deleteItem(id: item(number + 1).id) }
                }
            } while after != nil && pages < 50
            let stored = try await store.read { tx in
                try readAll(size: 100) { try tx.items(productID: World.product.id, status: nil, page: $0) }.items
            }
            #expect(seen.map(\.id) == stored.map(\.id))
            #expect(Set(seen.map(\.id)).count == seen.count)
            #expect(stored.count == 1 + 11 + 6 - 1)
        }
    }

    @Test("a position past the end is an empty last page; a size below 1 reads one object")
    func edgeRequests() async throws {
        try await withStore { store, _ throws in
            try await Self.insertVendors(0..<3, into: store)
            let (past, zero, negative) = try await store.read { tx in
                (
                    try tx.accounts(role: nil, page: PageRequest(size: 10, after: Int64.max)),
                    try tx.accounts(role: nil, page: PageRequest(size: 0)),
                    try tx.accounts(role: .vendor, page: PageRequest(size: -5, after: 1))
                )
            }
            #expect(past.items.isEmpty)
            #expect(past.nextAfter == nil)
            #expect(zero.items == [Self.vendor(0)])
            #expect(zero.nextAfter == 1)
            #expect(negative.items == [Self.vendor(1)])
            #expect(negative.nextAfter == 2)
        }
    }

    @Test("positions are per list: another table's inserts leave gaps nowhere and boundaries untouched")
    func positionsPerTable() async throws {
        try await withWorld { store throws in
            let first = try await store.read { try $0.accounts(role: nil, page: PageRequest(size: 2)) }
            try await store.write { tx in
                var marketplace = World.marketplace
                marketplace.id = "MP-00009"
                try tx.insert(marketplace)
                try tx.insert(Self.vendor(77))
            }
            let rest = try await store.read { [first] in
                try $0.accounts(role: nil, page: PageRequest(size: 10, after: first.nextAfter))
            }
            #expect(
                first.items + rest.items
                    == [World.vendor, World.otherVendor, World.distributor, World.otherDistributor, Self.vendor(77)])
        }
    }
}
