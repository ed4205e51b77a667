// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests of Sources/RPCHTTP2Transport/Internal/ServerStream.swift and OutboundBudget.swift:
// when a handler's `send` waits, what wakes it, and that every byte it queued is released once.

import RPCCore
import Synchronization
import Testing

@testable import RPCHTTP2Transport

/// Counts what a stream tells its connection.
private final class CountingOwner: ServerStreamOwner {
    let outputs: Counter
    let ends = Counter()
    init(outputs: Counter) { self.outputs = outputs }
    func outputReady(_ stream: ServerStream) { outputs.increment() }
    func handlerEnded(_ stream: ServerStream) { ends.increment() }
}

/// A stream whose loop notifications are only counted.
private func makeStream(highWaterMark: Int = 100, budget: OutboundBudget, notifications: Counter = Counter())
    -> ServerStream
{
    ServerStream(streamID: 1, highWaterMark: highWaterMark, budget: budget, owner: CountingOwner(outputs: notifications))
}

/// Whether `operation` is still suspended after a short while (it must be waiting, not running).
private func isStillWaiting(_ finished: Counter) async throws -> Bool {
    try await Task.sleep(for: .milliseconds(50))
    return finished.value == 0
}

@Suite("Outbound budget")
struct OutboundBudgetTests {
    @Test(arguments: [
        // (limit, held before, released, reopens)
        (100, 150, 60, true),  // 150 → 90 crosses below the limit
        (100, 100, 1, true),  // exactly at the limit counts as spent
        (100, 150, 50, false),  // 150 → 100 is still at the limit
        (100, 90, 40, false),  // already below: nobody waits on it
        (100, 150, 0, false),  // nothing released
    ])
    func releaseReportsOnlyTheCrossingBelowTheLimit(limit: Int, held: Int, released: Int, reopens: Bool) {
        let budget = OutboundBudget(limit: limit)
        budget.add(held)
        #expect(budget.release(released) == reopens)
        #expect(budget.heldBytes == held - released)
        #expect(budget.isExhausted == (held - released >= limit))
    }

    @Test func aLimitBelowOneIsOne() {
        let budget = OutboundBudget(limit: 0)
        #expect(budget.limit == 1)
        #expect(!budget.isExhausted)
        budget.add(1)
        #expect(budget.isExhausted)
    }
}

@Suite("Server stream flow of responses")
struct ServerStreamTests {
    @Test func sendUnderTheHighWaterMarkReturnsAndCountsTheFramedSize() async throws {
        let budget = OutboundBudget(limit: 1_000)
        let notifications = Counter()
        let stream = makeStream(budget: budget, notifications: notifications)
        try await stream.send([1, 2, 3])
        #expect(stream.unframedBytes == 8)
        #expect(budget.heldBytes == 8)
        #expect(notifications.value == 1)
        var messages: [[UInt8]] = []
        let output = stream.takeOutput(into: &messages)
        #expect(messages == [[1, 2, 3]])
        #expect(output.sendHeaders == [:])
        // Taking the messages is not sending them: they still count until framed.
        #expect(stream.unframedBytes == 8)
        #expect(stream.released(8) == false)
        #expect(stream.unframedBytes == 0)
        #expect(budget.heldBytes == 0)
    }

    @Test func sendOverTheHighWaterMarkWaitsUntilFramedBytesBringItBack() async throws {
        let budget = OutboundBudget(limit: 10_000)
        let stream = makeStream(highWaterMark: 100, budget: budget)
        let finished = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await stream.send([UInt8](repeating: 0, count: 200))
                finished.increment()
            }
            #expect(try await isStillWaiting(finished))
            // Framing 100 of 205 bytes leaves 105: still over the mark.
            _ = stream.released(100)
            #expect(try await isStillWaiting(finished))
            _ = stream.released(5)
            try await group.waitForAll()
        }
        #expect(finished.value == 1)
        #expect(budget.heldBytes == 100)
    }

    @Test func aSpentBudgetHoldsBackSendsOfOtherStreamsUntilItReopens() async throws {
        let budget = OutboundBudget(limit: 300)
        let big = makeStream(highWaterMark: 10_000, budget: budget)
        let small = makeStream(highWaterMark: 10_000, budget: budget)
        try await big.send([UInt8](repeating: 0, count: 200))
        let finished = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // 205 + 105 = 310 ≥ 300: the message is queued, then the send waits.
                try await small.send([UInt8](repeating: 0, count: 100))
                finished.increment()
            }
            #expect(try await isStillWaiting(finished))
            #expect(small.unframedBytes == 105)
            // The loop frames the big stream's bytes; the budget reopens and the loop wakes everyone.
            #expect(big.released(205) == true)
            small.wakeIfRoom()
            try await group.waitForAll()
        }
        #expect(finished.value == 1)
    }

    @Test func aCallDoesNotStartWhileTheBudgetIsSpent() async throws {
        let budget = OutboundBudget(limit: 100)
        let waiting = makeStream(budget: budget)
        try await waiting.waitForBudget()  // room: returns at once
        budget.add(105)  // another stream's unsent message
        let started = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await waiting.waitForBudget()
                started.increment()
            }
            #expect(try await isStillWaiting(started))
            waiting.wakeIfRoom()  // a wake-up without room changes nothing
            #expect(try await isStillWaiting(started))
            #expect(budget.release(50) == true)
            waiting.wakeIfRoom()
            try await group.waitForAll()
        }
        #expect(started.value == 1)
    }

    @Test func cancellingFailsAWaitingSendAndAWaitingStart() async throws {
        let budget = OutboundBudget(limit: 10)
        let sender = makeStream(highWaterMark: 10, budget: budget)
        let starter = makeStream(budget: budget)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: CancellationError.self) { try await sender.send([UInt8](repeating: 0, count: 50)) }
            }
            try await Task.sleep(for: .milliseconds(20))
            group.addTask {
                await #expect(throws: CancellationError.self) { try await starter.waitForBudget() }
            }
            try await Task.sleep(for: .milliseconds(50))
            sender.cancel()
            starter.cancel()
            try await group.waitForAll()
        }
        await #expect(throws: CancellationError.self) { try await sender.send([1]) }
    }

    @Test(arguments: [false, true])
    func cancellingTheStreamCancelsTheHandlersTask(cancelBeforeItStarts: Bool) async throws {
        let stream = makeStream(budget: OutboundBudget(limit: 1_000))
        if cancelBeforeItStarts { stream.cancel() }
        let sawCancellation = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                withUnsafeCurrentTask { stream.attach($0) }
                defer { stream.handlerEnded() }
                // A handler waiting on something that is not the stream: only task cancellation
                // reaches it.
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch is CancellationError {
                    sawCancellation.increment()
                }
            }
            if !cancelBeforeItStarts {
                try await Task.sleep(for: .milliseconds(50))
                stream.cancel()
                stream.cancel()  // twice: harmless
            }
            try await group.waitForAll()
        }
        #expect(sawCancellation.value == 1)
        stream.cancel()  // after the task ended: nothing to cancel
    }

    @Test func closingReleasesWhatIsLeftExactlyOnce() async throws {
        let budget = OutboundBudget(limit: 1_000_000)
        let stream = makeStream(highWaterMark: 1_000_000, budget: budget)
        try await stream.send([UInt8](repeating: 0, count: 95))
        try await stream.send([UInt8](repeating: 0, count: 195))
        #expect(budget.heldBytes == 300)
        _ = stream.released(100)
        let released = stream.close()
        #expect(released.bytes == 200)
        #expect(budget.heldBytes == 0)
        // Late reports from the loop (bytes framed after the close) release nothing more.
        _ = stream.released(200)
        #expect(stream.close().bytes == 0)
        #expect(budget.heldBytes == 0)
        var messages: [[UInt8]] = []
        _ = stream.takeOutput(into: &messages)
        #expect(messages.isEmpty, "closing drops queued messages")
        await #expect(throws: CancellationError.self) { try await stream.send([1]) }
        #expect(budget.heldBytes == 0)
    }

    @Test func takeOutputSwapsTheQueueSoBothArraysKeepTheirCapacity() async throws {
        let stream = makeStream(highWaterMark: 1_000_000, budget: OutboundBudget(limit: 1_000_000))
        var messages: [[UInt8]] = []
        for round in 0..<3 {
            for index in 0..<50 { try await stream.send([UInt8(round), UInt8(index)]) }
            _ = stream.takeOutput(into: &messages)
            #expect(messages.count == 50)
            #expect(messages.first == [UInt8(round), 0])
            #expect(messages.last == [UInt8(round), 49])
            messages.removeAll(keepingCapacity: true)
            #expect(messages.capacity >= 50 || round == 0)
        }
    }

    @Test func trailersAndInitialMetadataAreTakenOnce() async throws {
        let stream = makeStream(budget: OutboundBudget(limit: 1_000))
        try await stream.sendInitialMetadata(["x-a": "1"])
        try await stream.sendInitialMetadata(["x-a": "2"])  // ignored: headers already requested
        stream.finish(status: Status(code: .notFound, message: "gone"), trailers: ["x-t": "t"], details: nil)
        var messages: [[UInt8]] = []
        let first = stream.takeOutput(into: &messages)
        #expect(first.sendHeaders == ["x-a": "1"])
        #expect(first.trailers?.0 == Status(code: .notFound, message: "gone"))
        let second = stream.takeOutput(into: &messages)
        #expect(second.sendHeaders == nil)
    }

    /// A reader or a writer in a child task of the handler (a pipeline reading requests while
    /// the handler sends) ends its wait when that task is cancelled, though the stream lives on:
    /// otherwise a task group could never finish while the client keeps its side open.
    @Test func cancellingTheWaitingTaskEndsAWaitForRequestsOrRoom() async throws {
        let stream = makeStream(highWaterMark: 1, budget: OutboundBudget(limit: 1_000))
        let reader = Task { try await stream.next() }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        await #expect(throws: CancellationError.self) { _ = try await reader.value }

        let writer = Task { try await stream.send([1, 2, 3]) }
        try await Task.sleep(for: .milliseconds(20))
        writer.cancel()
        await #expect(throws: CancellationError.self) { try await writer.value }

        // A task already cancelled does not start waiting at all.
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await stream.next()
        }
        await #expect(throws: CancellationError.self) { _ = try await late.value }
    }
}
