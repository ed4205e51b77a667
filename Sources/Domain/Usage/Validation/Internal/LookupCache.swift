// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A small memo of lookup answers, emptied whenever it reaches its capacity.
///
/// A usage file names the same few items and subscriptions on row after row, so remembering the
/// answers saves a store query per row; emptying instead of evicting keeps memory bounded when a
/// file names a million different ones, at the cost of asking again.
struct LookupCache<Key: Hashable, Value> {
    private var entries: [Key: Value] = [:]
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: Key) -> Value? {
        entries[key]
    }

    mutating func store(_ value: Value, for key: Key) {
        if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
        entries[key] = value
    }
}
