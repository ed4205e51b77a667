// SPDX-License-Identifier: Apache-2.0
// UsageFlow — system library shim for SQLite 3 (Debian: libsqlite3-dev).
// sqlite3_config/sqlite3_db_config are variadic and SQLITE_TRANSIENT is a cast macro; Swift sees neither.
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type csqlite_static(void) { return SQLITE_STATIC; }
static inline int csqlite_db_config_int(sqlite3 *db, int option, int value, int *result) {
    return sqlite3_db_config(db, option, value, result);
}
/// Turns off SQLite's memory statistics, whose global mutex every allocation takes; only before
/// SQLite initialises (the first open), else SQLITE_MISUSE and no change.
static inline int csqlite_config_memory_statistics(int on) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on); }

#endif
