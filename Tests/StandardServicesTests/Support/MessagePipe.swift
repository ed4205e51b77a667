// SPDX-License-Identifier: Apache-2.0
// UsageFlow — test support for StandardServicesTests

import Synchronization

/// An in-memory queue of messages with one reader: one direction of a call.
///
/// Reads suspend until a message arrives or the writer finishes, and throw `CancellationError`
/// if the reading task is cancelled, so a failing test ends instead of hanging.
final class MessagePipe: Sendable {
    private struct State {
        var buffered: [[UInt8]] = []
        var finished = false
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private let state = Mutex(State())

    func write(_ message: [UInt8]) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            precondition(!state.finished, "write after finish")
            guard let waiter = state.waiter else {
                state.buffered.append(message)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: message)
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next message, or nil once the writer has finished and every message was read.
    func read() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<[UInt8]?, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if !state.buffered.isEmpty { return .success(state.buffered.removeFirst()) }
                    if state.finished { return .success(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
