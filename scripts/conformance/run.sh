#!/usr/bin/env bash
# run.sh - run the official protobuf conformance suite against our testee.
#
# The runner is the upstream conformance_test_runner built by build-runner.sh
# from Debian's protobuf source package only (protobuf 3.21.12 via
# `apt-get source`, Debian's protoc/libprotobuf/libjsoncpp); nothing else is
# downloaded. The testee is the Swift product `protobuf-conformance-testee`.
#
# The runner is run with --verbose and NO failure list. Its whole output goes
# to .conformance/last-run.log, the testee's stderr to
# .conformance/last-run.testee-stderr.log, and every test that did not
# succeed to .conformance/last-run.not-passed.txt ("STATE suite name").
# A "binary" test is one of the binary+JSON suite whose name starts with
# Required|Recommended.Proto3|Proto2.ProtobufInput. and does not end in
# .JsonOutput (3.21.12: 651 proto3 + 651 proto2 = 1302).
#
# Exit status: 0 when every check passes; 1 when a check fails (unexpected
# failures, a suite FAILED, expected failures declared by the testee, too few
# binary successes); 2 when the runner crashed, hung, or its output could not
# be parsed.
#
# Environment:
#   CONFORMANCE_TESTEE     swift (default): swift build -c release --product
#                          protobuf-conformance-testee; cpp: upstream C++
#                          testee (build-runner.sh --cpp-testee); or a path.
#   CONFORMANCE_MIN_PROTO3 required proto3 binary successes (default 651)
#   CONFORMANCE_MIN_PROTO2 required proto2 binary successes (default 0)
#   CONFORMANCE_TIMEOUT    seconds before the runner is killed (default 600)
set -euo pipefail

SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
HERE="$(dirname "$SCRIPT")"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="$REPO/.conformance"
RUNNER="$WORK/bin/conformance_test_runner"
LOG="$WORK/last-run.log"
TESTEE_LOG="$WORK/last-run.testee-stderr.log"
NOT_PASSED="$WORK/last-run.not-passed.txt"
RUNDIR="$WORK/run"

MIN_P3="${CONFORMANCE_MIN_PROTO3:-651}"
MIN_P2="${CONFORMANCE_MIN_PROTO2:-0}"
TIMEOUT="${CONFORMANCE_TIMEOUT:-600}"
SEL="${CONFORMANCE_TESTEE:-swift}"

say() { echo "conformance: $*"; }

# ------------------------------------------------------------ build
case "$SEL" in
  swift)
    "$HERE/build-runner.sh"
    say "swift build -c release --product protobuf-conformance-testee"
    (cd "$REPO" && swift build -c release --product protobuf-conformance-testee)
    TESTEE="$(cd "$REPO" && swift build -c release --show-bin-path)/protobuf-conformance-testee"
    ;;
  cpp)
    "$HERE/build-runner.sh" --cpp-testee
    TESTEE="$WORK/bin/conformance_cpp_testee"
    ;;
  *)
    "$HERE/build-runner.sh"
    TESTEE="$(readlink -f "$SEL")"
    ;;
esac
if [ ! -x "$TESTEE" ]; then
  say "ERROR: testee not found or not executable: $TESTEE" >&2
  exit 2
fi

# ------------------------------------------------------------ run
rm -rf "$RUNDIR"
mkdir -p "$RUNDIR"
: >"$TESTEE_LOG"
# The runner execs the testee with inherited stderr; a tiny wrapper sends the
# testee's stderr to its own file so it cannot mix with the runner's report.
WRAPPER="$RUNDIR/testee"
{
  echo '#!/usr/bin/env bash'
  printf 'exec %q "$@" 2>>%q\n' "$TESTEE" "$TESTEE_LOG"
} >"$WRAPPER"
chmod +x "$WRAPPER"

say "runner: $RUNNER --verbose --output_dir $RUNDIR <testee>"
say "testee: $TESTEE"
t0=$(date +%s)
set +e
(cd "$RUNDIR" && exec timeout "$TIMEOUT" "$RUNNER" --verbose --output_dir "$RUNDIR" "$WRAPPER") >"$LOG" 2>&1
rc=$?
set -e
say "runner exited with status $rc after $(( $(date +%s) - t0 ))s; log: $LOG"

# ------------------------------------------------------------ parse
# In --verbose mode the runner prints, per suite, one
#   "conformance test: name=NAME, request=..., response=..."
# line for every test it runs, followed (only if the test did not pass) by
#   "ERROR, test=NAME: ..."    unexpected failure
#   "WARNING, test=NAME: ..."  failure of a Recommended test (not enforced)
#   "SKIPPED, test=NAME ..."   testee answered `skipped`
#   "<message> request=..."    expected failure (listed by the testee's
#                              FindFailures answer; printed without a name)
# A passing test prints nothing more, except "ERROR: test NAME is in the
# failure list, but test succeeded" (still counted as a success by the
# runner). The per-suite totals are checked against the runner's own summary.
: >"$NOT_PASSED"
PARSED="$(awk -v notpassed="$NOT_PASSED" '
function flush(   bin) {
  if (cur == "") return
  if (cur != "FindFailures") {
    ran[suite]++
    bin = ""
    if (suite == 1 && cur !~ /\.JsonOutput$/) {
      if (cur ~ /^(Required|Recommended)\.Proto3\.ProtobufInput\./) bin = "p3"
      else if (cur ~ /^(Required|Recommended)\.Proto2\.ProtobufInput\./) bin = "p2"
    }
    if (bin != "") bintotal[bin]++
    if (state == "") {
      succ[suite]++
      if (bin != "") binsucc[bin]++
    } else {
      n[suite, state]++
      print state, suite, cur > notpassed
    }
  }
  cur = ""; state = ""
}
function mark(s, prefix) {
  if (index($0, prefix cur) != 1) anomalies++
  if (state == "") state = s
}
/^CONFORMANCE TEST BEGIN/ { flush(); suite++; insuite = 1; next }
!insuite { next }
/^conformance test: name=/ {
  flush()
  s = substr($0, length("conformance test: name=") + 1)
  i = index(s, ", request=")
  cur = (i ? substr(s, 1, i - 1) : s)
  next
}
/^CONFORMANCE SUITE (PASSED|FAILED): / {
  flush()
  st = $3; sub(/:$/, "", st)
  status[suite] = st; rsucc[suite] = $4; rskip[suite] = $6
  rexp[suite] = $8; runexp[suite] = $11
  insuite = 0
  next
}
/^These tests / { flush(); next }
cur == "" { next }
/^ERROR, test=/   { mark("ERROR", "ERROR, test="); next }
/^WARNING, test=/ { mark("WARNING", "WARNING, test="); next }
/^SKIPPED, test=/ { mark("SKIPPED", "SKIPPED, test="); next }
/^ERROR: test .* is in the failure list, but test succeeded/ { next }
/^[[:space:]]*$/ { next }
{ if (state == "") state = "EXPECTED_FAILURE" }
END {
  flush()
  printf "suites %d\n", suite
  printf "anomalies %d\n", anomalies + 0
  for (k = 1; k <= suite; k++) {
    printf "status%d %s\n", k, (k in status) ? status[k] : "MISSING"
    printf "ran%d %d\n", k, ran[k]
    printf "succ%d %d\n", k, succ[k]
    printf "error%d %d\n", k, n[k, "ERROR"]
    printf "warning%d %d\n", k, n[k, "WARNING"]
    printf "skipped%d %d\n", k, n[k, "SKIPPED"]
    printf "expected%d %d\n", k, n[k, "EXPECTED_FAILURE"]
    printf "rsucc%d %d\n", k, rsucc[k]
    printf "rskip%d %d\n", k, rskip[k]
    printf "rexp%d %d\n", k, rexp[k]
    printf "runexp%d %d\n", k, runexp[k]
  }
  printf "p3succ %d\np3total %d\np2succ %d\np2total %d\n", binsucc["p3"], bintotal["p3"], binsucc["p2"], bintotal["p2"]
}' "$LOG")"

declare -A R
while read -r k v; do R[$k]="$v"; done <<<"$PARSED"
get() { echo "${R[$1]:-0}"; }

infra=()
fail=()

if [ "$rc" -eq 124 ]; then
  infra+=("runner timed out after ${TIMEOUT}s (testee hung?)")
elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
  infra+=("runner crashed (exit status $rc); see $LOG")
fi
# The runner stops after the first FAILED suite (`all_ok && RunSuite(...)`),
# so a failed binary+JSON suite means the text-format suite never runs.
skip_text=0
if [ "$rc" -eq 1 ] && [ "$(get suites)" -eq 1 ] && [ "${R[status1]:-}" = FAILED ]; then
  skip_text=1
elif [ "$(get suites)" -ne 2 ]; then
  infra+=("expected 2 suites in the log, found $(get suites)")
fi

names=("" "binary+JSON" "text format")
for k in 1 2; do
  st="${R[status$k]:-MISSING}"
  if [ "$st" = MISSING ] && [ "$k" -eq 2 ] && [ "$skip_text" -eq 1 ]; then
    say "text format suite not run: the runner stops after a FAILED suite"
    continue
  elif [ "$st" = MISSING ]; then
    infra+=("no summary line for the ${names[$k]} suite (runner died?)")
    continue
  fi
  say "${names[$k]} suite $st: $(get rsucc$k) successes, $(get rskip$k) skipped, $(get rexp$k) expected failures, $(get runexp$k) unexpected failures ($(get warning$k) recommended-level warnings, $(get ran$k) tests)"
  # Cross-check the per-test attribution against the runner's own totals.
  if [ "$(get succ$k)" -ne "$(get rsucc$k)" ] || [ "$(get error$k)" -ne "$(get runexp$k)" ] \
     || [ "$(get skipped$k)" -ne "$(get rskip$k)" ] || [ "$(get expected$k)" -ne "$(get rexp$k)" ]; then
    infra+=("log parse mismatch in the ${names[$k]} suite: parsed succ=$(get succ$k) error=$(get error$k) skipped=$(get skipped$k) expected=$(get expected$k)")
  fi
  [ "$st" = PASSED ] || fail+=("${names[$k]} suite FAILED")
  if [ "$(get rexp$k)" -ne 0 ]; then
    fail+=("${names[$k]} suite: $(get rexp$k) expected failures declared by the testee's FindFailures answer (no failure list is allowed; answer it with an empty FailureSet)")
  fi
done
if [ "$(get anomalies)" -ne 0 ]; then
  infra+=("$(get anomalies) report lines did not match the test they followed")
fi

P3="$(get p3succ)"; P2="$(get p2succ)"
U=$(( $(get runexp1) + $(get runexp2) ))
say "binary: proto3 $P3/$(get p3total), proto2 $P2/$(get p2total) (required: proto3 >= $MIN_P3, proto2 >= $MIN_P2)"
[ "$U" -eq 0 ] || fail+=("$U unexpected failures")
[ "$P3" -ge "$MIN_P3" ] || fail+=("proto3 binary successes $P3 < $MIN_P3")
[ "$P2" -ge "$MIN_P2" ] || fail+=("proto2 binary successes $P2 < $MIN_P2")

if [ "$U" -gt 0 ]; then
  say "first unexpected failures (all non-passing tests: $NOT_PASSED):"
  grep '^ERROR ' "$NOT_PASSED" | head -n 20 | sed 's/^/  /' || true
fi
for m in "${infra[@]}" "${fail[@]}"; do say "FAIL: $m"; done
say "$P3 proto3 binary successes, $P2 proto2 binary successes, $U unexpected failures"
if [ "${#infra[@]}" -gt 0 ]; then exit 2; fi
if [ "${#fail[@]}" -gt 0 ]; then exit 1; fi
exit 0
