// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import Synchronization

/// Counts the writer's commits so that caches above the database can tell whether anything
/// changed since they read a value, without asking SQLite (which would mean a hop to a storage
/// thread, the very cost a cache saves).
///
/// Why odd and even: the count is odd from just before a `COMMIT` until just after it, so a reader
/// that sees an even count knows that no commit is under way, and one that sees the same even count
/// twice knows that no commit became visible in between. A commit is visible to other connections
/// as soon as SQLite finishes it, which is before the writer can record it; bumping the count before
/// the `COMMIT` as well closes that window. Only writes made through this process's writer connection
/// are counted: another process writing the same file is invisible here.
final class CommitCounter: Sendable {
    private let count = Atomic<UInt64>(0)

    /// The count now when no commit is under way, else nil.
    var stableValue: UInt64? {
        let value = count.load(ordering: .sequentiallyConsistent)
        return value & 1 == 0 ? value : nil
    }

    /// Runs `commit` with the count odd around it; the count is even again afterwards, whether the
    /// commit succeeded or threw.
    func counting<T>(_ commit: () throws -> T) rethrows -> T {
        count.add(1, ordering: .sequentiallyConsistent)
        defer { count.add(1, ordering: .sequentiallyConsistent) }
        return try commit()
    }
}
