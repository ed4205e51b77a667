// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import Synchronization

/// The new calls of one event loop, and the task that starts their handlers.
///
/// A connection submits a call on its loop; the loop's call task (a child of `RPCServer.run` that
/// prefers the loop as its executor) takes the calls in batches and starts each handler as a child
/// task preferring the same loop. A handler therefore starts in the turn its request arrived and
/// runs there until it waits on something else, and every handler is still a structured child of
/// `run()`.
final class CallQueue: Sendable {
    private let state = Mutex<State>(State())

    private struct State {
        var calls: [HandlerJob] = []
        var waiter: UnsafeContinuation<Void, Never>?
        var finished = false
    }

    /// Queues a call; after `finish()` the call is dropped (its connection is already closed).
    func submit(_ call: HandlerJob) {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.calls.append(call)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No more calls will come: the call task ends once its handlers have.
    func finish() {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Starts the handler of every call submitted, on `loop`, until `finish()`.
    func run(on loop: EventLoop) async {
        await withDiscardingTaskGroup { group in
            var batch: [HandlerJob] = []
            while await next(into: &batch) {
                for call in batch {
                    // The child inherits this task's preference for the loop.
                    group.addTask { await call.run() }
                }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Swaps the queued calls into `batch` (waiting for some); false once finished and empty.
    private func next(into batch: inout [HandlerJob]) async -> Bool {
        while true {
            let taken = state.withLock { state -> Bool? in
                if !state.calls.isEmpty {
                    swap(&batch, &state.calls)
                    return true
                }
                return state.finished ? false : nil
            }
            if let taken { return taken }
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.calls.isEmpty || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
