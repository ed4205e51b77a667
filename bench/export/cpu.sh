#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage export benchmark, quick comparison of builds: the server CPU of one
# 1,000,000-record ExportRecords call, RUNS times per binary, binaries taking turns.
#
#   bench/export/cpu.sh BINARY [BINARY ...]      e.g. two release builds of `usageflow`
#
# Needs bench/export/run.sh to have run once (its database, ids and request body in
# bench/export/out/). Each binary serves that database in turn (`usageflow serve --event-loops 1`,
# pinned to SERVER_CORE, TLS with certs/dev); h2load (pinned to CLIENT_CORE) sends the same
# ExportRecords request as run.sh and discards the stream. Printed per run: wall time and the
# server's CPU time (utime+stime of all its threads). The ratio to the raw scan is run.sh's job;
# this is for before/after comparisons of a change on the same data. A binary migrates the
# database to its schema on start, and one with an older schema then refuses it: compare builds of
# the same schema version, or list the older one first and once.
#
# Environment: RUNS (default 3), SERVER_CORE / CLIENT_CORE (default 0 / 1), PORT (default 28550; the
# n-th binary listens on PORT + n, so a server still closing never answers for the next). The
# default lies below Linux's ephemeral range: probing a port in that range before the server binds
# it can connect the probe to itself and leave the port taken.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/export/out
RUNS=${RUNS:-3}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-28550}
[ $# -ge 1 ] || { echo "usage: bench/export/cpu.sh BINARY [BINARY ...]" >&2; exit 2; }
[ -f "$OUT/ids.json" ] && [ -f "$OUT/export.body" ] && [ -f "$OUT/db/usageflow.db" ] || {
    echo "cpu.sh: run bench/export/run.sh first" >&2
    exit 1
}
KEY=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['distributor_key'])" "$OUT/ids.json")
HZ=$(getconf CLK_TCK)
server_pid=""
trap '[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true' EXIT
index=0
for binary in "$@"; do
    port=$((PORT + index))
    index=$((index + 1))
    taskset -c "$SERVER_CORE" "$binary" serve --db "$OUT/db/usageflow.db" --address "127.0.0.1:$port" \
        --tls-cert certs/dev/server.pem --tls-key certs/dev/server.key --event-loops 1 --log-level warn \
        > "$OUT/cpu-server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
    kill -0 "$server_pid" 2>/dev/null || { echo "cpu.sh: $binary did not start:" >&2; cat "$OUT/cpu-server.log" >&2; exit 1; }
    for run in $(seq "$RUNS"); do
        before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
        result=$(taskset -c "$CLIENT_CORE" h2load -t 1 -c 1 -m 1 -n 1 -H 'content-type: application/grpc' \
            -H 'te: trailers' -H "authorization: Bearer $KEY" --tls13-ciphers=TLS_AES_128_GCM_SHA256 \
            -d "$OUT/export.body" "https://127.0.0.1:$port/usageflow.v1.DistributorService/ExportRecords" 2>&1)
        after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
        wall=$(grep -oE 'finished in [0-9.]+m?s' <<< "$result" | head -1)
        grep -q '1 succeeded' <<< "$result" || { echo "cpu.sh: the export failed with $binary" >&2; exit 1; }
        cpu=$(awk -v a="$after" -v b="$before" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')
        printf '%s  run %d: %s, server CPU %s s\n' "$binary" "$run" "$wall" "$cpu"
    done
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
done
