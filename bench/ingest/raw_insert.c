// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usage ingest benchmark: the reference. SQLite inserting the same usage_records rows
// into the same schema, as fast as plain C with prepared statements can:
//
//   raw_insert DB SCHEMA ROWS [ROWS_PER_STATEMENT]
//
// Creates DB (which must not exist) from SCHEMA (the server's tables and indexes, from setup.py
// dump), with the server's connection settings (WAL, synchronous=FULL, foreign_keys=ON, default
// cache), loads ROWS (setup.py dump's binary rows) into memory, then times BEGIN IMMEDIATE, the
// inserts, COMMIT. The inserts: one prepared INSERT of one row bound with SQLITE_STATIC per row
// (the default, the reference), or with ROWS_PER_STATEMENT > 1 a prepared INSERT of that
// many rows (`VALUES (...), (...), ...`, the statement shape the server uses) per that many rows
// and the one-row INSERT for the rest. Prints: rows, seconds (wall), CPU seconds (this process),
// rows per second.
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define COLUMNS 21

static void check(sqlite3 *db, int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "raw_insert: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static char *slurp(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(1); }
    fseek(file, 0, SEEK_END);
    *size = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc(*size + 1);
    if (fread(data, 1, *size, file) != *size) { perror(path); exit(1); }
    data[*size] = 0;
    fclose(file);
    return data;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Binds the row at p to parameters base+1 ... base+COLUMNS of stmt; returns the next row. */
static const unsigned char *bind_row(sqlite3_stmt *stmt, int base, const unsigned char *p) {
    for (int column = 1; column <= COLUMNS; column++) {
        unsigned char tag = *p++;
        if (tag == 0) {
            sqlite3_bind_null(stmt, base + column);
        } else if (tag == 1) {
            int64_t value;
            memcpy(&value, p, 8);
            p += 8;
            sqlite3_bind_int64(stmt, base + column, value);
        } else {
            uint32_t length;
            memcpy(&length, p, 4);
            p += 4;
            sqlite3_bind_text(stmt, base + column, (const char *)p, (int)length, SQLITE_STATIC);
            p += length;
        }
    }
    return p;
}

/* Skips the row at p; returns the next row. */
static const unsigned char *skip_row(const unsigned char *p) {
    for (int column = 1; column <= COLUMNS; column++) {
        unsigned char tag = *p++;
        if (tag == 1) {
            p += 8;
        } else if (tag != 0) {
            uint32_t length;
            memcpy(&length, p, 4);
            p += 4 + length;
        }
    }
    return p;
}

static sqlite3_stmt *prepare_insert(sqlite3 *db, int rows) {
    const char *head = "INSERT INTO usage_records (file_seq, product_seq, position, record_id, status, note, item_id, "
        "subscription_id, quantity, amount, tier, start_at, end_at, category_id, asset_recon_id, parameters, "
        "raw_values, errors, external_billing_id, external_billing_note, closed_at) VALUES ";
    const char *tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    size_t size = strlen(head) + (size_t)rows * (strlen(tuple) + 2) + 1;
    char *sql = malloc(size);
    strcpy(sql, head);
    for (int row = 0; row < rows; row++) {
        if (row) strcat(sql, ", ");
        strcat(sql, tuple);
    }
    sqlite3_stmt *stmt;
    check(db, sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL), "prepare");
    free(sql);
    return stmt;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: raw_insert DB SCHEMA ROWS [ROWS_PER_STATEMENT]\n");
        return 2;
    }
    int per = argc == 5 ? atoi(argv[4]) : 1;
    if (per < 1 || per > 1000) {
        fprintf(stderr, "raw_insert: ROWS_PER_STATEMENT must be 1 to 1000\n");
        return 2;
    }
    size_t schema_size, rows_size;
    char *schema = slurp(argv[2], &schema_size);
    char *rows = slurp(argv[3], &rows_size);
    const unsigned char *p = (const unsigned char *)rows, *end = p + rows_size;
    long total = 0;
    for (const unsigned char *q = p; q < end; q = skip_row(q)) total++;

    sqlite3 *db;
    check(NULL, sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL),
          "open");
    check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", 0, 0, 0),
          "pragmas");
    check(db, sqlite3_exec(db, schema, 0, 0, 0), "schema");
    sqlite3_stmt *one = prepare_insert(db, 1);
    sqlite3_stmt *many = per > 1 ? prepare_insert(db, per) : NULL;

    double wall0 = now(), cpu0 = cpu();
    check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0), "begin");
    long count = 0;
    while (p < end) {
        int n = many && total - count >= per ? per : 1;
        sqlite3_stmt *stmt = n == 1 ? one : many;
        for (int row = 0; row < n; row++) p = bind_row(stmt, row * COLUMNS, p);
        check(db, sqlite3_step(stmt), "insert");
        sqlite3_reset(stmt);
        count += n;
    }
    check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0), "commit");
    double wall = now() - wall0, used = cpu() - cpu0;

    sqlite3_finalize(one);
    if (many) sqlite3_finalize(many);
    sqlite3_close(db);
    printf("%ld\t%.3f\t%.3f\t%.0f\n", count, wall, used, count / wall);
    return 0;
}
