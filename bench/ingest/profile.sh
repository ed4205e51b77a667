#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage ingest benchmark: where `usageflow serve`'s CPU goes during one upload.
#
#   bench/ingest/profile.sh [records|xlsx]      default: records
#
# Needs bench/ingest/run.sh to have run once today (the binary, the stubs and the cached inputs).
# A fresh `usageflow serve` (pinned to core 0, --event-loops 1) on a fresh database gets the
# benchmark's tenants; `perf record -F 499 -g` (cpu-clock sampling, frame-pointer call chains)
# attaches while h2load (core 1) sends the upload. Output: bench/ingest/out/profile/KIND.{txt,data}:
# the top functions by self time and by inclusive time, demangled. PERF_CALL_GRAPH replaces `-g`:
# `PERF_CALL_GRAPH="--call-graph dwarf,16384"` unwinds through libc and libsqlite3, which keep no
# frame pointers (larger data file, slower report).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/ingest
OUT=$HERE/out
PROFILE=$OUT/profile
KIND=${1:-records}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-27490}
RECORDS=${RECORDS:-1000000}
ROWS=${ROWS:-200000}
DAY=$(date -u +%F)
[ -x "$OUT/usageflow" ] || { echo "run bench/ingest/run.sh first" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
export PATH="$PATH:$(dirname "$(command -v swift)")"  # swift-demangle
PYTHON=$(scripts/python-env.sh)
case $KIND in
    records) INPUT=$HERE/cache/records-$RECORDS-$DAY.bin METHOD=UploadRecords ;;
    xlsx) INPUT=$HERE/cache/workbook-$ROWS-$DAY.chunks METHOD=UploadUsageFile ;;
    *) echo "profile.sh: records or xlsx" >&2; exit 2 ;;
esac
[ -f "$INPUT" ] || { echo "run bench/ingest/run.sh first (no $INPUT)" >&2; exit 1; }
source "$HERE/server.sh"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true' EXIT
start_ingest_server "$OUT/usageflow" "$PROFILE/db" "$PORT" "$PROFILE/server.log"
file=$("$PYTHON" "$HERE/setup.py" "$OUT" file "127.0.0.1:$PORT" certs/dev/ca.pem "$KIND" "Profile")
cat "$OUT/$KIND.header" "$INPUT" > "$PROFILE/body.bin"
data=$PROFILE/$KIND.data
perf record -F 499 ${PERF_CALL_GRAPH:--g} -o "$data" -p "$SERVER_PID" 2> "$PROFILE/perf.log" &
perf_pid=$!
sleep 0.5
send_upload "$PROFILE/body.bin" "$PORT" "$METHOD" > "$PROFILE/$KIND.h2load.txt"
kill -INT "$perf_pid"
wait "$perf_pid" 2>/dev/null || true
rm -f "$PROFILE/body.bin"
{
    echo "## $KIND ($file): $(grep -E '^finished' "$PROFILE/$KIND.h2load.txt")"
    echo
    echo "Top 40 functions by self time:"
    echo '```'
    perf report -i "$data" --no-children --stdio --sort dso,sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
        | head -40 | swift-demangle --simplified --compact | cut -c1-200 || true
    echo '```'
    echo
    echo "Top 60 functions by inclusive time:"
    echo '```'
    perf report -i "$data" --children --stdio --sort sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
        | head -60 | swift-demangle --simplified --compact | cut -c1-200 || true
    echo '```'
} > "$PROFILE/$KIND.txt"
cat "$PROFILE/$KIND.txt"
