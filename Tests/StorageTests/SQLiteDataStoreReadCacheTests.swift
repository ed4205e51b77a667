// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Synchronization
import Testing

@Suite("SQLiteDataStore cached reads")
struct SQLiteDataStoreReadCacheTests {
    /// Counts how often a read closure ran.
    private final class Runs: Sendable {
        private let count = Atomic(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    private static func productName(_ store: SQLiteDataStore, runs: Runs? = nil) async throws -> String? {
        try await store.read(cachedAs: "product:\(World.product.id)") { tx in
            runs?.add()
            return try tx.product(id: World.product.id)?.name
        }
    }

    private static func rename(_ store: SQLiteDataStore, to name: String) async throws {
        try await store.write { tx in
            var product = try #require(try tx.product(id: World.product.id))
            product.name = name
            try tx.update(product)
        }
    }

    @Test("a cached read runs once while nothing is written, and again after any write")
    func keptUntilWrite() async throws {
        try await withStore { store, _ throws in
            try await store.write { try World.insert(into: $0) }
            let runs = Runs()
            #expect(try await Self.productName(store, runs: runs) == World.product.name)
            #expect(try await Self.productName(store, runs: runs) == World.product.name)
            #expect(runs.value == 1)

            try await Self.rename(store, to: "Renamed")
            #expect(try await Self.productName(store, runs: runs) == "Renamed")
            #expect(runs.value == 2)

            // A write elsewhere also makes kept values stale: the store does not know what a read read.
            try await store.write { try $0.insert(Unit(name: "Seat", description: "", vendorID: World.vendor.id)) }
            #expect(try await Self.productName(store, runs: runs) == "Renamed")
            #expect(runs.value == 3)
        }
    }

    @Test("keys and result types keep values apart; errors are never kept")
    func keysTypesAndErrors() async throws {
        try await withStore { store, _ throws in
            try await store.write { try World.insert(into: $0) }
            let name = try await store.read(cachedAs: 1) { try $0.product(id: World.product.id)?.name }
            let count = try await store.read(cachedAs: 1) { try $0.items(productID: World.product.id, status: nil, page: PageRequest()).items.count }
            let other = try await store.read(cachedAs: 2) { try $0.product(id: World.otherProduct.id)?.name }
            #expect(name == World.product.name)
            #expect(count == 1)
            #expect(other == World.otherProduct.name)

            let runs = Runs()
            for _ in 0..<3 {
                await #expect(throws: DomainError.self) {
                    try await store.read(cachedAs: "refused") { _ -> Int in
                        runs.add()
                        throw DomainError.notFound("product", "PRD-999-999-999")
                    }
                }
            }
            #expect(runs.value == 3)
        }
    }

    @Test("a store made with no cache runs every read")
    func noCache() async throws {
        try await withTemporaryDirectory { directory in
            let store = try await SQLiteDataStore(path: directory.file("store.sqlite"), readers: 1, cachedReads: 0)
            try await store.write { try World.insert(into: $0) }
            let runs = Runs()
            for _ in 0..<3 { _ = try await Self.productName(store, runs: runs) }
            await store.close()
            #expect(runs.value == 3)
        }
    }

    @Test("once a write returns, every cached read sees it, while other readers keep refilling the cache")
    func neverStaleAfterWrite() async throws {
        try await withStore(readers: 3) { store, _ throws in
            try await store.write { try World.insert(into: $0) }
            let done = Runs()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        while done.value == 0 {
                            _ = try await Self.productName(store)
                            // A kept value returns without suspending: let the writing task run.
                            await Task.yield()
                        }
                    }
                }
                group.addTask {
                    defer { done.add() }
                    for round in 0..<150 {
                        try await Self.rename(store, to: "Name \(round)")
                        let seen = try await Self.productName(store)
                        guard seen == "Name \(round)" else {
                            throw TestFailure(reason: "round \(round) read \(seen ?? "nothing")")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
