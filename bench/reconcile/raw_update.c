/* SPDX-License-Identifier: Apache-2.0
 * UsageFlow — reconciliation stream benchmark: the reference. Applies the same closes to a copy of
 * the server's database taken before the stream, the way the server does at best: WAL,
 * synchronous=FULL, groups of GROUP closes per BEGIN IMMEDIATE … COMMIT, one prepared UPDATE per
 * close through the (product, record id) index, SQLITE_STATIC bindings, every input in memory.
 *
 *   raw_update DB CLOSES GROUP [events]
 *       CLOSES: lines "file_seq<TAB>product_seq<TAB>record_id<TAB>billing_id<TAB>object_id<TAB>tenant"
 *       events: also append each close's audit event as the server does (an `events` row and its
 *       `event_audience` row), so the reference does the same database work as the server
 *   prints: closes wall_s cpu_s changed
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct { long long file_seq, product_seq; char *record_id, *billing_id, *object_id, *tenant; } Close;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static void check(int rc, sqlite3 *db, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        fprintf(stderr, "raw_update: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 4 && !(argc == 5 && strcmp(argv[4], "events") == 0)) {
        fprintf(stderr, "usage: raw_update DB CLOSES GROUP [events]\n");
        return 2;
    }
    int group = atoi(argv[3]);
    int events = argc == 5;
    FILE *in = fopen(argv[2], "r");
    if (!in) { perror(argv[2]); return 1; }
    size_t capacity = 1 << 16, count = 0;
    Close *closes = malloc(capacity * sizeof(Close));
    char line[4096];
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = 0;
        char *file = strtok(line, "\t"), *product = strtok(NULL, "\t"), *record = strtok(NULL, "\t"),
             *billing = strtok(NULL, "\t"), *object = strtok(NULL, "\t"), *tenant = strtok(NULL, "\t");
        if (!tenant) continue;
        if (count == capacity) closes = realloc(closes, (capacity *= 2) * sizeof(Close));
        closes[count++] = (Close){atoll(file), atoll(product), strdup(record), strdup(billing), strdup(object),
                                  strdup(tenant)};
    }
    fclose(in);

    sqlite3 *db;
    check(sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL), db, "open");
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", 0, 0, 0),
          db, "pragmas");
    sqlite3_stmt *update;
    check(sqlite3_prepare_v3(db,
                             "UPDATE usage_records SET status = 'closed', external_billing_id = ?1, "
                             "external_billing_note = '', closed_at = ?2 WHERE product_seq = ?3 AND record_id = ?4 "
                             "AND file_seq = ?5 AND status = 'approved'",
                             -1, SQLITE_PREPARE_PERSISTENT, &update, NULL),
          db, "prepare");
    sqlite3_stmt *event = NULL, *audience = NULL;
    if (events) {
        check(sqlite3_prepare_v3(db,
                                 "INSERT INTO events (object_type, object_id, from_status, to_status, reason, actor, at) "
                                 "VALUES ('usage_record', ?1, 'approved', 'closed', '', ?2, ?3)",
                                 -1, SQLITE_PREPARE_PERSISTENT, &event, NULL),
              db, "prepare event");
        check(sqlite3_prepare_v3(db, "INSERT INTO event_audience (tenant_id, position) VALUES (?1, ?2)", -1,
                                 SQLITE_PREPARE_PERSISTENT, &audience, NULL),
              db, "prepare audience");
    }
    long long closed_at = (long long)time(NULL) * 1000000;
    long long changed = 0;
    double wall0 = now(), cpu0 = cpu();
    for (size_t start = 0; start < count; start += group) {
        size_t end = start + group < count ? start + group : count;
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0), db, "begin");
        for (size_t i = start; i < end; i++) {
            sqlite3_bind_text(update, 1, closes[i].billing_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(update, 2, closed_at);
            sqlite3_bind_int64(update, 3, closes[i].product_seq);
            sqlite3_bind_text(update, 4, closes[i].record_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(update, 5, closes[i].file_seq);
            check(sqlite3_step(update), db, "update");
            changed += sqlite3_changes(db);
            sqlite3_reset(update);
            if (events) {
                sqlite3_bind_text(event, 1, closes[i].object_id, -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 2, closes[i].tenant, -1, SQLITE_STATIC);
                sqlite3_bind_int64(event, 3, closed_at);
                check(sqlite3_step(event), db, "event");
                sqlite3_reset(event);
                sqlite3_bind_text(audience, 1, closes[i].tenant, -1, SQLITE_STATIC);
                sqlite3_bind_int64(audience, 2, sqlite3_last_insert_rowid(db));
                check(sqlite3_step(audience), db, "audience");
                sqlite3_reset(audience);
            }
        }
        check(sqlite3_exec(db, "COMMIT", 0, 0, 0), db, "commit");
    }
    double wall = now() - wall0, used = cpu() - cpu0;
    sqlite3_finalize(update);
    sqlite3_finalize(event);
    sqlite3_finalize(audience);
    sqlite3_close(db);
    printf("%zu %.3f %.2f %lld\n", count, wall, used, changed);
    return 0;
}
