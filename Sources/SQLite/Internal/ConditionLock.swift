// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import Glibc

/// State behind a pthread mutex with one condition variable, for threads that sleep until work
/// arrives.
///
/// `Mutex` (Synchronization) has no condition variable, and a storage thread has nothing to do
/// but wait, so this pairs the two pthread primitives. They live on the heap because pthread
/// objects must not move.
final class ConditionLock<State: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `state` is only read or written while `mutex` is held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the lock held.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Waits until `ready` holds, then runs `body`, all with the lock held (released while waiting).
    func withLock<R>(when ready: (State) -> Bool, _ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&state)
    }

    /// Wakes one waiting thread.
    func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiting thread.
    func broadcast() { pthread_cond_broadcast(condition) }
}
