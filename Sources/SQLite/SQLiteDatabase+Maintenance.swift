// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

extension SQLiteDatabase {
    /// Runs SQLite's full integrity check and returns its findings: `["ok"]` for a sound file.
    ///
    /// It reads every page, so it takes time on a large file; it runs on a reader and does not
    /// hold up writes.
    public func integrityCheck() async throws -> [String] {
        try await read { connection in
            try connection.query("PRAGMA integrity_check") { try $0.text(0) }
        }
    }

    /// Copies the WAL back into the database file and truncates it.
    ///
    /// Waits up to the busy timeout for readers still on older snapshots, then does what it can;
    /// the WAL keeps growing only while such readers last, so a partial checkpoint is no error.
    ///
    /// - Returns: true when the whole WAL was copied and truncated, false when readers kept part
    ///   of it in use.
    @discardableResult
    public func checkpoint() async throws -> Bool {
        try await withWriterConnection { connection in
            try connection.checkpointTruncating()
        }
    }
}
