// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import DistributorAPI
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import Synchronization
import Testing
import VendorAPI

/// A store that counts the reads passing through it, to see how far ahead of its client a stream reads.
private final class CountingStore: DataStore {
    let base: any DataStore
    private let count = Mutex(0)

    init(_ base: any DataStore) { self.base = base }

    var reads: Int { count.withLock { $0 } }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T {
        count.withLock { $0 += 1 }
        return try await base.read(body)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        try await base.write(body)
    }

    func waitForEvents(after position: Int64) async throws {
        try await base.waitForEvents(after: position)
    }

    func endEventWaits() { base.endEventWaits() }
}

/// A response sink that takes `limit` messages and then holds the sender, like a client that
/// stopped reading and a transport whose flow-control window is closed.
private final class GatedSink: ServerResponseSink {
    private struct State {
        var received: [Usageflow_V1_Event] = []
        var limit: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) { state = Mutex(State(limit: limit)) }

    var received: [Usageflow_V1_Event] { state.withLock { $0.received } }

    func sendInitialMetadata(_ metadata: Metadata) async throws {}

    func send(_ message: [UInt8]) async throws {
        let event = try Usageflow_V1_Event(serializedBytes: message)
        while true {
            let taken = state.withLock { state in
                guard state.received.count < state.limit else { return false }
                state.received.append(event)
                return true
            }
            if taken { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let open = state.withLock { state in
                    if state.received.count < state.limit { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if open { continuation.resume() }
            }
        }
    }

    /// Lets the sender through for good.
    func open() {
        let waiters = state.withLock { state in
            state.limit = .max
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `count` messages arrived, or fails after a few seconds.
    func wait(for count: Int) async throws {
        for _ in 0..<500 where received.count < count {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(received.count >= count, "the stream stopped at \(received.count) of \(count) events")
    }
}

private func appendEvents(_ count: Int, for tenantID: String, in store: any DataStore) async throws -> [Int64] {
    try await store.write { tx in
        try (0..<count).map { n in
            try tx.appendEvent(EventDraft(
                objectType: .usageRecord, objectID: "UF-1/r\(n)", from: "approved", to: "closed",
                reason: "INV-\(n)", actor: tenantID, at: Timestamp(secondsSinceEpoch: 1_800_000_000 + Int64(n)),
                audience: EventAudience(tenantID)))
        }
    }
}

@Suite("Event streaming")
struct EventStreamingTests {
    @Test("a watcher that stops reading holds the server to one batch; it then gets the backlog and live events")
    func slowWatcherIsBounded() async throws {
        let world = try await ChannelWorld()
        let store = CountingStore(world.environment.store)
        let environment = DomainEnvironment(store: store, clock: world.environment.clock)
        let distributor = world.distributorA
        let backlog = try await appendEvents(10_000, for: distributor.actor, in: store)
        let sink = GatedSink(limit: 10)
        let service = DistributorService(environment: environment)
        let context = serviceContext(Usageflow_V1_DistributorService.WatchEvents.schema, as: distributor)
        let readsBefore = store.reads
        let watch = Task {
            try await service.watchEvents(
                request: Usageflow_V1_WatchEventsRequest(), response: ResponseWriter(sink: sink), context: context)
        }
        try await sink.wait(for: 10)
        try await Task.sleep(for: .milliseconds(200))
        // 10,000 events wait, the client took 10: the server read one batch and stopped there.
        #expect(sink.received.count == 10)
        #expect(store.reads - readsBefore == 1)

        sink.open()
        try await sink.wait(for: backlog.count)
        #expect(sink.received.map(\.position) == backlog)
        let live = try await appendEvents(3, for: distributor.actor, in: store)
        try await sink.wait(for: backlog.count + 3)
        #expect(sink.received.suffix(3).map(\.position) == live)
        #expect(sink.received.last?.reason == "INV-2")

        watch.cancel()
        await #expect(throws: CancellationError.self) { try await watch.value }
    }

    @Test("other tenants' commits wake a watcher once and send it nothing")
    func foreignEventsAreNotSent() async throws {
        let world = try await ChannelWorld()
        let environment = world.environment
        let mine = try await appendEvents(2, for: world.distributorA.actor, in: environment.store)
        let sink = GatedSink(limit: .max)
        let context = serviceContext(Usageflow_V1_DistributorService.WatchEvents.schema, as: world.distributorA)
        let watch = Task {
            try await DistributorService(environment: environment).watchEvents(
                request: Usageflow_V1_WatchEventsRequest(), response: ResponseWriter(sink: sink), context: context)
        }
        try await sink.wait(for: 2)
        _ = try await appendEvents(50, for: world.distributorB.actor, in: environment.store)
        let later = try await appendEvents(1, for: world.distributorA.actor, in: environment.store)
        try await sink.wait(for: 3)
        try await Task.sleep(for: .milliseconds(50))
        #expect(sink.received.map(\.position) == mine + later)
        watch.cancel()
        await #expect(throws: CancellationError.self) { try await watch.value }
    }

    @Test("ListEvents pages a tenant's events, narrows them, and refuses bad requests field by field")
    func listEvents() async throws {
        let world = try await ChannelWorld()
        let environment = world.environment
        let vendor = world.vendorA
        let contract = try await world.contract(vendor, world.distributorA)
        let positions = try await appendEvents(150, for: vendor.actor, in: environment.store)
        let service = VendorService(environment: environment)
        let context = serviceContext(Usageflow_V1_VendorService.ListEvents.schema, as: vendor)

        var request = Usageflow_V1_ListEventsRequest()
        let first = try await service.listEvents(request: request, context: context)
        #expect(first.events.count == 100)
        #expect(first.events.prefix(2).map(\.objectId) == [contract.id, contract.id])
        #expect(first.events.prefix(2).map { "\($0.from)>\($0.to)" } == [">pending", "pending>active"])
        #expect(first.events[1].actor == vendor.actor)
        request.afterPosition = first.lastPosition
        request.pageSize = 1000
        let second = try await service.listEvents(request: request, context: context)
        #expect((first.events + second.events).suffix(150).map(\.position) == positions)
        request.afterPosition = second.lastPosition
        let done = try await service.listEvents(request: request, context: context)
        #expect(done.events.isEmpty && done.lastPosition == second.lastPosition)

        request = Usageflow_V1_ListEventsRequest()
        request.objectTypes = ["contract"]
        #expect(try await service.listEvents(request: request, context: context).events.count == 2)
        request = Usageflow_V1_ListEventsRequest()
        request.objectId = "UF-1/r7"
        #expect(try await service.listEvents(request: request, context: context).events.map(\.position) == [positions[7]])

        let stranger = serviceContext(Usageflow_V1_VendorService.ListEvents.schema, as: world.vendorB)
        #expect(try await service.listEvents(request: Usageflow_V1_ListEventsRequest(), context: stranger).events.isEmpty)

        request = Usageflow_V1_ListEventsRequest()
        request.afterPosition = -5
        request.pageSize = 1001
        request.objectTypes = ["contract", "invoice"]
        let error = await expectRPCError(.invalidArgument) { try await service.listEvents(request: request, context: context) }
        #expect(try badRequestViolations(error) == ["after_position", "object_types[1]", "page_size"])
        await expectRPCError(.unauthenticated) {
            try await service.listEvents(
                request: Usageflow_V1_ListEventsRequest(),
                context: serviceContext(Usageflow_V1_VendorService.ListEvents.schema, as: nil))
        }
    }
}
