#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — catalogue read benchmark: where `usageflow serve`'s CPU goes on GetProduct and
# ListItems.
#
#   bench/catalogue/profile.sh [WORKLOAD[:CALLS] ...]     default: getproduct:40000 listitems:4000
#
# Needs bench/catalogue/run.sh to have run once (binaries, database with its vendor, product and
# items, bodies and key in bench/catalogue/out/). For each workload a fresh `usageflow serve` on that
# database (--event-loops 1, pinned to core 0) gets 2,560 warm-up calls, then `perf record -F 999
# --call-graph dwarf -p` (cpu-clock sampling: this VM has no hardware counters) attaches while h2load
# (core 1, -c 16 -m 16) sends a fixed number of calls, and profile_buckets.py sorts the samples into cost buckets (system calls by kind,
# SQLite, OpenSSL, nghttp2, the Swift concurrency runtime, ARC, malloc, our code by module) and lists
# our functions by inclusive share. Output: bench/catalogue/out/profile/WORKLOAD.{txt,data}.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/catalogue
OUT=$HERE/out
PROFILE=$OUT/profile
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-27390}
mkdir -p "$PROFILE"
[ -x "$OUT/usageflow" ] && [ -f "$OUT/vendor.key" ] || { echo "run bench/catalogue/run.sh first" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
export PATH="$PATH:$(dirname "$(command -v swift)")"  # swift-demangle
KEY=$(cat "$OUT/vendor.key")

specs=("$@")
((${#specs[@]})) || specs=(getproduct:40000 listitems:4000)

for spec in "${specs[@]}"; do
    IFS=: read -r workload calls <<< "$spec"
    read -r _ path _ <<< "$(grep "^$workload " "$OUT/expect.txt")"
    data=$PROFILE/$workload.data
    taskset -c "$SERVER_CORE" "$OUT/usageflow" serve --db "$OUT/db/usageflow.db" --address "127.0.0.1:$PORT" \
        --tls-cert certs/dev/server.pem --tls-key certs/dev/server.key --event-loops 1 --log-level warn \
        > "$PROFILE/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
    # Warm-up before the profiler attaches (credential cache, statement cache, page cache).
    taskset -c "$CLIENT_CORE" h2load -t 1 -c 16 -m 16 -n 2560 -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $KEY" --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/bodies/$workload.bin" \
        "https://127.0.0.1:$PORT$path" > /dev/null
    perf record -F 999 --call-graph dwarf,16384 -o "$data" -p "$server_pid" 2> "$PROFILE/perf.log" &
    perf_pid=$!
    sleep 0.5
    cpu0=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    taskset -c "$CLIENT_CORE" h2load -t 1 -c 16 -m 16 -n "$calls" -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $KEY" --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/bodies/$workload.bin" \
        "https://127.0.0.1:$PORT$path" > "$PROFILE/$workload.h2load.txt"
    cpu1=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    kill -INT "$perf_pid"
    wait "$perf_pid" 2>/dev/null || true
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    cpu=$(echo "$cpu0 $cpu1 $(getconf CLK_TCK)" | awk '{printf "%.2f", ($2 - $1) / $3}')
    {
        echo "## $workload over TLS: $(grep -E '^finished' "$PROFILE/$workload.h2load.txt")"
        echo "## $(grep -E '^requests:' "$PROFILE/$workload.h2load.txt")"
        echo
        perf script -i "$data" 2>/dev/null | python3 "$HERE/profile_buckets.py" "$calls" call "$cpu"
        echo
        echo "Top 30 functions by self time:"
        echo
        echo '```'
        perf report -i "$data" --no-children --stdio --sort dso,sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
            | head -30 | swift-demangle --simplified --compact | cut -c1-170 || true
        echo '```'
        echo
    } > "$PROFILE/$workload.txt"
    cat "$PROFILE/$workload.txt"
done
