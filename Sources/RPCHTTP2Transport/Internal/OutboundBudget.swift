// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import Synchronization

/// The response bytes one connection may hold for a client that is not reading them, shared by the
/// connection's loop and its handler tasks.
///
/// A byte counts from the moment a handler passes it to `send` until HTTP/2 has framed it for the
/// socket (or the stream is gone). While the count is at or above the limit, a `send` queues its
/// message and then waits, and a new call waits before its handler starts. Without the second
/// rule a client could open its 100 streams with a zero window and have 100 handlers each build
/// and hold a large response; with it, what one connection pins is about the limit plus one
/// message per call already running, whatever the client does.
///
/// Only the loop releases bytes (after framing, or when a stream closes), so a byte is released
/// exactly once. Handlers only add, under their stream's lock.
final class OutboundBudget: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Bytes accepted from handlers and not yet framed.
    var heldBytes: Int { held.load(ordering: .sequentiallyConsistent) }

    /// Whether sends and new calls must wait.
    var isExhausted: Bool { heldBytes >= limit }

    /// Counts bytes a handler has just queued.
    func add(_ count: Int) {
        held.wrappingAdd(count, ordering: .sequentiallyConsistent)
    }

    /// Returns bytes that left the connection's buffers; true when this brought the count from at or
    /// above the limit to below it, so the caller must wake every waiting stream.
    @discardableResult
    func release(_ count: Int) -> Bool {
        guard count > 0 else { return false }
        let (before, after) = held.wrappingSubtract(count, ordering: .sequentiallyConsistent)
        assert(after >= 0, "outbound budget released more than was added")
        return before >= limit && after < limit
    }
}
