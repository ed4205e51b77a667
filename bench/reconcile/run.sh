#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — reconciliation stream benchmark (issue 6). A benchmark, not a test: it asserts no
# speed; it checks correctness on every run and reports the stream's rate next to a reference
# measured in the same run on the same core.
#
#   bench/reconcile/run.sh      build, run, print the summary, write bench/reconcile/out/
#
# Environment: REPS (default 3), FILES (default 4), PER_FILE (records per file, default 250000),
# SERVER_CORE / CLIENT_CORE (default 0 / 1), PORT (default 27600), SCRATCH (the build directory,
# default .build), USAGEFLOW (a release usageflow binary to use instead of building one).
#
# What runs, per repetition, on a fresh database (`usageflow init`; setup.py creates the tenants,
# registers certs/dev/client.pem as the distributor's service identity and uploads, submits and
# accepts FILES files of PER_FILE records through the API):
#   stream    `usageflow serve --event-loops 1` pinned to SERVER_CORE (all of its threads), over TLS
#             with certs/dev and --client-ca; the client is `usageflow distributor reconcile-stream`
#             (release build, pinned to CLIENT_CORE, mutual TLS with certs/dev/client.pem) sending
#             one close per record, round robin over the files, from a CSV it reads before
#             connecting. Wall time: the server's own duration of the Reconcile call (call log);
#             server CPU: utime+stime of every thread over the call (/proc/PID/stat).
#   replay    the same closes again on the same stream shape: every close answered OK, unchanged.
#   raw       the reference: raw_update.c (gcc -O2, system libsqlite3) pinned to SERVER_CORE on a
#             copy of the database taken before the stream, with the server's settings (WAL,
#             synchronous=FULL): the same closes in groups of 1,000 per BEGIN IMMEDIATE … COMMIT,
#             one prepared UPDATE per close through the same index, every input in memory.
#   raw+ev    the same on a fresh copy, also appending each close's audit event (an events row and
#             its event_audience row) as the server does: the same database work as the server.
# Checks per run: the client counted every close closed (then unchanged) and none failed; every
# record is stored closed with its billing id and every file closed with agreeing counts
# (setup.py check); the reference changed every record.
# Results: out/runs.tsv (one line per run), out/summary.txt, out/raw/ (logs).
set -euo pipefail

cd "$(dirname "$0")/../.."
HERE=bench/reconcile
OUT=$HERE/out
REPS=${REPS:-3}
FILES=${FILES:-4}
PER_FILE=${PER_FILE:-250000}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-27600}
SCRATCH=${SCRATCH:-.build}
CLOSES=$((FILES * PER_FILE))
rm -rf "$OUT"
mkdir -p "$OUT/raw" "$OUT/db"

missing=()
for package in gcc libsqlite3-dev openssl python3; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PYTHON=$(scripts/python-env.sh)
[ -f certs/dev/client.pem ] || certs/generate-dev-certs.sh >/dev/null
CERT=certs/dev/server.pem
KEY=certs/dev/server.key
CA=certs/dev/ca.pem

if [ -n "${USAGEFLOW:-}" ]; then
    cp "$USAGEFLOW" "$OUT/usageflow"
else
    swift build -c release --scratch-path "$SCRATCH" --product usageflow 2>&1 | tail -1
    cp "$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/usageflow" "$OUT/"
fi
gcc -O2 -o "$OUT/raw_update" "$HERE/raw_update.c" -lsqlite3

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

serve() {  # db log
    taskset -c "$SERVER_CORE" "$OUT/usageflow" serve --db "$1" --address "127.0.0.1:$PORT" --tls-cert "$CERT" \
        --tls-key "$KEY" --client-ca "$CA" --event-loops 1 --log-level info >> "$2" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return
        sleep 0.05
    done
}

stop() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# One stream through the CLI; prints: wall_s cpu_s closed unchanged failed
stream() {  # log name
    local cpu0 cpu1 summary
    cpu0=$(cpu_ticks "$SERVER_PID")
    taskset -c "$CLIENT_CORE" "$OUT/usageflow" distributor reconcile-stream --in "$OUT/closes.csv" \
        --server "127.0.0.1:$PORT" --ca "$CA" --cert certs/dev/client.pem --client-key certs/dev/client.key \
        --json --no-progress > "$OUT/raw/$2.json" 2> "$OUT/raw/$2.stderr" || true
    cpu1=$(cpu_ticks "$SERVER_PID")
    python3 - "$1" "$OUT/raw/$2.json" "$cpu0" "$cpu1" "$HZ" <<'EOF'
import json, sys
log, summary, cpu0, cpu1, hz = sys.argv[1:]
calls = [json.loads(line) for line in open(log) if 'ReconciliationService/Reconcile"' in line]
wall = calls[-1]["duration_us"] / 1e6 if calls else 0.0
try:
    s = json.load(open(summary))
    counts = (s["closed"], s["unchanged"], s["failed"])
except (ValueError, KeyError):
    counts = (0, 0, -1)
print(f"{wall:.3f} {(int(cpu1) - int(cpu0)) / int(hz):.2f} {counts[0]} {counts[1]} {counts[2]}")
EOF
}

printf 'rep\trun\tcloses\twall_s\tcpu_s\tcloses_per_s\tvalid\tnote\n' > "$OUT/runs.tsv"
record() {  # rep run closes wall cpu valid note
    local rate
    rate=$(python3 -c "import sys; w=float(sys.argv[2]); print(f'{int(sys.argv[1]) / w:.0f}' if w > 0 else 0)" "$3" "$4")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$rate" "$6" "$7" >> "$OUT/runs.tsv"
    printf '  %-7s %8s closes  %8ss  cpu %6ss  %9s/s  valid %-3s %s\n' "$2" "$3" "$4" "$5" "$rate" "$6" "$7"
}

START_TIME=$(date +%s)
for rep in $(seq 1 "$REPS"); do
    echo "repetition $rep/$REPS"
    db=$OUT/db/$rep
    mkdir -p "$db"
    log=$OUT/raw/server-$rep.log
    key=$("$OUT/usageflow" init --db "$db/usageflow.db" | grep -oE 'KEY-[0-9]{4}-[0-9]{4}\.[A-Za-z0-9_-]{20,}' | head -1)
    serve "$db/usageflow.db" "$log"
    "$PYTHON" "$HERE/setup.py" "$OUT" world "127.0.0.1:$PORT" "$CA" "$key" certs/dev/client.pem "$FILES" "$PER_FILE"
    # The reference's copy, taken with the server stopped so the file holds every commit.
    stop
    cp "$db/usageflow.db" "$db/raw.db"
    cp "$db/raw.db" "$db/raw.db.orig"
    "$PYTHON" "$HERE/setup.py" "$OUT" raw "$db/raw.db"
    serve "$db/usageflow.db" "$log"

    read -r wall cpu closed unchanged failed <<< "$(stream "$log" "stream-$rep")"
    check=$("$PYTHON" "$HERE/setup.py" "$OUT" check "$db/usageflow.db" "$CLOSES" | tail -1)
    valid=no
    [ "$closed" = "$CLOSES" ] && [ "$failed" = 0 ] && [[ $check == "check: ok"* ]] && valid=yes
    echo "    $check" | tee -a "$OUT/checks.txt"
    record "$rep" stream "$CLOSES" "$wall" "$cpu" "$valid" "closed $closed, failed $failed"

    read -r wall cpu closed unchanged failed <<< "$(stream "$log" "replay-$rep")"
    valid=no
    [ "$unchanged" = "$CLOSES" ] && [ "$failed" = 0 ] && valid=yes
    record "$rep" replay "$CLOSES" "$wall" "$cpu" "$valid" "unchanged $unchanged, failed $failed"
    stop

    read -r count wall cpu changed <<< "$(taskset -c "$SERVER_CORE" "$OUT/raw_update" "$db/raw.db" \
        "$OUT/raw-closes.tsv" 1000)"
    valid=no
    [ "$count" = "$CLOSES" ] && [ "$changed" = "$CLOSES" ] && valid=yes
    record "$rep" raw "$count" "$wall" "$cpu" "$valid" "changed $changed"

    cp "$db/raw.db.orig" "$db/raw.db"
    read -r count wall cpu changed <<< "$(taskset -c "$SERVER_CORE" "$OUT/raw_update" "$db/raw.db" \
        "$OUT/raw-closes.tsv" 1000 events)"
    events=$(sqlite3 "$db/raw.db" "SELECT count(*) FROM events WHERE object_type = 'usage_record'")
    valid=no
    [ "$count" = "$CLOSES" ] && [ "$changed" = "$CLOSES" ] && [ "$events" = "$CLOSES" ] && valid=yes
    record "$rep" raw+ev "$count" "$wall" "$cpu" "$valid" "changed $changed, events $events"
    rm -rf "$db"
done

{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+dirty')"
    echo "settings: REPS=$REPS FILES=$FILES PER_FILE=$PER_FILE ($CLOSES closes); server and reference on core $SERVER_CORE, client on core $CLIENT_CORE; total $(( $(date +%s) - START_TIME )) s"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    python3 - "$OUT/runs.tsv" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])][1:]
by = {}
for rep, run, closes, wall, cpu, rate, valid, note in rows:
    by.setdefault(run, []).append((float(wall), float(cpu), int(closes), valid))
def median(run, index):
    return statistics.median(r[index] for r in by[run])
for run in ("stream", "replay", "raw", "raw+ev"):
    if run in by:
        wall, cpu, closes = median(run, 0), median(run, 1), by[run][0][2]
        valid = all(r[3] == "yes" for r in by[run])
        print(f"{run}: median wall {wall:.2f} s ({closes / wall:,.0f} closes/s), cpu {cpu:.2f} s, all valid: {valid}")
if "stream" in by and "raw" in by:
    for reference in ("raw", "raw+ev"):
        if reference in by:
            print(f"stream / {reference}: {median(reference, 0) / median('stream', 0):.0%} of its rate by wall time, "
                  f"{median(reference, 1) / median('stream', 1):.0%} by CPU time")
    print(f"goal >= 50,000 closes/s: {'met' if by['stream'][0][2] / median('stream', 0) >= 50_000 else 'not met'}")
EOF
} | tee "$OUT/summary.txt"
