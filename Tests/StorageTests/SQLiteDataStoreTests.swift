// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// Keeps a transaction past its closure, which only a test that proves it is useless then does.
///
/// `@unchecked Sendable`: the box is written inside one closure and read after that closure's
/// `await` returned, so the accesses are ordered; the value inside is never used concurrently.
private final class LeakedTransaction: @unchecked Sendable {
    var reader: (any StoreReader)?
    var writer: (any StoreWriter)?
}

@Suite("SQLiteDataStore")
struct SQLiteDataStoreTests {
    @Test("a write that throws leaves nothing behind and its error comes out unchanged")
    func throwingWriteLeavesNothing() async throws {
        try await withStore { store, _ throws in
            await #expect(throws: TestFailure(reason: "changed my mind")) {
                try await store.write { tx in
                    try World.insert(into: tx)
                    guard try tx.subscription(id: World.subscription.id) == World.subscription else {
                        throw TestFailure(reason: "the write did not see its own insert")
                    }
                    throw TestFailure(reason: "changed my mind")
                }
            }
            let refusal = DomainError.wrongState("contract is terminated")
            let error = await expectDomainError(.failedPrecondition) {
                try await store.write { tx in
                    try tx.insert(World.vendor)
                    throw refusal
                }
            }
            #expect(error == refusal)
            let left = try await store.read { tx in
                (
                    try tx.accounts(role: nil, page: PageRequest()).items.count,
                    try tx.isIdentifierTaken(World.subscription.id),
                    try tx.isIdentifierTaken(World.item.id)
                )
            }
            #expect(left == (0, false, false))
            // The writer is usable afterwards: nothing was left open.
            try await store.write { try World.insert(into: $0) }
            #expect(try await store.read { try $0.account(id: World.vendor.id) } == World.vendor)
        }
    }

    @Test("a write commits what its closure wrote and returns its value")
    func writeCommits() async throws {
        try await withStore { store, _ throws in
            let id = try await store.write { tx in
                try World.insert(into: tx)
                return World.listing.id
            }
            #expect(try await store.read { try $0.listing(id: id) } == World.listing)
        }
    }

    @Test("a closure that catches a duplicate can carry on, and its other writes commit")
    func closureRecoversFromDuplicate() async throws {
        try await withWorld { store throws in
            let recovered = try await store.write { tx -> Bool in
                do {
                    try tx.insert(World.vendor)
                    return false
                } catch let error as DomainError where error.kind == .alreadyExists {
                    var account = World.vendor
                    account.id = "VA-000-003"
                    try tx.insert(account)
                    return true
                }
            }
            #expect(recovered)
            #expect(try await store.read { try $0.account(id: "VA-000-003")?.name } == World.vendor.name)
        }
    }

    @Test("a read lends a reader that is not a writer")
    func readerIsNotWriter() async throws {
        try await withWorld { store throws in
            let isWriter = try await store.read { tx in tx is any StoreWriter }
            #expect(!isWriter)
        }
    }

    @Test("a transaction kept past its closure refuses every call")
    func transactionEndsWithClosure() async throws {
        try await withWorld { store throws in
            let leaked = LeakedTransaction()
            try await store.read { tx in
                leaked.reader = tx
                _ = try tx.account(id: World.vendor.id)
            }
            try await store.write { tx in
                leaked.writer = tx
            }
            let reader = try #require(leaked.reader)
            let writer = try #require(leaked.writer)
            await expectDomainError(.internalFailure) { _ = try reader.account(id: World.vendor.id) }
            await expectDomainError(.internalFailure) { _ = try writer.isIdentifierTaken(World.vendor.id) }
            await expectDomainError(.internalFailure) { try writer.insert(World.vendor) }
        }
    }

    @Test("a closed store answers unavailable")
    func closedStore() async throws {
        try await withStore { store, _ throws in
            await store.close()
            await store.close()
            await expectDomainError(.unavailable) { _ = try await store.read { try $0.account(id: "VA-000-001") } }
            await expectDomainError(.unavailable) { try await store.write { try $0.insert(World.vendor) } }
        }
    }

    @Test("the integrity check finds nothing wrong in a well-used file")
    func integrityCheck() async throws {
        try await withWorld { store throws in
            #expect(try await store.integrityCheck() == [])
        }
    }

    /// 8 tasks each make 100 read-modify-write updates of one subscription, while readers read it.
    ///
    /// Each update reads the subscription, counts one up in its external UID, toggles its status
    /// (which appends to its history) and writes it back. A lost update would show as a count
    /// below 800 or a history shorter than 801 entries; BUSY would surface as an error.
    @Test("concurrent read-modify-write updates lose nothing and surface no error")
    func concurrentUpdates() async throws {
        try await withWorld { store throws in
            let tasks = 8
            let updates = 100
            let errors = try await withThrowingTaskGroup(of: [String].self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var errors: [String] = []
                        for update in 0..<updates {
                            do {
                                try await store.write { tx in
                                    guard var subscription = try tx.subscription(id: World.subscription.id),
                                        let count = Int(subscription.externalUID.dropFirst(4))
                                    else { throw TestFailure(reason: "the subscription is gone") }
                                    subscription.externalUID = "uid-\(count + 1)"
                                    let time = World.time(1000 + Int64(task * updates + update))
                                    if subscription.status == .active {
                                        try subscription.suspend(at: time, by: "task-\(task)", reason: "\(update)")
                                    } else {
                                        try subscription.resume(at: time, by: "task-\(task)", reason: "\(update)")
                                    }
                                    try tx.update(subscription)
                                }
                            } catch {
                                errors.append(String(describing: error))
                            }
                        }
                        return errors
                    }
                }
                group.addTask {
                    var errors: [String] = []
                    for _ in 0..<200 {
                        do {
                            let subscription = try await store.read { try $0.subscription(id: World.subscription.id) }
                            // A reader sees one commit: the count and the history agree.
                            if let subscription,
                                Int(subscription.externalUID.dropFirst(4)) != subscription.history.count
                            {
                                errors.append("torn read: \(subscription.externalUID)")
                            }
                        } catch {
                            errors.append(String(describing: error))
                        }
                    }
                    return errors
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(errors == [])
            let final = try #require(try await store.read { try $0.subscription(id: World.subscription.id) })
            #expect(final.externalUID == "uid-\(1 + tasks * updates)")
            #expect(final.history.count == 1 + tasks * updates)
            #expect(final.status == .active)
            let alternates = zip(final.history, final.history.dropFirst()).allSatisfy { $0.to == $1.from }
            #expect(alternates)
            #expect(final.parameters == World.subscription.parameters)
            #expect(try await store.integrityCheck() == [])
        }
    }
}
