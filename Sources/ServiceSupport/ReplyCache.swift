// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain
import Synchronization

/// Encoded replies of read RPCs, each kept with the store's read generation from before the call
/// read anything, and served again only while the generation has not moved.
///
/// Why it is exact: the generation moves with every commit and is taken before the handler's
/// reads, so a reply is served only while no write has become visible since it was made; a reply
/// made across a commit carries the older generation and is never served. Every commit makes every
/// kept reply stale at once, so the first newer generation seen drops them all.
///
/// Memory: at most `maxEntries` replies and `maxBytes` bytes of keys and replies together; when
/// either would be exceeded the cache starts afresh (a steady working set refills in one pass,
/// and starting afresh needs no bookkeeping per hit). A reply larger than a quarter of `maxBytes`
/// is never kept.
public final class ReplyCache: Sendable {
    /// Everything a cacheable reply depends on besides the stored data.
    public struct Key: Hashable, Sendable {
        public let tenant: Tenant
        /// The method's path, `/package.Service/Method`.
        public let method: String
        /// The request message as the client sent it.
        public let request: [UInt8]

        public init(tenant: Tenant, method: String, request: [UInt8]) {
            self.tenant = tenant
            self.method = method
            self.request = request
        }

        /// What the key is charged against `maxBytes`: its bytes plus a fixed overhead for the
        /// dictionary slot and the tenant.
        var cost: Int { request.count + method.utf8.count + 64 }
    }

    private struct State {
        var generation: UInt64 = 0
        var replies: [Key: [UInt8]] = [:]
        var bytes = 0
    }

    public let maxEntries: Int
    public let maxBytes: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maxEntries: the most replies kept at once; 0 keeps none.
    ///   - maxBytes: the most bytes of keys and replies kept at once.
    public init(maxEntries: Int = 4096, maxBytes: Int = 32 << 20) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    /// The reply kept for `key` at `generation`, if any.
    public func reply(for key: Key, at generation: UInt64) -> [UInt8]? {
        state.withLock { state in
            guard state.generation == generation else { return nil }
            return state.replies[key]
        }
    }

    /// Keeps `reply`, made from reads after the store's generation was `generation`, unless newer
    /// replies are kept.
    public func keep(_ reply: [UInt8], for key: Key, at generation: UInt64) {
        let cost = key.cost + reply.count
        guard maxEntries > 0, cost <= maxBytes / 4 else { return }
        state.withLock { state in
            if generation > state.generation {
                state.replies.removeAll(keepingCapacity: true)
                state.bytes = 0
                state.generation = generation
            }
            guard generation == state.generation else { return }
            if let old = state.replies[key] {
                state.bytes -= key.cost + old.count
                state.replies[key] = nil
            }
            if state.replies.count >= maxEntries || state.bytes + cost > maxBytes {
                state.replies.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            state.replies[key] = reply
            state.bytes += cost
        }
    }

    /// How many replies, and how many bytes of keys and replies, are kept now.
    public var usage: (entries: Int, bytes: Int) {
        state.withLock { ($0.replies.count, $0.bytes) }
    }
}
