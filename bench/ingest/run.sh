#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage ingest benchmark (issue: usage files). A benchmark, not a test: it asserts no
# speed; it checks correctness on every run and reports each ingest as a ratio of a reference
# measured in the same run on the same core.
#
#   bench/ingest/run.sh       build, run, print the summary, write bench/ingest/out/
#
# Environment: REPS (repetitions, default 3), RECORDS (record-stream size, default 1000000), ROWS
# (workbook rows, default 200000), SERVER_CORE / CLIENT_CORE (default 0 / 1), PORT (default 27400),
# SCRATCH (the build directory, default .build), COMMIT (names the sources when they are not a git
# checkout; default from git).
#
# What runs, per repetition, each on a fresh database (`usageflow init`, then setup.py creates a
# vendor, a distributor, a contract, a listed QT product with two published PPU items and 10
# subscriptions through the API), with `usageflow serve --log-level warn --event-loops 1` pinned
# to SERVER_CORE (all of its threads) over TLS with certs/dev:
#   records   one UploadRecords call: a header, then RECORDS valid QT records in batches of 1,000
#             (setup.py records: pre-encoded, framed gRPC messages, cached per day), sent by h2load
#             (-n 1, pinned to CLIENT_CORE) as one request body, so the client costs next to
#             nothing. Wall time from the first byte to the reply (h2load), the server's CPU time
#             (utime+stime of every thread, /proc/PID/stat) and its peak RSS (VmHWM).
#   raw       the reference for `records`: raw_insert.c (gcc -O2, system libsqlite3) pinned to
#             SERVER_CORE, inserting the very rows the server stored (setup.py dump) into a fresh
#             database with the server's schema and settings (WAL, synchronous=FULL): one
#             transaction, one prepared one-row INSERT per row, SQLITE_STATIC bindings.
#   raw64     the same with a prepared INSERT of 64 rows, the shape the server's inserts have;
#             reported for information beside the goal's ratio.
#   xlsx      one UploadUsageFile call with a ROWS-row workbook written by openpyxl (text, numbers,
#             Excel date cells) in 64 KiB chunks, by h2load as above: spool, parse, validate, commit.
#   openpyxl  the reference for `xlsx`: openpyxl iterating the same workbook's records sheet
#             read-only, values only, pinned to SERVER_CORE.
# Each timed run starts after `sync`: the step before it (a 400 MB database, the 320 MB dump of its
# rows) leaves dirty pages that the kernel would otherwise write back during the run, slowing
# whichever run comes next (without it, raw_insert.c ran up to 15 % slower right after the dump).
# Checks per run: the server answered grpc-status 0 (bench/grpc/status-shim.c), the file is
# `ready` with every record valid and its first page of records equals what was sent
# (setup.py check), and for `records` every stored row is checked against the record sent
# (setup.py dump); openpyxl must see ROWS rows.
# Results: out/runs.tsv (one line per run), out/summary.md (medians, ratios, goals), out/raw/.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=bench/ingest
OUT=$HERE/out
CACHE=$HERE/cache
REPS=${REPS:-3}
export RECORDS=${RECORDS:-1000000}
export ROWS=${ROWS:-200000}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-27400}
SCRATCH=${SCRATCH:-.build}
START_TIME=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/raw" "$CACHE"

# 1. Tools.
missing=()
for package in nghttp2-client gcc libsqlite3-dev openssl python3; do
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
CA=certs/dev/ca.pem
source "$HERE/server.sh"

# 2. Builds: the release server (copied, so a concurrent rebuild cannot change it mid-run), the
#    reference and the status shim.
swift build -c release --scratch-path "$SCRATCH" --product usageflow 2>&1 | tail -1
cp "$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/usageflow" "$OUT/"
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+dirty')}
gcc -O2 -o "$OUT/raw_insert" "$HERE/raw_insert.c" -lsqlite3
gcc -O2 -shared -fPIC -o "$OUT/status-shim.so" bench/grpc/status-shim.c -ldl

# 3. Inputs, cached per day (the period lies ahead of today) and size.
DAY=$(date -u +%F)
STREAM=$CACHE/records-$RECORDS-$DAY.bin
WORKBOOK=$CACHE/workbook-$ROWS-$DAY.xlsx
CHUNKS=$CACHE/workbook-$ROWS-$DAY.chunks
find "$CACHE" -type f ! -name "*-$DAY.*" -delete
if [ ! -f "$STREAM" ]; then
    echo "inputs: encoding $RECORDS records"
    "$PYTHON" "$HERE/setup.py" "$OUT" records "$RECORDS" "$STREAM"
fi
if [ ! -f "$WORKBOOK" ]; then
    echo "inputs: writing a $ROWS-row workbook with openpyxl"
    "$PYTHON" "$HERE/setup.py" "$OUT" xlsx "$ROWS" "$WORKBOOK"
fi
[ -f "$CHUNKS" ] || "$PYTHON" "$HERE/setup.py" "$OUT" chunks "$WORKBOOK" "$CHUNKS"
echo "inputs: stream $(stat -c %s "$STREAM") bytes ($RECORDS records), workbook $(stat -c %s "$WORKBOOK") bytes ($ROWS rows)"

# 4. One server at a time, each on a fresh database.
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '$1 == "VmHWM:" {print $2}' "/proc/$1/status"; }
counters() { od -An -t u8 -w256 -v "$1" | tr -s ' ' | sed 's/^ //'; }
HZ=$(getconf CLK_TCK)

start_server() {  # name
    STATS=$ROOT/$OUT/raw/$1.cnt
    rm -f "$STATS"
    start_ingest_server "$OUT/usageflow" "$OUT/db/$1" "$PORT" "$OUT/raw/$1.log" \
        GRPC_STATUS_COUNTS="$STATS" LD_PRELOAD="$ROOT/$OUT/status-shim.so"
}

# One upload through h2load; prints: wall_s cpu_s hwm_before_kib hwm_after_kib status_ok status_other
upload() {  # kind body method
    local kind=$1 body=$2 method=$3 raw=$OUT/raw/$4.h2load
    local before cpu0 cpu1 hwm0 hwm1 after
    before=$(counters "$STATS")
    cpu0=$(cpu_ticks "$SERVER_PID")
    hwm0=$(hwm_kib "$SERVER_PID")
    send_upload "$body" "$PORT" "$method" > "$raw" 2>&1 || true
    cpu1=$(cpu_ticks "$SERVER_PID")
    hwm1=$(hwm_kib "$SERVER_PID")
    after=$(counters "$STATS")
    python3 - "$raw" "$cpu0" "$cpu1" "$HZ" "$hwm0" "$hwm1" "$before" "$after" <<'EOF'
import re, sys
raw, cpu0, cpu1, hz, hwm0, hwm1, before, after = sys.argv[1:]
text = open(raw).read()
m = re.search(r"finished in ([\d.]+)(m?s)", text)
wall = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1) if m else 0.0
succeeded = re.search(r"(\d+) succeeded", text)
delta = [a - b for a, b in zip(map(int, after.split()), map(int, before.split()))]
ok = delta[0] if succeeded and int(succeeded.group(1)) == 1 else 0
print(f"{wall:.3f} {(int(cpu1) - int(cpu0)) / int(hz):.2f} {hwm0} {hwm1} {ok} {sum(delta[1:19])}")
EOF
}

printf 'rep\trun\tunits\twall_s\tcpu_s\tunits_per_s\tpeak_rss_mib\tvalid\tnote\n' > "$OUT/runs.tsv"
record() {  # rep run units wall cpu rss valid note
    local rate
    rate=$(python3 -c "import sys; w=float(sys.argv[2]); print(f'{int(sys.argv[1]) / w:.0f}' if w > 0 else 0)" "$3" "$4")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$rate" "$6" "$7" "$8" >> "$OUT/runs.tsv"
    printf '  %-9s %8s units  %8ss  cpu %6ss  %9s/s  rss %6s MiB  valid %-3s %s\n' "$2" "$3" "$4" "$5" "$rate" "$6" "$7" "$8"
}

for rep in $(seq 1 "$REPS"); do
    echo "repetition $rep/$REPS"

    # records: UploadRecords, then every stored row checked and dumped for the reference.
    start_server "records-$rep"
    file=$("$PYTHON" "$HERE/setup.py" "$OUT" file "127.0.0.1:$PORT" "$CA" records "Stream $rep")
    cat "$OUT/records.header" "$STREAM" > "$OUT/body.bin"
    sync  # the previous step's dirty pages are written back now, not during this run
    read -r wall cpu hwm0 hwm1 ok other <<< "$(upload records "$OUT/body.bin" UploadRecords "records-$rep")"
    check=$("$PYTHON" "$HERE/setup.py" "$OUT" check "127.0.0.1:$PORT" "$CA" records "$file" "$RECORDS" 2>&1 | tail -1) || true
    stop_ingest_server
    dump=$("$PYTHON" "$HERE/setup.py" "$OUT" dump "$OUT/db/records-$rep/usageflow.db" "$OUT/schema.sql" \
        "$OUT/rows.bin" "$RECORDS" 2>&1 | tail -1) || true
    valid=no
    [ "$ok" = 1 ] && [ "$other" = 0 ] && [[ $check == "check: ok"* ]] && [[ $dump == "dump: $RECORDS rows checked"* ]] \
        && valid=yes
    echo "    $check; $dump; grpc-status 0: $ok, other: $other" | tee -a "$OUT/checks.txt"
    record "$rep" records "$RECORDS" "$wall" "$cpu" "$((hwm1 / 1024))" "$valid" "rss before the upload $((hwm0 / 1024)) MiB"
    rm -f "$OUT/body.bin"

    # raw: the same rows into the same schema, plain C.
    rm -rf "$OUT/db/raw-$rep"
    mkdir -p "$OUT/db/raw-$rep"
    sync  # the previous step's dirty pages are written back now, not during this run
    read -r rows wall cpu _ <<< "$(taskset -c "$SERVER_CORE" "$OUT/raw_insert" "$OUT/db/raw-$rep/raw.db" "$OUT/schema.sql" \
        "$OUT/rows.bin")"
    stored=$(sqlite3 "$OUT/db/raw-$rep/raw.db" "SELECT count(*) FROM usage_records")
    valid=no
    [ "$rows" = "$RECORDS" ] && [ "$stored" = "$RECORDS" ] && valid=yes
    record "$rep" raw "$rows" "$wall" "$cpu" "-" "$valid" "stored $stored"
    rm -rf "$OUT/db/raw-$rep"

    # raw64: the same, with the server's statement shape (64 rows per INSERT), for information.
    mkdir -p "$OUT/db/raw-$rep"
    sync  # the previous step's dirty pages are written back now, not during this run
    read -r rows wall cpu _ <<< "$(taskset -c "$SERVER_CORE" "$OUT/raw_insert" "$OUT/db/raw-$rep/raw.db" "$OUT/schema.sql" \
        "$OUT/rows.bin" 64)"
    stored=$(sqlite3 "$OUT/db/raw-$rep/raw.db" "SELECT count(*) FROM usage_records")
    valid=no
    [ "$rows" = "$RECORDS" ] && [ "$stored" = "$RECORDS" ] && valid=yes
    record "$rep" raw64 "$rows" "$wall" "$cpu" "-" "$valid" "stored $stored"
    rm -rf "$OUT/db/raw-$rep" "$OUT/db/records-$rep"

    # xlsx: UploadUsageFile with the workbook.
    start_server "xlsx-$rep"
    file=$("$PYTHON" "$HERE/setup.py" "$OUT" file "127.0.0.1:$PORT" "$CA" xlsx "Workbook $rep")
    cat "$OUT/xlsx.header" "$CHUNKS" > "$OUT/body.bin"
    sync  # the previous step's dirty pages are written back now, not during this run
    read -r wall cpu hwm0 hwm1 ok other <<< "$(upload xlsx "$OUT/body.bin" UploadUsageFile "xlsx-$rep")"
    check=$("$PYTHON" "$HERE/setup.py" "$OUT" check "127.0.0.1:$PORT" "$CA" xlsx "$file" "$ROWS" 2>&1 | tail -1) || true
    stop_ingest_server
    valid=no
    [ "$ok" = 1 ] && [ "$other" = 0 ] && [[ $check == "check: ok"* ]] && valid=yes
    echo "    $check; grpc-status 0: $ok, other: $other" | tee -a "$OUT/checks.txt"
    record "$rep" xlsx "$ROWS" "$wall" "$cpu" "$((hwm1 / 1024))" "$valid" "rss before the upload $((hwm0 / 1024)) MiB"
    rm -rf "$OUT/body.bin" "$OUT/db/xlsx-$rep"

    # openpyxl: iterating the same workbook, read-only, values only.
    sync  # the previous step's dirty pages are written back now, not during this run
    read -r rows wall cpu cells <<< "$(taskset -c "$SERVER_CORE" "$PYTHON" "$HERE/setup.py" "$OUT" openpyxl "$WORKBOOK")"
    valid=no
    [ "$rows" = "$ROWS" ] && valid=yes
    record "$rep" openpyxl "$rows" "$wall" "$cpu" "-" "$valid" "$cells cells"
done

# 5. Summary.
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); commit $COMMIT"
    echo "tools: $(h2load --version | head -1), SQLite $(sqlite3 --version | cut -d' ' -f1), $("$PYTHON" -c 'import openpyxl, sys; print(f"openpyxl {openpyxl.__version__}, Python {sys.version.split()[0]}")'), $(swift --version 2>/dev/null | head -1)"
    echo "settings: REPS=$REPS RECORDS=$RECORDS ROWS=$ROWS, server and references on core $SERVER_CORE, h2load on core $CLIENT_CORE; total $(( $(date +%s) - START_TIME )) s"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
