// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usage export benchmark: the reference. Scans a distributor's approved records the
// way the server's export does — its accepted files in acceptance order, then each file's records
// by position in batches of BATCH, each batch in its own read transaction — with the very SELECTs
// the server prepares (Sources/Storage/Internal/StoreTransaction+Export.swift), reading every
// column of every row. No lookups of items or subscriptions, no encoding, no network: the floor.
//
//   raw_scan DB DISTRIBUTOR_ID [BATCH]   prints: rows wall_s cpu_s bytes
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fprintf(stderr, "raw_scan: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: raw_scan DB DISTRIBUTOR_ID [BATCH]\n");
        return 2;
    }
    int batch = argc > 3 ? atoi(argv[3]) : 1000;
    sqlite3 *db;
    check(sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL), db, "open");
    const char *files_sql =
        "SELECT seq, accept_seq, id, vendor_id, distributor_id, product_id, marketplace_id, contract_id, "
        "currency, period_from, period_to FROM usage_files WHERE distributor_id = ? AND environment = ? "
        "AND status IN (?, ?) AND accept_seq IS NOT NULL ORDER BY accept_seq";
    const char *records_sql =
        "SELECT r.position, r.record_id, r.status, r.note, r.item_id, r.subscription_id, r.quantity, r.amount, "
        "r.tier, r.start_at, r.end_at, r.category_id, r.asset_recon_id, r.parameters, r.external_billing_id, "
        "r.external_billing_note, r.closed_at, NULL, NULL, NULL, NULL FROM usage_records r "
        "WHERE r.file_seq = ? AND r.position > ? AND r.status IN ('approved', 'closed') ORDER BY r.position LIMIT ?";
    sqlite3_stmt *files, *records;
    check(sqlite3_prepare_v3(db, files_sql, -1, SQLITE_PREPARE_PERSISTENT, &files, NULL), db, "prepare files");
    check(sqlite3_prepare_v3(db, records_sql, -1, SQLITE_PREPARE_PERSISTENT, &records, NULL), db, "prepare records");

    double wall0 = now(), cpu0 = cpu();
    long rows = 0, bytes = 0;
    long long file_seq[4096];
    int file_count = 0;
    check(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin");
    sqlite3_bind_text(files, 1, argv[2], -1, SQLITE_STATIC);
    sqlite3_bind_text(files, 2, "production", -1, SQLITE_STATIC);
    sqlite3_bind_text(files, 3, "accepted", -1, SQLITE_STATIC);
    sqlite3_bind_text(files, 4, "closed", -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(files)) == SQLITE_ROW && file_count < 4096) {
        file_seq[file_count++] = sqlite3_column_int64(files, 0);
        for (int c = 2; c < 11; c++) bytes += sqlite3_column_bytes(files, c);
    }
    check(rc, db, "files");
    sqlite3_reset(files);
    check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");

    for (int f = 0; f < file_count; f++) {
        long long after = -1;
        for (;;) {
            // One read transaction per batch, as the server reads.
            check(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin");
            sqlite3_bind_int64(records, 1, file_seq[f]);
            sqlite3_bind_int64(records, 2, after);
            sqlite3_bind_int(records, 3, batch);
            int got = 0;
            while ((rc = sqlite3_step(records)) == SQLITE_ROW) {
                after = sqlite3_column_int64(records, 0);
                for (int c = 1; c < 21; c++) {
                    switch (sqlite3_column_type(records, c)) {
                    case SQLITE_INTEGER: bytes += sqlite3_column_int64(records, c) & 1; break;
                    case SQLITE_TEXT: {
                        const unsigned char *text = sqlite3_column_text(records, c);
                        int n = sqlite3_column_bytes(records, c);
                        bytes += n + (n ? text[0] : 0);
                        break;
                    }
                    default: break;
                    }
                }
                got++;
            }
            check(rc, db, "records");
            sqlite3_reset(records);
            check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
            rows += got;
            if (got < batch) break;
        }
    }
    printf("%ld %.3f %.2f %ld\n", rows, now() - wall0, cpu() - cpu0, bytes);
    sqlite3_finalize(files);
    sqlite3_finalize(records);
    sqlite3_close(db);
    return 0;
}
