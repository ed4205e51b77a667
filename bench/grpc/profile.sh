#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: where interop-server's CPU goes, per workload.
#
#   bench/grpc/profile.sh [WORKLOAD[:SECURITY[:CALLS]] ...]
#       default: unary:tls:100000 unary:h2c:100000 cstream:tls:3000 sstream:tls:3000 sfs:tls:3
#       (for sfs, CALLS is seconds of endless streaming)
#
# Needs bench/grpc/run.sh to have run once (binary, bodies, shim in bench/grpc/out/). For each
# profile, a fresh interop-server (--event-loops 1, pinned to core 0) runs under
# `perf record -F 999 -g` (cpu-clock sampling: this VM has no hardware counters, so there is
# no instruction count; callgrind is the fallback where perf is missing), h2load (core 1) sends a
# fixed number of calls, and profile_buckets.py sorts the samples into cost buckets (syscalls by
# kind, OpenSSL, nghttp2, the Swift concurrency runtime, ARC, malloc, our code) and lists our
# functions by inclusive share. Output: bench/grpc/out/profile/WORKLOAD-SECURITY.{txt,data}.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/grpc
OUT=$HERE/out
PROFILE=$OUT/profile
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-27190}
mkdir -p "$PROFILE"
[ -x "$OUT/interop-server" ] && [ -f "$OUT/expect.txt" ] || { echo "run bench/grpc/run.sh first" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
export PATH="$PATH:$(dirname "$(command -v swift)")"  # swift-demangle

specs=("$@")
((${#specs[@]})) || specs=(unary:tls:100000 unary:h2c:100000 cstream:tls:3000 sstream:tls:3000 sfs:tls:3)

for spec in "${specs[@]}"; do
    IFS=: read -r workload security calls <<< "$spec"
    security=${security:-tls}
    read -r _ path _ _ <<< "$(grep "^$workload " "$OUT/expect.txt")"
    if [ "$security" = tls ]; then
        args=(--tls-cert certs/dev/server.pem --tls-key certs/dev/server.key)
        scheme=https
    else
        args=(--h2c)
        scheme=http
    fi
    data=$PROFILE/$workload-$security.data
    taskset -c "$SERVER_CORE" perf record -F 999 --call-graph dwarf,16384 -o "$data" -- \
        taskset -c "$SERVER_CORE" "$OUT/interop-server" --port "$PORT" "${args[@]}" --event-loops 1 \
        > "$PROFILE/server.log" 2>&1 &
    perf_pid=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
    server_pid=$(pgrep -f "^$OUT/interop-server --port $PORT" || true)
    case $workload in
        unary) conc=(-c 16 -m 16 -n "$calls"); ops=$calls; unit=RPC ;;
        sfs) conc=(-c 4 -m 1 -D "$calls"); ops=0; unit=message ;;
        bidi) conc=(-c 4 -m 4 -n "$calls"); ops=$((calls * 2000)); unit=message ;;
        *) conc=(-c 4 -m 4 -n "$calls"); ops=$((calls * 1000)); unit=message ;;
    esac
    cpu0=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    taskset -c "$CLIENT_CORE" h2load -t 1 "${conc[@]}" -H 'content-type: application/grpc' -H 'te: trailers' \
        --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/bodies/$workload.bin" "$scheme://127.0.0.1:$PORT$path" \
        > "$PROFILE/$workload-$security.h2load.txt"
    cpu1=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    if [ "$workload" = sfs ]; then
        ops=$(( $(grep -oP '\(\K\d+(?=\) data)' "$PROFILE/$workload-$security.h2load.txt") / 109 ))
    fi
    kill -INT "$server_pid"
    wait "$perf_pid" 2>/dev/null || true
    cpu=$(echo "$cpu0 $cpu1 $(getconf CLK_TCK)" | awk '{printf "%.2f", ($2 - $1) / $3}')
    {
        echo "## $workload over $security: $(grep -E '^finished' "$PROFILE/$workload-$security.h2load.txt")"
        echo
        perf script -i "$data" 2>/dev/null | python3 "$HERE/profile_buckets.py" "$ops" "$unit" "$cpu"
        echo
        echo "Top 25 functions by self time:"
        echo
        echo '```'
        perf report -i "$data" --no-children --stdio --sort dso,sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
            | head -25 | swift-demangle --simplified --compact | cut -c1-160 || true
        echo '```'
        echo
    } > "$PROFILE/$workload-$security.txt"
    cat "$PROFILE/$workload-$security.txt"
done
