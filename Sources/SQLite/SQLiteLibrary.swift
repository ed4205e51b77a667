// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

/// Process-wide SQLite settings, applied once, before the first connection opens.
enum SQLiteLibrary {
    /// Whether the settings took effect (they cannot once SQLite has initialised).
    ///
    /// Memory statistics are off: with them on, every allocation SQLite makes (a row's record, a
    /// statement's registers) takes and releases a global mutex to count bytes that nothing here
    /// reads; connections are already opened without their own mutex (`SQLITE_OPEN_NOMUTEX`).
    static let configured: Bool = csqlite_config_memory_statistics(0) == SQLITE_OK
}
