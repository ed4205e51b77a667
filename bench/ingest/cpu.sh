#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage ingest benchmark, quick comparison of builds: the server CPU of one
# 1,000,000-record UploadRecords call, RUNS times per binary, binaries taking turns.
#
#   bench/ingest/cpu.sh BINARY [BINARY ...]      e.g. two release builds of `usageflow`
#
# Needs bench/ingest/run.sh to have run once today (its stubs, header and cached record stream in
# bench/ingest/). Each run gives each binary in turn a fresh database (`usageflow init`, the
# benchmark's tenants and a new file through setup.py), serves it (`usageflow serve --event-loops
# 1`, pinned to SERVER_CORE, TLS with certs/dev) and sends it the record stream with h2load (pinned
# to CLIENT_CORE), as run.sh does. Printed per run: wall time and the server's CPU time during the
# upload (utime+stime of all its threads). The ratio to raw_insert.c is run.sh's job; this is for
# before/after comparisons of a change, binaries alternating so that a drift of the machine (its
# page cache, its disk) falls on both.
#
# Environment: RUNS (default 3), RECORDS (default 1000000), SERVER_CORE / CLIENT_CORE (default
# 0 / 1), PORT (default 28450, below Linux's ephemeral range: see bench/export/cpu.sh), DB_DIR
# (the database and spool directory, default out/cpu-db; a tmpfs such as /dev/shm/ingest takes the
# disk's share of the noise out of a comparison, and its fsyncs with it).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/ingest
OUT=$HERE/out
RUNS=${RUNS:-3}
RECORDS=${RECORDS:-1000000}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-28450}
DAY=$(date -u +%F)
STREAM=$HERE/cache/records-$RECORDS-$DAY.bin
[ $# -ge 1 ] || { echo "usage: bench/ingest/cpu.sh BINARY [BINARY ...]" >&2; exit 2; }
[ -f "$STREAM" ] && [ -d "$OUT/stubs" ] || { echo "cpu.sh: run bench/ingest/run.sh first today" >&2; exit 1; }
PYTHON=$(scripts/python-env.sh)
HZ=$(getconf CLK_TCK)
DB=${DB_DIR:-$OUT/cpu-db}
source "$HERE/server.sh"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true; rm -rf "$DB" "$OUT/cpu-body.bin"' EXIT
for run in $(seq "$RUNS"); do
    index=0
    for binary in "$@"; do
        port=$((PORT + index))
        index=$((index + 1))
        start_ingest_server "$binary" "$DB" "$port" "$OUT/cpu-server.log" > /dev/null
        "$PYTHON" "$HERE/setup.py" "$OUT" file "127.0.0.1:$port" certs/dev/ca.pem records "CPU $run" > /dev/null
        cat "$OUT/records.header" "$STREAM" > "$OUT/cpu-body.bin"
        before=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
        result=$(send_upload "$OUT/cpu-body.bin" "$port" UploadRecords 2>&1)
        after=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
        wall=$(grep -oE 'finished in [0-9.]+m?s' <<< "$result" | head -1)
        grep -q '1 succeeded' <<< "$result" || { echo "cpu.sh: the upload failed with $binary" >&2; exit 1; }
        cpu=$(awk -v a="$after" -v b="$before" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')
        printf '%s  run %d: %s, server CPU %s s\n' "$binary" "$run" "$wall" "$cpu"
        stop_ingest_server
    done
done
