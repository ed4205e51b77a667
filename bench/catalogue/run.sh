#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — catalogue read benchmark (issue: tenancy and catalogue). A benchmark, not a test: it
# asserts no speed; it checks correctness on every run and reports the catalogue reads as a ratio
# of the bare RPC rate (interop-server's BenchmarkService/UnaryCall), same machine, same run.
#
#   bench/catalogue/run.sh       build, run, print the table, write bench/catalogue/out/
#
# Environment: REPS (interleaved repetitions, default 5), SECS (target seconds per measured run,
# default 2), SERVER_CORE / CLIENT_CORE (default 0 / 1), PORT_BASE (default 27300), SCRATCH (the
# build directory, default .build), COMMIT (names the sources in the summary when they are not a git
# checkout; default from git), ITEMS (items in the product and the ListItems page, default 100).
#
# What runs (the approach of bench/grpc/run.sh, whose request bodies and status shim it reuses):
# * Servers, each pinned with `taskset -c $SERVER_CORE`, all of their threads included, over TLS
#   with certs/dev, one event loop (`--event-loops 1`):
#     usageflow      `usageflow serve --log-level warn` on a fresh SQLite database in out/db/
#                    (`usageflow init`), holding one vendor, one product and ITEMS items that
#                    setup.py creates through the API;
#     interop-server the gRPC transport's benchmark server (the reference).
# * Load: h2load pinned to $CLIENT_CORE (-t 1), TLS 1.3 with TLS_AES_128_GCM_SHA256, -c 16 -m 16
#   (bench/grpc's unary workload):
#     unary       interop-server BenchmarkService/UnaryCall, 1 byte each way (the bare RPC)
#     getproduct  usageflow VendorService/GetProduct with `authorization: Bearer <vendor key>`
#     listitems   usageflow VendorService/ListItems{product_id, page_size ITEMS}, same header
#     unary-large interop-server UnaryCall with a reply as large as ListItems' (unary_like.py), for
#                 information: what the transport alone costs for that many reply bytes
#   Each workload first gets a calibration run (also the warm-up) that sizes -n to about SECS
#   seconds; then REPS repetitions, interleaved (the order rotates every repetition) so that load
#   from other processes falls on every workload alike.
# * Per run: h2load's req/s; the server's CPU time (utime+stime of all threads, /proc/PID/stat)
#   per call; the busy time of other processes on the server's core (noise). Gates: every request
#   succeeded, the DATA bytes equal calls × the exact reply size, and the server-side grpc-status
#   counters (bench/grpc/status-shim.c, LD_PRELOAD) moved by exactly one OK per call and nothing
#   else. setup.py checks the replies' content with grpcio before and after the load.
# Results: out/runs.tsv (one line per run), out/summary.md (medians, ratios, the goal), out/raw/.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=bench/catalogue
OUT=$HERE/out
REPS=${REPS:-5}
SECS=${SECS:-2}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT_BASE=${PORT_BASE:-27300}
SCRATCH=${SCRATCH:-.build}
export ITEMS=${ITEMS:-100}
START_TIME=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/raw" "$OUT/db"

# 1. Tools.
missing=()
for package in nghttp2-client gcc openssl python3; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "run.sh: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PYTHON=$(scripts/python-env.sh)
taskset -c "$SERVER_CORE" true && taskset -c "$CLIENT_CORE" true || {
    echo "run.sh: cores $SERVER_CORE and $CLIENT_CORE must both exist" >&2
    exit 1
}
[ -f certs/dev/server.pem ] || certs/generate-dev-certs.sh >/dev/null
CERT=certs/dev/server.pem
KEY=certs/dev/server.key
CA=certs/dev/ca.pem

# 2. Builds (release; binaries copied so concurrent rebuilds cannot change them mid-run), the
#    status shim, and the UnaryCall body and reply size from bench/grpc/make_bodies.py.
for product in usageflow interop-server; do
    swift build -c release --scratch-path "$SCRATCH" --product "$product" 2>&1 | tail -1
done
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
cp "$BIN/usageflow" "$BIN/interop-server" "$OUT/"
# COMMIT names the sources when they are not a git checkout (an exported tree).
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+dirty')}
gcc -O2 -shared -fPIC -o "$OUT/status-shim.so" bench/grpc/status-shim.c -ldl
python3 bench/grpc/make_bodies.py "$OUT/grpc" 1 1 > /dev/null
mkdir -p "$OUT/bodies"
cp "$OUT/grpc/bodies/unary.bin" "$OUT/bodies/unary.bin"
grep '^unary ' "$OUT/grpc/expect.txt" > "$OUT/expect.txt"

# 3. Servers and data.
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.3
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

declare -A PORT PID STATS
wait_listening() {  # port
    for _ in $(seq 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "run.sh: nothing listens on port $1" >&2
    exit 1
}
start_server() {  # name port command...
    local name=$1 port=$2
    shift 2
    local stats="$ROOT/$OUT/$name.cnt"
    GRPC_STATUS_COUNTS="$stats" LD_PRELOAD="$ROOT/$OUT/status-shim.so" taskset -c "$SERVER_CORE" "$@" \
        > "$OUT/raw/$name.log" 2>&1 &
    PID[$name]=$!
    PIDS+=($!)
    PORT[$name]=$port
    STATS[$name]=$stats
    wait_listening "$port"
}

DB=$OUT/db/usageflow.db
OPERATOR_KEY=$("$OUT/usageflow" init --db "$DB" | grep -oE 'KEY-[0-9]{4}-[0-9]{4}\.[A-Za-z0-9_-]{20,}' | head -1)
[ -n "$OPERATOR_KEY" ] || { echo "run.sh: usageflow init printed no operator key" >&2; exit 1; }
start_server usageflow $((PORT_BASE + 1)) "$OUT/usageflow" serve --db "$DB" --address "127.0.0.1:$((PORT_BASE + 1))" \
    --tls-cert "$CERT" --tls-key "$KEY" --event-loops 1 --log-level warn
start_server interop $((PORT_BASE + 2)) "$OUT/interop-server" --port $((PORT_BASE + 2)) --tls-cert "$CERT" \
    --tls-key "$KEY" --event-loops 1
echo "setup: $("$PYTHON" "$HERE/setup.py" "$OUT" setup "127.0.0.1:${PORT[usageflow]}" "$CA" "$OPERATOR_KEY" | tail -1)" \
    | tee "$OUT/checks.txt"
VENDOR_KEY=$(cat "$OUT/vendor.key")
# The same bare RPC with a reply as large as ListItems': the transport's share of that read.
python3 "$HERE/unary_like.py" "$OUT" unary-large "$(awk '$1 == "listitems" {print $4}' "$OUT/expect.txt")"

# 4. The runs.
declare -A EXPECT_PATH EXPECT_REPLY SERVER_OF N
while read -r name path _ reply _; do
    EXPECT_PATH[$name]=$path
    EXPECT_REPLY[$name]=$reply
done < "$OUT/expect.txt"
SERVER_OF=([unary]=interop [getproduct]=usageflow [listitems]=usageflow [unary-large]=interop)
WORKLOADS=(unary getproduct listitems unary-large)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
core_busy() {  # busy jiffies of the server's core
    awk -v c="cpu$SERVER_CORE" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}
counters() { od -An -t u8 -w256 -v "$1" | tr -s ' ' | sed 's/^ //'; }
CONCURRENCY=(-c 16 -m 16)
UNIT=256  # calls in flight: -n is a multiple of it

printf 'rep\tworkload\tserver\tcalls\twall_s\treq_per_s\tcpu_s\tdata_bytes\texpected_bytes\tstatus_ok\tstatus_bad\tvalid\tother_core_busy_s\n' \
    > "$OUT/runs.tsv"

run_one() {  # rep(0 = calibration) workload n
    local rep=$1 workload=$2 n=$3
    local server=${SERVER_OF[$workload]}
    local pid=${PID[$server]} url="https://127.0.0.1:${PORT[$server]}${EXPECT_PATH[$workload]}"
    local raw="$OUT/raw/$rep-$workload.txt"
    local args=(-t 1 "${CONCURRENCY[@]}" -n "$n" -H 'content-type: application/grpc' -H 'te: trailers'
        --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/bodies/$workload.bin")
    [ "$server" = usageflow ] && args+=(-H "authorization: Bearer $VENDOR_KEY")
    local before_counts cpu0 busy0 started
    before_counts=$(counters "${STATS[$server]}")
    cpu0=$(cpu_ticks "$pid")
    busy0=$(core_busy)
    started=$(date +%s.%N)
    timeout $((SECS * 10 + 60)) taskset -c "$CLIENT_CORE" h2load "${args[@]}" "$url" > "$raw" 2>&1 || true
    local cpu1 busy1 ended after_counts
    ended=$(date +%s.%N)
    cpu1=$(cpu_ticks "$pid")
    busy1=$(core_busy)
    after_counts=$(counters "${STATS[$server]}")
    python3 - "$rep" "$workload" "$server" "$raw" "$cpu0" "$cpu1" "$busy0" "$busy1" "${EXPECT_REPLY[$workload]}" \
        "$(getconf CLK_TCK)" "$before_counts" "$after_counts" >> "$OUT/runs.tsv" <<'EOF'
import re, sys
(rep, workload, server, raw, cpu0, cpu1, busy0, busy1, reply, hz, before, after) = sys.argv[1:]
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
delta = [a - b for a, b in zip(map(int, after.split()), map(int, before.split()))]
ok, bad = delta[0], sum(delta[1:19])
cpu = (int(cpu1) - int(cpu0)) / hz
other = max(0.0, (int(busy1) - int(busy0)) / hz - cpu)
expected = succeeded * int(reply)
valid = failed == 0 and succeeded > 0 and data == expected and ok == succeeded and bad == 0
rate = float(grab(r"finished in [\d.]+m?s, ([\d.]+) req/s"))
print("\t".join(map(str, [rep, workload, server, succeeded, f"{wall:.3f}", f"{rate:.1f}", f"{cpu:.2f}", data,
                          expected, ok, bad, "yes" if valid else "NO", f"{other:.2f}"])))
EOF
    local line
    line=$(tail -1 "$OUT/runs.tsv")
    if [ "$rep" = 0 ]; then
        # Calibration (also the warm-up): size -n for about SECS seconds of load.
        N[$workload]=$(python3 -c "import math,sys; r=float(sys.argv[1]); print(max($UNIT, math.ceil(r*$SECS/$UNIT)*$UNIT))" \
            "$(echo "$line" | cut -f6)")
    fi
    echo "$line" | awk -F'\t' '{printf "  %-11s %-10s %8s calls  %10s/s  cpu %6ss  valid %-3s  other-load %ss\n", $2, $3, $4, $6, $7, $12, $13}'
}

echo "calibration (also the warm-up)"
for workload in "${WORKLOADS[@]}"; do
    run_one 0 "$workload" $((UNIT * 40))
done
for rep in $(seq 1 "$REPS"); do
    echo "repetition $rep/$REPS"
    for i in "${!WORKLOADS[@]}"; do
        workload=${WORKLOADS[$(( (rep - 1 + i) % ${#WORKLOADS[@]} ))]}
        run_one "$rep" "$workload" "${N[$workload]}"
    done
done

# 5. Correctness again, after the load.
echo "after: $("$PYTHON" "$HERE/setup.py" "$OUT" check "127.0.0.1:${PORT[usageflow]}" "$CA" | tail -1)" \
    | tee -a "$OUT/checks.txt"

# 6. Summary.
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); commit $COMMIT"
    echo "tools: $(h2load --version | head -1), $(swift --version 2>/dev/null | head -1)"
    echo "settings: REPS=$REPS SECS=$SECS ITEMS=$ITEMS, server core $SERVER_CORE, h2load core $CLIENT_CORE (-t 1 -c 16 -m 16); total $(( $(date +%s) - START_TIME )) s"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
