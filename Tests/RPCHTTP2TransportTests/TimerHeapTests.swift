// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests of TimerHeap in Sources/RPCHTTP2Transport/Internal/EventLoop.swift: due timers
// come out in deadline order, and a cancelled timer is gone at once (its closure freed with it).

import Testing

@testable import RPCHTTP2Transport

/// Something a timer closure captures, so a test can see when the closure is freed.
private final class Captured {}

@Suite("Timer heap")
struct TimerHeapTests {
    @Test(arguments: [
        [5, 1, 4, 2, 3],
        [1, 1, 1, 2],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
        [],
    ])
    func dueTimersRunInDeadlineOrder(deadlines: [UInt64]) {
        var heap = TimerHeap()
        var fired: [UInt64] = []
        let box = FiredBox()
        for deadline in deadlines { heap.insert(deadline: deadline) { box.values.append(deadline) } }
        for action in heap.popDue(now: 100) { action() }
        fired = box.values
        #expect(fired == deadlines.sorted())
        #expect(heap.count == 0)
    }

    @Test func onlyTimersThatAreDueComeOut() {
        var heap = TimerHeap()
        for deadline: UInt64 in [10, 20, 30] { heap.insert(deadline: deadline) {} }
        #expect(heap.popDue(now: 19).count == 1)
        #expect(heap.millisecondsUntilNext(now: 19) == 1)
        #expect(heap.popDue(now: 30).count == 2)
        #expect(heap.millisecondsUntilNext(now: 30) == -1)
    }

    @Test(arguments: [0, 1, 3, 6])
    func cancellingRemovesTheTimerAndFreesItsClosure(cancelIndex: Int) {
        var heap = TimerHeap()
        weak var watched: Captured?
        var ids: [TimerHeap.TimerID] = []
        let box = FiredBox()
        for deadline: UInt64 in [40, 10, 70, 20, 60, 30, 50] {
            let captured = Captured()
            if ids.count == cancelIndex { watched = captured }
            ids.append(heap.insert(deadline: deadline) { _ = captured; box.values.append(deadline) })
        }
        #expect(watched != nil)
        heap.cancel(ids[cancelIndex])
        #expect(watched == nil, "the cancelled timer's closure must be freed at once")
        #expect(heap.count == 6)
        heap.cancel(ids[cancelIndex])  // twice: nothing happens
        heap.cancel(9_999)  // unknown: nothing happens
        #expect(heap.count == 6)
        for action in heap.popDue(now: 1_000) { action() }
        let expected = ([40, 10, 70, 20, 60, 30, 50] as [UInt64]).enumerated().filter { $0.offset != cancelIndex }
            .map(\.element).sorted()
        #expect(box.values == expected)
    }
}

/// Collects fired deadlines (timer closures are not Sendable and run synchronously here).
private final class FiredBox {
    var values: [UInt64] = []
}
