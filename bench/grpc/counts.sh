#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: exact event counts per call or message (not timings).
#
#   bench/grpc/counts.sh [WORKLOAD:CALLS ...]     default: unary:50000 cstream:300 sstream:300
#
# Needs bench/grpc/run.sh to have run once (binaries and bodies in bench/grpc/out/) and perf with
# uprobes (root). For interop-server (TLS and h2c), the C++ peer (TLS) and nghttpd (TLS), each
# pinned to core 0 and warmed up first, `perf stat -p` counts during a fixed number of calls:
# system calls, context switches, malloc calls (libc uprobe), and for our server swift_retain,
# swift_allocObject and swift_task_create (uprobes on the Swift runtime). Uprobes cost about a
# microsecond per hit, so these runs are for counting only; their timings mean nothing. The
# probes are removed at the end. Output: bench/grpc/out/counts.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/grpc
OUT=$HERE/out
PORT=${PORT:-27180}
[ -x "$OUT/interop-server" ] && [ -x "$OUT/cpp/cpp-peer-server" ] || { echo "run bench/grpc/run.sh first" >&2; exit 1; }
specs=("$@")
((${#specs[@]})) || specs=(unary:50000 cstream:300 sstream:300)

LIBC=$(ldd "$OUT/interop-server" | awk '/libc.so.6/{print $3}')
SWIFTCORE=$(ldd "$OUT/interop-server" | awk '/libswiftCore.so/{print $3}')
CONCURRENCY=$(ldd "$OUT/interop-server" | awk '/libswift_Concurrency.so/{print $3}')
probes=()
add_probe() {  # library function
    local event
    event=$(perf probe -q -x "$1" --add "$2" 2>&1 | grep -oE 'probe_[A-Za-z_]+:[A-Za-z_]+' | head -1 || true)
    [ -n "$event" ] || event=$(perf probe -l 2>/dev/null | grep -oE "probe_[A-Za-z_]+:$2\b" | head -1 || true)
    [ -n "$event" ] && probes+=("$event")
}
add_probe "$LIBC" malloc
add_probe "$SWIFTCORE" swift_retain
add_probe "$SWIFTCORE" swift_allocObject
add_probe "$CONCURRENCY" swift_task_create
cleanup() {
    for event in "${probes[@]}"; do perf probe -q -d "$event" 2>/dev/null || true; done
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
}
trap cleanup EXIT
events=$(IFS=,; echo "raw_syscalls:sys_enter,context-switches,${probes[*]}")

echo "| Server | workload | per | syscalls | context switches | malloc | swift_retain | swift_allocObject | swift_task_create |" \
    > "$OUT/counts.md"
echo "|---|---|---|---|---|---|---|---|---|" >> "$OUT/counts.md"
for spec in "${specs[@]}"; do
    IFS=: read -r workload calls <<< "$spec"
    read -r _ path _ _ <<< "$(grep "^$workload " "$OUT/expect.txt")"
    for server_name in ours-tls ours-h2c cpp-tls nghttpd-tls; do
        [ "$workload" != unary ] && [ "$server_name" = nghttpd-tls ] && continue
        scheme=https
        case $server_name in
            ours-tls) cmd=("$OUT/interop-server" --port $PORT --tls-cert certs/dev/server.pem --tls-key certs/dev/server.key --event-loops 1) ;;
            ours-h2c) cmd=("$OUT/interop-server" --port $PORT --h2c --event-loops 1); scheme=http ;;
            cpp-tls) cmd=("$OUT/cpp/cpp-peer-server" --port $PORT --tls-cert certs/dev/server.pem --tls-key certs/dev/server.key) ;;
            nghttpd-tls) cmd=(nghttpd -d "$OUT/docroot" --trailer 'grpc-status: 0' --no-content-length $PORT
                certs/dev/server.key certs/dev/server.pem) ;;
        esac
        taskset -c 0 "${cmd[@]}" > /dev/null 2>&1 &
        server=$!
        for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
        case $workload in
            unary) conc=(-c 16 -m 16); per=RPC; div=$calls ;;
            *) conc=(-c 4 -m 4); per=message; div=$((calls * 1000)) ;;
        esac
        load() {
            taskset -c 1 h2load -t 1 "${conc[@]}" -n "$1" -H 'content-type: application/grpc' -H 'te: trailers' \
                --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/bodies/$workload.bin" "$scheme://127.0.0.1:$PORT$path" \
                | grep -E 'succeeded' || true
        }
        load $((calls / 5)) > /dev/null  # warm-up: the threads exist before perf attaches
        perf stat -x, -o "$OUT/counts.tmp" -e "$events" -p "$server" &
        perf_pid=$!
        sleep 0.3
        result=$(load "$calls")
        kill -INT "$perf_pid"
        wait "$perf_pid" 2>/dev/null || true
        kill "$server"
        wait "$server" 2>/dev/null || true
        server=""
        row=$(python3 - "$OUT/counts.tmp" "$div" "$server_name" <<'EOF'
import sys
counts = {}
for line in open(sys.argv[1]):
    parts = line.strip().split(",")
    if len(parts) > 2 and parts[0] and parts[0][0].isdigit():
        counts[parts[2].split(":")[-1]] = int(parts[0])
div, server = int(sys.argv[2]), sys.argv[3]
names = ["sys_enter", "context-switches", "malloc", "swift_retain", "swift_allocObject", "swift_task_create"]
def cell(n):
    if server.startswith("nghttpd") and n == "malloc":
        return "n/a (jemalloc)"  # Debian's nghttpd links libjemalloc: the libc probe cannot see it
    if not server.startswith("ours") and n.startswith("swift_"):
        return "—"
    return f"{counts[n] / div:.2f}" if n in counts else "—"
print(" | ".join(cell(n) for n in names))
EOF
)
        echo "  $server_name $workload: $result"
        echo "| $server_name | $workload | $per | $row |" >> "$OUT/counts.md"
    done
done
rm -f "$OUT/counts.tmp"
cat "$OUT/counts.md"
