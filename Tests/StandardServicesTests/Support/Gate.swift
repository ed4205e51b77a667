// SPDX-License-Identifier: Apache-2.0
// UsageFlow — test support for StandardServicesTests

import Synchronization

/// A one-way barrier: `wait()` suspends until `open()`, and returns at once after it.
///
/// Stands in for a client that has stopped reading, so a test can hold a handler inside `send`.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(open: Bool = false) {
        state = Mutex(State(isOpen: open))
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }
}
