#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage export benchmark (issue: export for billing). A benchmark, not a test: it
# asserts no speed; it checks correctness and reports the export as a ratio of a reference measured
# in the same run on the same core.
#
#   bench/export/run.sh       build, run, print the summary, write bench/export/out/
#
# Environment: REPS (repetitions of the timed export, default 3), RECORDS (default 1000000),
# SERVER_CORE / CLIENT_CORE (default 0 / 1), PORT (default 27500), SCRATCH (the build directory,
# default .build).
#
# Set-up, once: a fresh database (`usageflow init`); bench/ingest/setup.py's tenants (vendor,
# distributor, channel, QT product with two published PPU items, 10 subscriptions) and its RECORDS
# valid records (cached per day in bench/ingest/cache), uploaded by h2load with UploadRecords;
# then the file is submitted and accepted, so every record is approved. The server is
# `usageflow serve --log-level warn --event-loops 1` pinned to SERVER_CORE (all its threads), over
# TLS with certs/dev, as in the ingest benchmark.
# Per repetition:
#   export    one ExportRecords call for the file, batches of 1,000, sent by h2load (-n 1, pinned to
#             CLIENT_CORE), which reads and discards the whole stream: wall time from the request to
#             the trailers, bytes received, the server's CPU time (utime+stime of all threads) and
#             its RSS before and after (VmRSS) and peak (VmHWM).
#   raw       the reference: raw_scan.c (gcc -O2, system libsqlite3) pinned to SERVER_CORE, running
#             the server's own SELECTs over the same database file: the files in order, then the
#             records by position in batches of 1,000, one read transaction per batch, reading every
#             column of every row.
# Checks: grpc-status 0 for every export (bench/grpc/status-shim.c), and once, through grpcio, the
# export holds RECORDS records R0000001… in order, each once, each with its item and subscription
# (setup.py check); the reference read RECORDS rows.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=bench/export
INGEST=bench/ingest
OUT=$HERE/out
CACHE=$INGEST/cache
REPS=${REPS:-3}
export RECORDS=${RECORDS:-1000000}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-27500}
SCRATCH=${SCRATCH:-.build}
START_TIME=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/raw" "$CACHE"

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
[ -f certs/dev/server.pem ] || certs/generate-dev-certs.sh >/dev/null
CERT=certs/dev/server.pem
KEY=certs/dev/server.key
CA=certs/dev/ca.pem

swift build -c release --scratch-path "$SCRATCH" --product usageflow 2>&1 | tail -1
cp "$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/usageflow" "$OUT/"
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+dirty')}
gcc -O2 -o "$OUT/raw_scan" "$HERE/raw_scan.c" -lsqlite3
gcc -O2 -shared -fPIC -o "$OUT/status-shim.so" bench/grpc/status-shim.c -ldl

DAY=$(date -u +%F)
STREAM=$CACHE/records-$RECORDS-$DAY.bin
if [ ! -f "$STREAM" ]; then
    echo "inputs: encoding $RECORDS records"
    "$PYTHON" "$INGEST/setup.py" "$OUT" records "$RECORDS" "$STREAM"
fi

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
counters() { od -An -t u8 -w256 -v "$1" | tr -s ' ' | sed 's/^ //'; }
HZ=$(getconf CLK_TCK)

# The server and its data: one database for every repetition (an export only reads).
DB=$OUT/db
mkdir -p "$DB"
OPERATOR_KEY=$("$OUT/usageflow" init --db "$DB/usageflow.db" | grep -oE 'KEY-[0-9]{4}-[0-9]{4}\.[A-Za-z0-9_-]{20,}' | head -1)
STATS=$ROOT/$OUT/raw/status.cnt
GRPC_STATUS_COUNTS="$STATS" LD_PRELOAD="$ROOT/$OUT/status-shim.so" taskset -c "$SERVER_CORE" \
    "$OUT/usageflow" serve --db "$DB/usageflow.db" --address "127.0.0.1:$PORT" --tls-cert "$CERT" \
    --tls-key "$KEY" --event-loops 1 --log-level warn --spool-dir "$DB" > "$OUT/raw/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.05
done
"$PYTHON" "$HERE/setup.py" "$OUT" tenants "127.0.0.1:$PORT" "$CA" "$OPERATOR_KEY"
FILE=$("$PYTHON" "$INGEST/setup.py" "$OUT" file "127.0.0.1:$PORT" "$CA" records "Export bench")
ids() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$OUT/ids.json" "$1"; }
cat "$OUT/records.header" "$STREAM" > "$OUT/body.bin"
echo "set-up: uploading $RECORDS records to $FILE"
taskset -c "$CLIENT_CORE" h2load -t 1 -c 1 -m 1 -n 1 -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "authorization: Bearer $(ids vendor_key)" -d "$OUT/body.bin" \
    "https://127.0.0.1:$PORT/usageflow.v1.VendorService/UploadRecords" > "$OUT/raw/upload.h2load" 2>&1
rm -f "$OUT/body.bin"
"$PYTHON" "$HERE/setup.py" "$OUT" accept "127.0.0.1:$PORT" "$CA" "$FILE" | tee "$OUT/checks.txt"
DISTRIBUTOR=$(sqlite3 "$DB/usageflow.db" "SELECT distributor_id FROM usage_files WHERE id = '$FILE'")
"$PYTHON" "$HERE/setup.py" "$OUT" request "$FILE" "$OUT/export.body"
DIST_KEY=$(ids distributor_key)
echo "set-up: checking the export through grpcio"
"$PYTHON" "$HERE/setup.py" "$OUT" check "127.0.0.1:$PORT" "$CA" "$FILE" "$RECORDS" | tee -a "$OUT/checks.txt"

printf 'rep\trun\trecords\twall_s\tcpu_s\trecords_per_s\trss_before_mib\trss_after_mib\tpeak_rss_mib\tbytes\tvalid\n' > "$OUT/runs.tsv"
for rep in $(seq 1 "$REPS"); do
    echo "repetition $rep/$REPS"
    before=$(counters "$STATS")
    cpu0=$(cpu_ticks "$SERVER_PID")
    rss0=$(kib "$SERVER_PID" VmRSS)
    taskset -c "$CLIENT_CORE" h2load -t 1 -c 1 -m 1 -n 1 -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $DIST_KEY" --tls13-ciphers=TLS_AES_128_GCM_SHA256 -d "$OUT/export.body" \
        "https://127.0.0.1:$PORT/usageflow.v1.DistributorService/ExportRecords" > "$OUT/raw/export-$rep.h2load" 2>&1 || true
    cpu1=$(cpu_ticks "$SERVER_PID")
    rss1=$(kib "$SERVER_PID" VmRSS)
    hwm=$(kib "$SERVER_PID" VmHWM)
    after=$(counters "$STATS")
    python3 - "$OUT/raw/export-$rep.h2load" "$cpu0" "$cpu1" "$HZ" "$rss0" "$rss1" "$hwm" "$before" "$after" \
        "$RECORDS" "$rep" >> "$OUT/runs.tsv" <<'PY'
import re, sys
raw, cpu0, cpu1, hz, rss0, rss1, hwm, before, after, records, rep = sys.argv[1:]
text = open(raw).read()
m = re.search(r"finished in ([\d.]+)(m?s)", text)
wall = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1) if m else 0.0
total = re.search(r"traffic: .*? \((\d+)\) total", text)
succeeded = re.search(r"(\d+) succeeded", text)
delta = [a - b for a, b in zip(map(int, after.split()), map(int, before.split()))]
valid = "yes" if succeeded and int(succeeded.group(1)) == 1 and delta[0] == 1 and sum(delta[1:19]) == 0 else "no"
cpu = (int(cpu1) - int(cpu0)) / int(hz)
rate = int(records) / wall if wall else 0
print(f"{rep}\texport\t{records}\t{wall:.3f}\t{cpu:.2f}\t{rate:.0f}\t{int(rss0)//1024}\t{int(rss1)//1024}\t"
      f"{int(hwm)//1024}\t{total.group(1) if total else 0}\t{valid}")
PY
    tail -1 "$OUT/runs.tsv"
    read -r rows wall cpu bytes <<< "$(taskset -c "$SERVER_CORE" "$OUT/raw_scan" "$DB/usageflow.db" "$DISTRIBUTOR" 1000)"
    valid=no
    [ "$rows" = "$RECORDS" ] && valid=yes
    rate=$(python3 -c "import sys; w=float(sys.argv[2]); print(f'{int(sys.argv[1]) / w:.0f}' if w > 0 else 0)" "$rows" "$wall")
    printf '%s\traw\t%s\t%s\t%s\t%s\t-\t-\t-\t%s\t%s\n' "$rep" "$rows" "$wall" "$cpu" "$rate" "$bytes" "$valid" >> "$OUT/runs.tsv"
    tail -1 "$OUT/runs.tsv"
done
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); commit $COMMIT"
    echo "tools: $(h2load --version | head -1), SQLite $(sqlite3 --version | cut -d' ' -f1), $(swift --version 2>/dev/null | head -1)"
    echo "settings: REPS=$REPS RECORDS=$RECORDS, server and reference on core $SERVER_CORE, h2load on core $CLIENT_CORE; total $(( $(date +%s) - START_TIME )) s"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"
python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import csv, statistics, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/runs.tsv"), delimiter="\t"))
def median(run, field):
    return statistics.median(float(r[field]) for r in rows if r["run"] == run)
ours, raw = median("export", "wall_s"), median("raw", "wall_s")
ours_cpu, raw_cpu = median("export", "cpu_s"), median("raw", "cpu_s")
records = int(rows[0]["records"])
print(open(f"{out}/meta.txt").read())
print(f"export: {ours:.2f} s wall ({records / ours:,.0f} records/s), server CPU {ours_cpu:.2f} s, "
      f"peak RSS {max(int(r['peak_rss_mib']) for r in rows if r['run'] == 'export')} MiB, "
      f"{int(median('export', 'bytes')):,} bytes")
print(f"raw:    {raw:.2f} s wall ({records / raw:,.0f} rows/s), CPU {raw_cpu:.2f} s")
print(f"ratio (our rate / raw rate): {raw / ours:.0%} by wall time, {raw_cpu / ours_cpu:.0%} by CPU; goal >= 60%")
print(f"all runs valid: {all(r['valid'] == 'yes' for r in rows)}")
PY
