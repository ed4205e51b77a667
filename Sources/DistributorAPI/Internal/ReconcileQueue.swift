// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Synchronization

/// A bounded first-in, first-out hand-over between one producing task and one consuming task,
/// where the consumer takes everything waiting at once (up to a limit).
///
/// Why it exists: the reconciliation stream reads closes while the previous group commits and
/// commits whatever arrived meanwhile as the next group; the bound keeps a client that sends
/// faster than the store commits from making the server buffer without end (the producer waits,
/// stops reading, and HTTP/2 flow control holds the client back).
final class ReconcileQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var head = 0
        /// The producer has no more elements.
        var finished = false
        /// Why the producer stopped, handed to the consumer once the elements before it are taken.
        var failure: (any Error)?
        /// The consumer has gone: pushes are dropped and tell the producer to stop.
        var closed = false
        var consumer: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?

        var count: Int { items.count - head }
    }

    /// How many elements may wait before `push` waits.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity >= 1, "a queue holds at least one element")
        self.capacity = capacity
    }

    /// Adds `element`, then waits while the queue is full. Returns false once the consumer has
    /// gone, so the producer stops.
    func push(_ element: Element) async -> Bool {
        let (accepted, consumer, full) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?, Bool) in
            guard !state.closed else { return (false, nil, false) }
            state.items.append(element)
            let consumer = state.consumer
            state.consumer = nil
            return (true, consumer, state.count >= capacity)
        }
        consumer?.resume()
        guard accepted else { return false }
        if full {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.count < capacity { return true }
                    state.producer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        return state.withLock { !$0.closed }
    }

    /// The producer is done: the consumer takes what is left, then gets nil (or `failure`).
    func finish(throwing failure: (any Error)? = nil) {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            if state.failure == nil { state.failure = failure }
            let consumer = state.consumer
            state.consumer = nil
            return consumer
        }
        consumer?.resume()
    }

    /// The consumer is done: a waiting producer wakes, and later pushes are refused.
    func close() {
        let producer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            state.items.removeAll()
            state.head = 0
            let producer = state.producer
            state.producer = nil
            return producer
        }
        producer?.resume()
    }

    /// Every waiting element up to `limit`, waiting for one when there is none; nil once the
    /// producer has finished and everything was taken. Throws the producer's failure after the
    /// elements that came before it.
    func take(upTo limit: Int) async throws -> [Element]? {
        while true {
            let taken = state.withLock { state -> Taken in
                if state.count > 0 {
                    let end = state.head + min(limit, state.count)
                    let batch = Array(state.items[state.head..<end])
                    state.head = end
                    if state.head == state.items.count {
                        state.items.removeAll(keepingCapacity: true)
                        state.head = 0
                    } else if state.head >= capacity {
                        state.items.removeFirst(state.head)
                        state.head = 0
                    }
                    var producer: CheckedContinuation<Void, Never>?
                    if state.count < capacity {
                        producer = state.producer
                        state.producer = nil
                    }
                    return .batch(batch, producer)
                }
                if let failure = state.failure { return .failure(failure) }
                return state.finished ? .end : .wait
            }
            switch taken {
            case .batch(let batch, let producer):
                producer?.resume()
                return batch
            case .failure(let error): throw error
            case .end: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.count > 0 || state.finished { return true }
                        state.consumer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    private enum Taken {
        case batch([Element], CheckedContinuation<Void, Never>?)
        case failure(any Error)
        case end
        case wait
    }
}
