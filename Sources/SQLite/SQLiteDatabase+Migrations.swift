// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

extension SQLiteDatabase {
    /// Brings the schema up to the newest of `migrations`, applying those newer than the
    /// database's `user_version` in version order, each in its own write transaction.
    ///
    /// A failed migration rolls back alone: the ones before it stay applied, and running
    /// `migrate` again resumes from it. Running it on an up-to-date database does nothing.
    ///
    /// - Returns: the versions applied now, in order (empty when the schema was current).
    /// - Throws: `SQLiteError` with `invalidMigrations` for a version below 1 or a repeated one;
    ///   `databaseTooNew` when the database's version is newer than every migration (a newer
    ///   program wrote it); the failing statement's error, its message prefixed with the
    ///   migration, when a script fails.
    @discardableResult
    public func migrate(_ migrations: [SQLiteMigration]) async throws -> [Int] {
        let ordered = migrations.sorted { $0.version < $1.version }
        for (index, migration) in ordered.enumerated() {
            if migration.version < 1 || (index > 0 && ordered[index - 1].version == migration.version) {
                throw SQLiteError(
                    code: .invalidMigrations,
                    resultCode: SQLITE_MISUSE,
                    message: "migration \(migration.version) (\(migration.name)): versions must be unique and at least 1"
                )
            }
        }
        let newest = ordered.last?.version ?? 0
        let current = try await write { connection in try connection.userVersion() }
        guard current <= newest else {
            throw SQLiteError(
                code: .databaseTooNew,
                resultCode: SQLITE_ERROR,
                message: "the database is at schema version \(current), newer than this program's \(newest)"
            )
        }
        var applied: [Int] = []
        for migration in ordered where migration.version > current {
            let didApply = try await write { connection -> Bool in
                // Another migrate call may have got here first.
                guard try connection.userVersion() < migration.version else { return false }
                do {
                    try connection.execute(migration.sql)
                    try connection.execute("PRAGMA user_version = \(migration.version)")
                } catch let error as SQLiteError {
                    throw SQLiteError(
                        code: error.code,
                        resultCode: error.extendedResultCode,
                        message: "migration \(migration.version) (\(migration.name)): \(error.message)"
                    )
                }
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }
}

extension SQLiteConnection {
    /// The schema version recorded in the file header (`PRAGMA user_version`).
    func userVersion() throws -> Int {
        Int(try queryOne("PRAGMA user_version") { try $0.int64(0) } ?? 0)
    }
}
