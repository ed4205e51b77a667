// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite
import Glibc

/// The transactions `SQLiteDatabase` wraps around every closure, and the checkpoint it runs.
extension SQLiteConnection {
    /// Whether a transaction is open (SQLite is out of autocommit mode).
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` inside `BEGIN IMMEDIATE` … `COMMIT`, rolling back when anything throws.
    ///
    /// The error `body` throws is rethrown unchanged; a failed `COMMIT` throws its `SQLiteError`.
    /// `commits`, when given, counts the `COMMIT` (see `CommitCounter` for why it brackets it).
    func withWriteTransaction<T>(
        counting commits: CommitCounter? = nil, _ body: (SQLiteConnection) throws -> T
    ) throws -> T {
        try beginImmediate()
        let value: T
        do {
            value = try body(self)
            if let commits {
                _ = try commits.counting { try run("COMMIT") }
            } else {
                try run("COMMIT")
            }
        } catch {
            rollbackIfNeeded()
            throw error
        }
        return value
    }

    /// Runs `body` inside a deferred transaction whose snapshot is taken before `body` starts, so
    /// everything it reads comes from one commit, however many writes land meanwhile.
    func withReadTransaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try run("BEGIN DEFERRED")
        let value: T
        do {
            // A deferred transaction takes its snapshot at its first read: read the header now.
            _ = try queryOne("PRAGMA schema_version") { try $0.int64(0) }
            value = try body(self)
            try run("COMMIT")
        } catch {
            rollbackIfNeeded()
            throw error
        }
        return value
    }

    /// Rolls back the open transaction, if any. SQLite may already have rolled back on its own
    /// (disk full, I/O error), so "no transaction is active" is not worth reporting; a rollback
    /// that fails otherwise leaves nothing better to do than carry on.
    func rollbackIfNeeded() {
        guard isInTransaction else { return }
        _ = try? execute("ROLLBACK")
    }

    /// `BEGIN IMMEDIATE`, retried on BUSY until the busy timeout has passed.
    ///
    /// The busy handler already waits inside each attempt, but SQLite skips it in some cases
    /// (e.g. while another connection recovers the WAL); retrying with the remaining time as the
    /// handler's timeout keeps the total wait within one busy timeout either way.
    func beginImmediate() throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: busyTimeout)
        var pause = Duration.milliseconds(1)
        var shortened = false
        defer { if shortened { setBusyTimeout(busyTimeout) } }
        while true {
            do {
                try run("BEGIN IMMEDIATE")
                return
            } catch let error as SQLiteError where error.isBusy {
                guard clock.now < deadline else { throw error }
                let nap = min(pause, clock.now.duration(to: deadline))
                usleep(UInt32(clamping: max(0, nap.wholeMilliseconds) * 1000))
                pause = min(pause * 2, .milliseconds(50))
                shortened = true
                setBusyTimeout(max(.zero, clock.now.duration(to: deadline)))
            }
        }
    }

    /// Copies the whole WAL into the database file and truncates it, waiting for readers up to the
    /// busy timeout; false when readers on older snapshots kept part of it in use.
    func checkpointTruncating() throws -> Bool {
        var walFrames: Int32 = 0
        var checkpointedFrames: Int32 = 0
        let result = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, &walFrames, &checkpointedFrames)
        if result == SQLITE_OK { return true }
        if result & 0xFF == SQLITE_BUSY { return false }
        throw SQLiteError(resultCode: result, connection: handle)
    }
}
