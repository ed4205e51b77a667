// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

/// One step of the schema: a script that takes the database from `version - 1` (or the previous
/// migration's version) to `version`.
///
/// Versions are recorded in `PRAGMA user_version`, which lives in the file header, so it changes
/// in the same transaction as the schema and needs no bookkeeping table. A migration is never
/// edited once released; a change is a new migration.
public struct SQLiteMigration: Hashable, Sendable {
    /// The schema version after this migration; at least 1, unique in a list.
    public let version: Int
    /// A short name for logs and errors, e.g. "create accounts".
    public let name: String
    /// The script, run with `execute` inside the migration's transaction; it must not hold
    /// `BEGIN`, `COMMIT` or statements that cannot run in a transaction (`VACUUM`).
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
