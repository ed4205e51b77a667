// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/StandardServices/Internal/HealthTable.swift

import Contracts
import Testing

@testable import StandardServices

@Suite("HealthTable")
struct HealthTableTests {
    typealias Status = HealthTable.ServingStatus

    /// A watcher's stream and what it has buffered; `.unbounded` so every notification is visible.
    struct Probe {
        let stream: AsyncStream<Status>
        let watcher: HealthTable.Watcher

        init() { (stream, watcher) = AsyncStream.makeStream(of: Status.self) }

        /// Everything delivered so far, once the table has finished the stream.
        func delivered() async -> [Status] {
            var all: [Status] = []
            for await status in stream { all.append(status) }
            return all
        }
    }

    @Test func onlyChangesReachWatchersAndOnlyTheirServices() async throws {
        var table = HealthTable(statuses: ["a": .serving])
        let a = Probe()
        let b = Probe()
        let added = table.addWatcher(a.watcher, for: "a")
        let idA = try #require(added)
        _ = table.addWatcher(b.watcher, for: "b")
        table.setStatus(.serving, for: "a")
        table.setStatus(.notServing, for: "a")
        table.setStatus(.notServing, for: "a")
        table.removeWatcher(idA, for: "a")
        table.setStatus(.serving, for: "a")  // after removal: not delivered
        #expect(table.watcherCount == 1)
        a.watcher.finish()
        table.shutDown()
        #expect(await a.delivered() == [.serving, .notServing])
        #expect(await b.delivered() == [.serviceUnknown])
        #expect(table.watcherCount == 0)
    }

    @Test func shutDownIsFinal() async {
        var table = HealthTable(statuses: ["": .serving, "x": .notServing])
        let before = Probe()
        _ = table.addWatcher(before.watcher, for: "")
        table.shutDown()
        #expect(table.isShutDown)
        table.setStatus(.serving, for: "")
        #expect(table.status(for: "") == .notServing)
        #expect(table.status(for: "x") == .notServing)
        #expect(table.status(for: "y") == nil)
        let after = Probe()
        #expect(table.addWatcher(after.watcher, for: "x") == nil)
        #expect(await before.delivered() == [.serving, .notServing])
        #expect(await after.delivered() == [.notServing])
    }
}
