// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

/// Reads every event `tenantID` sees, oldest first.
private func events(
    _ store: SQLiteDataStore, of tenantID: String, after position: Int64 = 0, types: [EventObjectType] = [],
    objectID: String? = nil, limit: Int = 1000
) async throws -> [Event] {
    try await store.read { tx in
        try tx.events(
            EventFilter(tenantID: tenantID, afterPosition: position, objectTypes: types, objectID: objectID),
            limit: limit)
    }
}

private func draft(_ objectID: String, to: String, audience: EventAudience) -> EventDraft {
    EventDraft(
        objectType: .usageRecord, objectID: objectID, from: "approved", to: to, reason: "INV-1", actor: "PA-000-001",
        at: World.time(500), audience: audience)
}

/// Whether a task got past a point, read from another task.
private actor Flag {
    private(set) var value = false
    func set() { value = true }
}

@Suite("Event store")
struct EventStoreTests {
    @Test("saving an object records each history entry as an event its parties see, in order")
    func historiesBecomeEvents() async throws {
        try await withWorld { store in
            let vendor = try await events(store, of: World.vendor.id)
            #expect(vendor.map(\.objectID) == [World.contract.id, World.contract.id, World.listing.id, World.listing.id])
            #expect(vendor.map(\.to) == ["pending", "active", "pending", "listed"])
            #expect(vendor[1].from == "pending" && vendor[1].actor == World.vendor.id)
            #expect(vendor[1].reason == "agreed — ✓" && vendor[1].at == World.time(23))
            #expect(vendor.map(\.objectType) == [.contract, .contract, .listing, .listing])
            #expect(zip(vendor, vendor.dropFirst()).allSatisfy { $0.position < $1.position })

            let distributor = try await events(store, of: World.distributor.id)
            #expect(distributor.map(\.objectType) == [.contract, .contract, .listing, .listing, .subscription])
            // Both resellers the subscription is billed through see it; the other parties see nothing.
            for reseller in [World.tier1.id, World.tier2.id] {
                #expect(try await events(store, of: reseller).map(\.objectID) == [World.subscription.id])
            }
            for stranger in [World.otherVendor.id, World.otherDistributor.id, "operator"] {
                #expect(try await events(store, of: stranger).isEmpty)
            }
        }
    }

    @Test("an update records only the entries it added")
    func updateRecordsNewEntries() async throws {
        try await withWorld { store in
            let before = try await store.read { try $0.lastEventPosition() }
            _ = try await store.write { tx in
                var subscription = World.subscription
                try subscription.suspend(at: World.time(70), by: World.distributor.id, reason: "overdue")
                try tx.update(subscription)
                try subscription.resume(at: World.time(71), by: World.distributor.id, reason: "paid")
                try tx.update(subscription)
            }
            let new = try await events(store, of: World.tier1.id, after: before)
            #expect(new.map { "\($0.from)>\($0.to):\($0.reason)" } == ["active>suspended:overdue", "suspended>active:paid"])
            #expect(try await events(store, of: World.distributor.id, after: before).count == 2)
            #expect(try await events(store, of: World.vendor.id, after: before).isEmpty)
        }
    }

    @Test("a production file is the distributor's from its submission on; a preview file never")
    func usageFileAudience() async throws {
        try await withWorld { store in
            let start = try await store.read { try $0.lastEventPosition() }
            for environment in [UsageEnvironment.production, .preview] {
                _ = try await store.write { tx in
                    var file = UsageFixtures.file(environment == .production ? 1 : 2, environment: environment)
                    try tx.insert(file)
                    for (to, actor) in [
                        ("uploading", World.vendor.id), ("processing", "system"), ("ready", "system"),
                        ("pending", World.vendor.id), ("rejected", World.distributor.id),
                        ("uploading", World.vendor.id), ("processing", "system"), ("ready", "system"),
                    ] {
                        file.history.append(
                            StatusChange(from: file.status.rawValue, to: to, at: World.time(110), actor: actor))
                        file.status = UsageFileStatus(rawValue: to)!
                        try tx.update(file)
                    }
                }
            }
            let vendor = try await events(store, of: World.vendor.id, after: start)
            #expect(vendor.count == 18)
            let distributor = try await events(store, of: World.distributor.id, after: start)
            #expect(distributor.map { "\($0.from)>\($0.to)" } == ["ready>pending", "pending>rejected", "rejected>uploading"])
            #expect(Set(distributor.map(\.objectID)) == [UsageFixtures.file(1).id])
        }
    }

    @Test("filters narrow by type and object, and the limit cuts a page")
    func filters() async throws {
        try await withWorld { store in
            let start = try await store.read { try $0.lastEventPosition() }
            let appended = try await store.write { tx in
                try (1...5).map { n in
                    try tx.appendEvent(draft("UF-1/r\(n)", to: "closed", audience: EventAudience(World.distributor.id)))
                }
            }
            #expect(appended == Array((start + 1)...(start + 5)))
            let distributor = World.distributor.id
            #expect(try await events(store, of: distributor, types: [.usageRecord]).map(\.position) == appended)
            #expect(try await events(store, of: distributor, types: [.contract, .listing]).count == 4)
            #expect(try await events(store, of: distributor, objectID: "UF-1/r3").map(\.position) == [appended[2]])
            #expect(try await events(store, of: distributor, after: appended[1], limit: 2).map(\.position) == [appended[2], appended[3]])
            #expect(try await events(store, of: World.vendor.id, types: [.usageRecord]).isEmpty)
            #expect(try await store.read { try $0.lastEventPosition() } == appended[4])
        }
    }

    @Test("an event appended in a write that fails is never recorded")
    func rolledBackEventsVanish() async throws {
        try await withWorld { store in
            let start = try await store.read { try $0.lastEventPosition() }
            await #expect(throws: TestFailure(reason: "no")) {
                _ = try await store.write { tx in
                    try tx.appendEvent(draft("UF-1/r1", to: "closed", audience: EventAudience(World.distributor.id)))
                    throw TestFailure(reason: "no")
                }
            }
            #expect(try await store.read { try $0.lastEventPosition() } == start)
            #expect(try await events(store, of: World.distributor.id, after: start).isEmpty)
            // Positions are never given out twice, even after a rollback.
            let next = try await store.write { tx in
                try tx.appendEvent(draft("UF-1/r1", to: "closed", audience: EventAudience(World.distributor.id)))
            }
            #expect(next > start)
        }
    }

    @Test("a wait returns at once when an event after the position has committed")
    func waitReturnsForCommittedEvents() async throws {
        try await withWorld { store in
            // The world's own write appended events: a wait after 0 has something to read.
            try await store.waitForEvents(after: 0)
        }
    }

    @Test("a waiting watcher is woken by the commit that appends an event, not by other writes")
    func waitWakesOnCommit() async throws {
        try await withWorld { store in
            let head = try await store.read { try $0.lastEventPosition() }
            let woken = Flag()
            let waiter = Task {
                try await store.waitForEvents(after: head)
                await woken.set()
            }
            // A write without events wakes nobody…
            _ = try await store.write { tx in try tx.insert(Unit(name: "TB", description: "", vendorID: World.vendor.id)) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await woken.value == false)
            // …one with events does.
            _ = try await store.write { tx in
                try tx.appendEvent(draft("UF-1/r1", to: "closed", audience: EventAudience(World.distributor.id)))
            }
            try await waiter.value
        }
    }

    @Test("ending the waits ends the current ones and every later one with unavailable")
    func endedWaitsThrow() async throws {
        try await withWorld { store in
            let head = try await store.read { try $0.lastEventPosition() }
            let waiter = Task { try await store.waitForEvents(after: head) }
            try await Task.sleep(for: .milliseconds(20))
            store.endEventWaits()
            let current = await expectDomainError(.unavailable) { try await waiter.value }
            #expect(current?.message.contains("shutting down") == true)
            _ = await expectDomainError(.unavailable) { try await store.waitForEvents(after: head) }
            // Reads and writes go on: only the waits end.
            _ = try await store.write { tx in
                try tx.appendEvent(draft("UF-1/r1", to: "closed", audience: EventAudience(World.distributor.id)))
            }
        }
    }

    @Test("a cancelled wait throws CancellationError")
    func waitIsCancellable() async throws {
        try await withWorld { store in
            let head = try await store.read { try $0.lastEventPosition() }
            let waiter = Task { try await store.waitForEvents(after: head) }
            try await Task.sleep(for: .milliseconds(20))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            // Cancelled before it starts waiting: the same.
            let early = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await store.waitForEvents(after: head)
            }
            await #expect(throws: CancellationError.self) { try await early.value }
        }
    }
}
