// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Synchronization

/// Values that reads returned, each kept with the database's write stamp from before its read,
/// and served again only while the stamp has not moved.
///
/// Why it is exact: the stamp counts every commit of the store's only writer and is taken before
/// the read's snapshot, so a value is served only while no write has become visible since it was
/// read. A value read across a commit is tagged with the older stamp and so is never served. Every
/// commit makes every kept value stale at once, so the cache drops them all the first time it sees
/// a newer stamp; it holds at most `capacity` values, and starts afresh when full.
final class ReadCache: Sendable {
    /// A caller's key and the type of value it was kept as, so that two reads that happen to use
    /// equal keys for different results never see each other's value.
    private struct Key: Hashable, @unchecked Sendable {
        // @unchecked Sendable: `AnyHashable` is not `Sendable`, but the only initializer wraps a
        // `Sendable` key in it.
        let type: ObjectIdentifier
        let key: AnyHashable

        init<K: Hashable & Sendable, T>(_ key: K, of type: T.Type) {
            self.type = ObjectIdentifier(type)
            self.key = AnyHashable(key)
        }
    }

    private struct State {
        var stamp: UInt64 = 0
        var values: [Key: any Sendable] = [:]
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The value kept for `key` at `stamp`, if any.
    func value<K: Hashable & Sendable, T: Sendable>(_ type: T.Type, for key: K, at stamp: UInt64) -> T? {
        let key = Key(key, of: T.self)
        return state.withLock { state in
            // Unwrapped before the cast: `nil as? T` succeeds when T is itself optional.
            guard state.stamp == stamp, let kept = state.values[key] else { return nil }
            return kept as? T
        }
    }

    /// Keeps `value`, read after the store's stamp was `stamp`, unless newer values are kept.
    func keep<K: Hashable & Sendable, T: Sendable>(_ value: T, for key: K, at stamp: UInt64) {
        guard capacity > 0 else { return }
        let key = Key(key, of: T.self)
        state.withLock { state in
            if stamp > state.stamp {
                state.values.removeAll(keepingCapacity: true)
                state.stamp = stamp
            }
            guard stamp == state.stamp else { return }
            if state.values.count >= capacity, state.values[key] == nil {
                state.values.removeAll(keepingCapacity: true)
            }
            state.values[key] = value
        }
    }

    /// How many values are kept now.
    var count: Int {
        state.withLock { $0.values.count }
    }
}
