// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import Synchronization

/// Wakes the tasks waiting for new events when a write that appended events commits.
///
/// Why this and not polling: the store's one writer knows the last position each commit appended,
/// so a watcher that has read everything up to `position` can sleep here without a timer and is
/// resumed by the very commit that gives it something to read. The last committed position is
/// kept, so a commit that lands between a watcher's read and its wait is not lost: the wait
/// returns at once. Waiters are continuations under a `Mutex`, resumed outside the lock.
final class EventSignal: Sendable {
    private struct State {
        var lastPosition: Int64 = 0
        var isClosed = false
        /// Waits end with `unavailable` from now on: the server is shutting down.
        var isEnded = false
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        /// Waiters cancelled before they were registered, so registering fails at once.
        var cancelled: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// A write that appended events up to `position` has committed.
    func committed(upTo position: Int64) {
        let woken = state.withLock { state in
            state.lastPosition = max(state.lastPosition, position)
            let woken = Array(state.waiters.values)
            state.waiters.removeAll()
            return woken
        }
        for waiter in woken { waiter.resume() }
    }

    /// The store is closing: wake every waiter, and let later waits return at once, so watchers
    /// read again, learn that the store is closed and end.
    func close() {
        let woken = state.withLock { state in
            state.isClosed = true
            let woken = Array(state.waiters.values)
            state.waiters.removeAll()
            return woken
        }
        for waiter in woken { waiter.resume() }
    }

    /// Ends every wait, current and later, with `DomainError.unavailable`.
    func end() {
        let woken = state.withLock { state in
            state.isEnded = true
            let woken = Array(state.waiters.values)
            state.waiters.removeAll()
            return woken
        }
        for waiter in woken { waiter.resume(throwing: Self.ended) }
    }

    private static let ended = DomainError.unavailable(
        "the server is shutting down; watch again after the last position received")

    /// Returns when an event after `position` has committed (at once if one already has), or
    /// throws `CancellationError` when the calling task is cancelled first, and
    /// `DomainError.unavailable` once waits have been ended.
    func wait(after position: Int64) async throws {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        defer { _ = state.withLock { $0.cancelled.remove(id) } }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case ready, cancelled, ended, waiting }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelled.contains(id) { return .cancelled }
                    if state.isEnded { return .ended }
                    if state.isClosed || state.lastPosition > position { return .ready }
                    state.waiters[id] = continuation
                    return .waiting
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .ended: continuation.resume(throwing: Self.ended)
                case .waiting: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                if let waiter = state.waiters.removeValue(forKey: id) { return Optional(waiter) }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// How many tasks are waiting now.
    var waiterCount: Int { state.withLock { $0.waiters.count } }
}
