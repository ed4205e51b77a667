#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark (issue: HTTP/2 and TLS). A benchmark, not a test: it
# asserts no speed; it checks correctness on every run and reports ratios against a ceiling
# (nghttpd serving a static gRPC reply) and a peer (gRPC C++ 1.51 from Debian), same machine,
# same run.
#
#   bench/grpc/run.sh            build everything, run, print the table, write bench/grpc/out/
#
# Environment: REPS (interleaved repetitions, default 3), SECS (target seconds per measured run,
# default 2), SERVER_CORE / CLIENT_CORE (default 0 / 1), PORT_BASE (default 27100), MEMORY_CONNS
# (idle TLS connections, default 1000; 0 skips), PERFSTAT (1: count syscalls and context switches
# with `perf stat` during each run when perf is usable; default 1).
#
# What runs (reference: shared/reference/grpc-http2-nghttp2.md §4.4-4.8, §5):
# * Servers, each pinned with `taskset -c $SERVER_CORE`: interop-server (release, --event-loops 1)
#   over TLS and h2c; the C++ peer (bench/grpc/cpp-peer/server.cc, callback API, all of its
#   threads on the same core) over TLS (SslServerCredentials) and h2c; nghttpd (single worker)
#   serving the exact reply bytes as a static file plus `grpc-status: 0` trailers, TLS and h2c.
# * Load: h2load 1.52 pinned to $CLIENT_CORE (-t 1), TLS 1.3 with TLS_AES_128_GCM_SHA256 forced
#   for every server. Workloads (bodies from make_bodies.py):
#     unary    BenchmarkService/UnaryCall, 1-byte payload each way, -c 16 -m 16
#     cstream  BenchmarkService/StreamingFromClient, one body of 1,000 framed 100-byte-payload
#              SimpleRequests (111,000 bytes), one 10-byte reply, -c 4 -m 4
#     sstream  TestService/StreamingOutputCall asking for 1,000 × 100-byte responses (bounded server
#              streaming, which BenchmarkService lacks: its StreamingFromServer never ends),
#              109,000 reply bytes per call, -c 4 -m 4
#     bidi     BenchmarkService/StreamingCall, 1,000 requests in one body, 1,000 echoed 100-byte
#              responses (both directions at once), -c 4 -m 4
#     sfs      BenchmarkService/StreamingFromServer, endless 100-byte responses for SECS seconds
#              (h2load -D; messages = DATA bytes / 109), -c 4 -m 1; no nghttpd equivalent
#   Each (server, workload) first gets a calibration run (also the warm-up) that sizes -n to about
#   SECS seconds for the measured repetitions, and during which `perf stat -p` counts the
#   server's system calls and context switches (only then: its tracepoint adds ~10 % CPU per call
#   to nghttpd).
# * Per run: h2load's req/s, the server's CPU time (utime+stime from /proc/PID/stat, all threads)
#   -> µs per call and ns per message; correctness: every request succeeded, the DATA bytes equal
#   calls × the exact reply size, and the server-side grpc-status counters moved by exactly the
#   number of calls with no other status (status-shim.so for the nghttp2-based servers, counters
#   in the C++ peer). Also the busy time of other processes on the server's core (noise).
# * Before and after the load: check.py (grpcio) makes every kind of call on our server and the
#   C++ peer and compares status and bytes.
# * Memory: fresh servers, MEMORY_CONNS idle TLS connections (one unary call each), RSS delta.
# See also: profile.sh (perf profiles by cost bucket) and counts.sh (mallocs, retains, tasks,
# syscalls per call), both after one run of this script.
# Results: out/runs.tsv (one line per run), out/memory.tsv, out/summary.md (medians, ratios,
# goals), out/raw/ (h2load output).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=bench/grpc
OUT=$HERE/out
REPS=${REPS:-3}
SECS=${SECS:-2}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT_BASE=${PORT_BASE:-27100}
MEMORY_CONNS=${MEMORY_CONNS:-1000}
PERFSTAT=${PERFSTAT:-1}
START_TIME=$(date +%s)
mkdir -p "$OUT/raw"
rm -f "$OUT"/raw/* "$OUT"/*.cnt "$OUT"/runs.tsv "$OUT"/memory.tsv "$OUT"/checks.txt

# 1. Tools.
missing=()
for package in nghttp2-client nghttp2-server libgrpc++-dev protobuf-compiler-grpc protobuf-compiler g++ gcc \
    pkg-config openssl python3; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "run.sh: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python3 -c 'import grpc, h2' 2>/dev/null; then
    echo "run.sh: installing grpcio and h2 from PyPI"
    python3 -m pip install -q grpcio h2
fi
taskset -c "$SERVER_CORE" true && taskset -c "$CLIENT_CORE" true || {
    echo "run.sh: cores $SERVER_CORE and $CLIENT_CORE must both exist" >&2
    exit 1
}
PERF=""
if [ "$PERFSTAT" = 1 ] && command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
    PERF=perf
fi
[ -f certs/dev/server.pem ] || certs/generate-dev-certs.sh >/dev/null
CERT=certs/dev/server.pem
KEY=certs/dev/server.key
CA=certs/dev/ca.pem

# 2. Builds: interop-server (release; the binary is copied so concurrent rebuilds cannot change it
#    mid-run), the C++ peer (rebuilt when its source or the protos change), the status shim.
swift build -c release --product interop-server 2>&1 | tail -1
cp .build/release/interop-server "$OUT/interop-server"
COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo '+dirty')"
CPP_DIR=$OUT/cpp
CPP=$CPP_DIR/cpp-peer-server
stamp=$(cat "$HERE/cpp-peer/server.cc" Protos/grpc/testing/*.proto | sha256sum | cut -c1-16)
if [ ! -x "$CPP" ] || [ "$(cat "$CPP_DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "run.sh: building the C++ peer (about 40 s)"
    rm -rf "$CPP_DIR" && mkdir -p "$CPP_DIR"
    protoc -I Protos --cpp_out="$CPP_DIR" --grpc_out="$CPP_DIR" --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" \
        Protos/grpc/testing/{messages,empty,test,benchmark_service}.proto
    # shellcheck disable=SC2046
    g++ -O2 -std=c++17 -I "$CPP_DIR" -o "$CPP" "$HERE/cpp-peer/server.cc" "$CPP_DIR"/grpc/testing/*.pb.cc \
        $(pkg-config --cflags --libs grpc++ protobuf)
    echo "$stamp" > "$CPP_DIR/stamp"
fi
gcc -O2 -shared -fPIC -o "$OUT/status-shim.so" "$HERE/status-shim.c" -ldl
python3 "$HERE/make_bodies.py" "$OUT" 1000 100

# 3. Servers.
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.3
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

declare -A PORT PID SCHEME STATS
wait_listening() {  # port
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "run.sh: nothing listens on port $1" >&2
    exit 1
}
start_server() {  # name port scheme command...
    local name=$1 port=$2 scheme=$3
    shift 3
    local stats="$ROOT/$OUT/$name.cnt"
    case $name in
        cpp*) taskset -c "$SERVER_CORE" "$@" --stats "$stats" > "$OUT/raw/$name.log" 2>&1 & ;;
        *) GRPC_STATUS_COUNTS="$stats" LD_PRELOAD="$ROOT/$OUT/status-shim.so" taskset -c "$SERVER_CORE" "$@" \
            > "$OUT/raw/$name.log" 2>&1 & ;;
    esac
    PID[$name]=$!
    PIDS+=($!)
    PORT[$name]=$port
    SCHEME[$name]=$scheme
    STATS[$name]=$stats
    wait_listening "$port"
}
start_all() {
    local p=$PORT_BASE
    start_server ours-tls $((p + 1)) https "$OUT/interop-server" --port $((p + 1)) --tls-cert "$CERT" --tls-key "$KEY" --event-loops 1
    start_server ours-h2c $((p + 2)) http "$OUT/interop-server" --port $((p + 2)) --h2c --event-loops 1
    start_server cpp-tls $((p + 3)) https "$CPP" --port $((p + 3)) --tls-cert "$CERT" --tls-key "$KEY"
    start_server cpp-h2c $((p + 4)) http "$CPP" --port $((p + 4)) --h2c
    start_server nghttpd-tls $((p + 5)) https nghttpd -d "$OUT/docroot" --trailer 'grpc-status: 0' --no-content-length \
        $((p + 5)) "$KEY" "$CERT"
    start_server nghttpd-h2c $((p + 6)) http nghttpd --no-tls -d "$OUT/docroot" --trailer 'grpc-status: 0' --no-content-length \
        $((p + 6))
}
start_all

# 4. Correctness with a real gRPC client, before the load.
check_all() {  # label
    for name in ours-tls ours-h2c cpp-tls cpp-h2c; do
        local ca=()
        [ "${SCHEME[$name]}" = https ] && ca=(--ca "$CA")
        echo "$1 $name: $(python3 "$HERE/check.py" "$OUT" "127.0.0.1:${PORT[$name]}" "${ca[@]}" 2>&1 | tail -1)" \
            | tee -a "$OUT/checks.txt"
    done
}
check_all before

# 5. The runs.
declare -A EXPECT_PATH EXPECT_REPLY EXPECT_IN EXPECT_OUT EXPECT_MSG N
while read -r name path _ reply in out msg; do
    EXPECT_PATH[$name]=$path
    EXPECT_REPLY[$name]=$reply
    EXPECT_IN[$name]=$in
    EXPECT_OUT[$name]=$out
    EXPECT_MSG[$name]=$msg
done < "$OUT/expect.txt"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
core_busy() {  # busy jiffies of one core
    awk -v c="cpu$SERVER_CORE" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}
counters() { od -An -t u8 -w256 -v "$1" | tr -s ' ' | sed 's/^ //'; }
concurrency() {
    case $1 in
        unary) echo "-c 16 -m 16" ;;
        sfs) echo "-c 4 -m 1" ;;
        *) echo "-c 4 -m 4" ;;
    esac
}

printf 'rep\tworkload\tserver\tcalls\twall_s\treq_per_s\tcpu_s\tdata_bytes\texpected_bytes\tstatus_ok\tstatus_bad\tvalid\tother_core_busy_s\tsyscalls\tctx_switches\tperf_task_s\n' \
    > "$OUT/runs.tsv"

run_one() {  # rep(0 = calibration) workload server n
    local rep=$1 workload=$2 server=$3 n=$4
    local pid=${PID[$server]} url="${SCHEME[$server]}://127.0.0.1:${PORT[$server]}${EXPECT_PATH[$workload]}"
    local raw="$OUT/raw/$rep-$workload-$server.txt" mode
    if [ "$workload" = sfs ]; then mode="-D $([ "$rep" = 0 ] && echo 1 || echo "$SECS")"; else mode="-n $n"; fi
    # shellcheck disable=SC2046
    local args=(-t 1 $(concurrency "$workload") $mode -H 'content-type: application/grpc' -H 'te: trailers'
        --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/bodies/$workload.bin" "$url")
    local before_counts cpu0 busy0 perf_pid="" perf_out="$OUT/raw/$rep-$workload-$server.perf"
    before_counts=$(counters "${STATS[$server]}")
    # perf stat only during calibration: its syscall tracepoint costs nghttpd ~10 % more CPU per
    # call, so the measured repetitions run without it.
    if [ -n "$PERF" ] && [ "$rep" = 0 ]; then
        perf stat -x, -o "$perf_out" -e raw_syscalls:sys_enter,context-switches,task-clock -p "$pid" &
        perf_pid=$!
        sleep 0.1
    fi
    cpu0=$(cpu_ticks "$pid")
    busy0=$(core_busy)
    local started
    started=$(date +%s.%N)
    timeout $((SECS * 10 + 60)) taskset -c "$CLIENT_CORE" h2load "${args[@]}" > "$raw" 2>&1 || true
    local cpu1 busy1 ended
    ended=$(date +%s.%N)
    cpu1=$(cpu_ticks "$pid")
    busy1=$(core_busy)
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
    fi
    [ "$workload" = sfs ] && sleep 0.2  # let the server see the cancellations before the counters are read
    local after_counts
    after_counts=$(counters "${STATS[$server]}")
    python3 - "$rep" "$workload" "$server" "$raw" "$cpu0" "$cpu1" "$busy0" "$busy1" "$started" "$ended" \
        "${EXPECT_REPLY[$workload]}" "$perf_out" "$(getconf CLK_TCK)" "$before_counts" "$after_counts" \
        >> "$OUT/runs.tsv" <<'EOF'
import os, re, sys
(rep, workload, server, raw, cpu0, cpu1, busy0, busy1, started, ended, reply, perf_out, hz,
 before, after) = sys.argv[1:]
hz = int(hz)
text = open(raw).read()
def grab(pattern, default="0"):
    m = re.search(pattern, text)
    return m.group(1) if m else default
wall = float(grab(r"finished in ([\d.]+)(m?s)", "0"))
if re.search(r"finished in [\d.]+ms", text):
    wall /= 1000
succeeded = int(grab(r"(\d+) succeeded"))
failed = int(grab(r"(\d+) failed")) + int(grab(r"(\d+) errored")) + int(grab(r"(\d+) timeout"))
data = int(grab(r"\((\d+)\) data"))
before = list(map(int, before.split()))
after = list(map(int, after.split()))
delta = [a - b for a, b in zip(after, before)]
ok = delta[0]
bad = sum(delta[1:19])
cpu = (int(cpu1) - int(cpu0)) / hz
other = max(0.0, (int(busy1) - int(busy0)) / hz - cpu)
reply = int(reply)
if workload == "sfs":
    calls = data // reply          # messages; the streams never finish
    expected = calls * reply
    valid = data > 0 and bad == 0  # no status is expected: the client goes away mid-stream
    rate = calls / wall if wall else 0
else:
    calls = succeeded
    expected = succeeded * reply
    valid = failed == 0 and succeeded > 0 and data == expected and ok == succeeded and bad == 0
    rate = float(grab(r"finished in [\d.]+m?s, ([\d.]+) req/s"))
syscalls = ctx = task = ""
if os.path.exists(perf_out):
    for line in open(perf_out):
        parts = line.strip().split(",")
        if len(parts) > 2 and parts[0] and parts[0][0].isdigit():
            if parts[2] == "raw_syscalls:sys_enter": syscalls = parts[0]
            elif parts[2] == "context-switches": ctx = parts[0]
            elif parts[2] == "task-clock": task = f"{float(parts[0]) / 1000:.3f}"
print("\t".join(map(str, [rep, workload, server, calls, f"{wall:.3f}", f"{rate:.1f}", f"{cpu:.2f}", data, expected,
                          ok, bad, "yes" if valid else "NO", f"{other:.2f}", syscalls, ctx, task])))
EOF
    local line
    line=$(tail -1 "$OUT/runs.tsv")
    if [ "$rep" = 0 ] && [ "$workload" != sfs ]; then
        # Calibration (also the warm-up): size -n for about SECS seconds of load.
        local rate
        rate=$(echo "$line" | cut -f6)
        local unit=$(( $(concurrency "$workload" | awk '{print $2 * $4}') ))
        N[$workload/$server]=$(python3 -c "import math,sys; r=float(sys.argv[1]); print(max(int(sys.argv[3]), math.ceil(r*float(sys.argv[2])/$unit)*$unit))" \
            "$rate" "$SECS" "$n")
    fi
    echo "$line" | awk -F'\t' '{printf "  %-8s %-12s %10s calls  %11s/s  cpu %6ss  valid %s  other-load %ss\n", $2, $3, $4, $6, $7, $12, $13}'
}

SERVERS_UNARY=(ours-tls ours-h2c cpp-tls cpp-h2c nghttpd-tls nghttpd-h2c)
SERVERS_STREAM=(ours-tls ours-h2c cpp-tls nghttpd-tls)
SERVERS_SFS=(ours-tls ours-h2c cpp-tls)
calibration_calls() { case $1 in unary) echo 10240 ;; *) echo 64 ;; esac; }

servers_for() {
    case $1 in
        unary) echo "${SERVERS_UNARY[@]}" ;;
        sfs) echo "${SERVERS_SFS[@]}" ;;
        *) echo "${SERVERS_STREAM[@]}" ;;
    esac
}

echo "calibration (also the warm-up, and the run that counts syscalls and context switches)"
for workload in unary cstream sstream bidi sfs; do
    for server in $(servers_for "$workload"); do
        run_one 0 "$workload" "$server" "$(calibration_calls "$workload")"
    done
done
for rep in $(seq 1 "$REPS"); do
    echo "repetition $rep/$REPS"
    for workload in unary cstream sstream bidi sfs; do
        for server in $(servers_for "$workload"); do
            run_one "$rep" "$workload" "$server" "${N[$workload/$server]:-0}"
        done
    done
done

# 6. Correctness again, after the load.
check_all after

# 7. Memory per idle TLS connection, on fresh servers.
printf 'server\tconnections\trss_before_kib\trss_after_kib\tkib_per_connection\n' > "$OUT/memory.tsv"
if [ "$MEMORY_CONNS" -gt 0 ]; then
    cleanup
    PIDS=()
    p=$((PORT_BASE + 20))
    for server in ours-tls cpp-tls nghttpd-tls; do
        case $server in
            ours-tls) start_server ours-mem $p https "$OUT/interop-server" --port $p --tls-cert "$CERT" --tls-key "$KEY" --event-loops 1 ;;
            cpp-tls) start_server cpp-mem $p https "$CPP" --port $p --tls-cert "$CERT" --tls-key "$KEY" ;;
            nghttpd-tls) start_server nghttpd-mem $p https nghttpd -d "$OUT/docroot" --trailer 'grpc-status: 0' \
                --no-content-length $p "$KEY" "$CERT" ;;
        esac
        name=${server%-tls}-mem
        sleep 0.3
        result=$(python3 "$HERE/idle_conns.py" "$p" "$MEMORY_CONNS" "${PID[$name]}" \
            --path /grpc.testing.BenchmarkService/UnaryCall --body "$OUT/bodies/unary.bin")
        echo "  memory $server: $result"
        echo "$result" | sed -E "s/idle_conns: ([0-9]+) connections.*rss_before_kib ([0-9]+), rss_after_kib ([0-9]+), kib_per_connection ([0-9.]+)/$server\t\1\t\2\t\3\t\4/" \
            >> "$OUT/memory.tsv"
        kill -TERM "${PID[$name]}" 2>/dev/null || true
        p=$((p + 1))
    done
fi

# 8. Summary.
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); commit $COMMIT"
    echo "tools: $(h2load --version | head -1), $(pkg-config --modversion grpc++ | sed 's/^/grpc++ /'), $("$OUT/interop-server" --help >/dev/null 2>&1; swift --version 2>/dev/null | head -1)"
    echo "settings: REPS=$REPS SECS=$SECS server core $SERVER_CORE, h2load core $CLIENT_CORE; perf stat: ${PERF:-off}; total $(( $(date +%s) - START_TIME )) s"
} > "$OUT/meta.txt"
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
