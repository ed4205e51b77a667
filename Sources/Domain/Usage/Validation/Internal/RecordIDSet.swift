// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The record ids seen so far in one upload, with the row each was first seen in.
///
/// The validator's only per-row state, so it is built for a million rows: every id's UTF-8 bytes
/// go into one growing byte arena (a 4-byte row number, a 2-byte length, the bytes), and an
/// open-addressing table of 8-byte slots points into it (32 bits of hash, which place the slot and
/// skip most byte comparisons, and 32 bits of arena offset). A million 20-byte ids take about 42 MB, against twice
/// that for a `Set<String>` of separately allocated strings. Membership is exact: a hash match is
/// always confirmed by comparing bytes, so two different ids are never reported as duplicates.
struct RecordIDSet {
    /// What `insert` found.
    enum Outcome: Equatable {
        /// The id is new; it is now in the set.
        case inserted
        /// The id was first seen in row `position`.
        case duplicate(position: Int)
        /// The id was not stored: longer than 65,535 bytes, or the arena is at its 4 GiB limit.
        /// Callers refuse such ids before they get here.
        case notStored
    }

    private var arena: [UInt8] = []
    /// 0 for an empty slot; otherwise the hash's high 32 bits and the entry's arena offset + 1.
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init() {
        slots = [UInt64](repeating: 0, count: 1024)
        mask = 1023
    }

    /// Adds `id`, first seen in row `position`, unless it is already in the set.
    mutating func insert(_ id: String, position: Int) -> Outcome {
        var id = id
        return id.withUTF8 { insert(bytes: $0, position: position) }
    }

    private mutating func insert(bytes: UnsafeBufferPointer<UInt8>, position: Int) -> Outcome {
        let tag = RecordIDSet.hash(bytes) & 0xFFFF_FFFF_0000_0000
        var index = RecordIDSet.home(tag) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { break }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let offset = Int(slot & 0xFFFF_FFFF) - 1
                if entryEquals(offset: offset, bytes) { return .duplicate(position: entryPosition(offset: offset)) }
            }
            index = (index + 1) & mask
        }
        guard bytes.count <= Int(UInt16.max), arena.count + 6 + bytes.count < Int(UInt32.max) else {
            return .notStored
        }
        let offset = arena.count
        let row = UInt32(clamping: position)
        arena.append(UInt8(truncatingIfNeeded: row))
        arena.append(UInt8(truncatingIfNeeded: row >> 8))
        arena.append(UInt8(truncatingIfNeeded: row >> 16))
        arena.append(UInt8(truncatingIfNeeded: row >> 24))
        arena.append(UInt8(truncatingIfNeeded: bytes.count))
        arena.append(UInt8(truncatingIfNeeded: bytes.count >> 8))
        arena.append(contentsOf: bytes)
        slots[index] = tag | UInt64(offset + 1)
        count += 1
        if count * 4 > slots.count * 3 { grow() }
        return .inserted
    }

    private func entryPosition(offset: Int) -> Int {
        Int(arena[offset]) | Int(arena[offset + 1]) << 8 | Int(arena[offset + 2]) << 16 | Int(arena[offset + 3]) << 24
    }

    private func entryLength(offset: Int) -> Int {
        Int(arena[offset + 4]) | Int(arena[offset + 5]) << 8
    }

    private func entryEquals(offset: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard entryLength(offset: offset) == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            let start = offset + 6
            for index in 0..<bytes.count where stored[start + index] != bytes[index] { return false }
            return true
        }
    }

    /// Doubles the table, re-placing every entry by the hash bits its slot keeps, so growing never
    /// reads the arena.
    private mutating func grow() {
        let newCount = slots.count * 2
        var newSlots = [UInt64](repeating: 0, count: newCount)
        let newMask = newCount - 1
        for slot in slots where slot != 0 {
            var index = RecordIDSet.home(slot) & newMask
            while newSlots[index] != 0 { index = (index + 1) & newMask }
            newSlots[index] = slot
        }
        slots = newSlots
        mask = newMask
    }

    /// The preferred table index of a slot or tag: its hash bits, which the table never outgrows
    /// (it would need 2^32 slots).
    private static func home(_ slotOrTag: UInt64) -> Int {
        Int(truncatingIfNeeded: slotOrTag >> 32)
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
