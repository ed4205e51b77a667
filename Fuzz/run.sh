#!/usr/bin/env bash
# Builds the ProtoWire decoder fuzz target with libFuzzer + AddressSanitizer and runs it.
#
#   Fuzz/run.sh [extra libFuzzer flags...]
#
# Environment:
#   FUZZ_RUNS=1000000      inputs to run (libFuzzer -runs); 0 or -1 runs until stopped
#   FUZZ_MAX_LEN=4096      longest input libFuzzer generates (-max_len)
#   FUZZ_TIMEOUT=10        seconds one input may take before it counts as a hang (-timeout)
#   FUZZ_SEED=             libFuzzer -seed, for a reproducible run (default: libFuzzer picks one)
#   FUZZ_ARTIFACTS=Fuzz/artifacts/   where crash-/leak-/timeout- inputs are written
#   FUZZ_KEEP_CORPUS=1     keep the working corpus (the seeds plus what libFuzzer found) and print its path
#
# The seeds in Fuzz/Corpus/ are copied to a temporary directory first, so a run never adds files
# to the repository. Exit status: 0 when every input passed, libFuzzer's non-zero status otherwise.
# To replay one input (a crash artifact or a Fuzz/Regressions/ file) without fuzzing:
#   Fuzz/.build/release/ProtoWireFuzzer Fuzz/Regressions/<file>
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    else
        echo "swift 6 is required; it was not found on PATH" >&2
        exit 1
    fi
fi

runs="${FUZZ_RUNS:-1000000}"
max_len="${FUZZ_MAX_LEN:-4096}"
timeout="${FUZZ_TIMEOUT:-10}"
artifacts="${FUZZ_ARTIFACTS:-Fuzz/artifacts/}"
case "$artifacts" in */) ;; *) artifacts="$artifacts/" ;; esac

# --sanitize=fuzzer makes SwiftPM compile the executable with -parse-as-library (so main.swift
# defines no `main`) and link libFuzzer, whose `main` calls LLVMFuzzerTestOneInput. The -Xswiftc
# flag adds AddressSanitizer to every module, the root package's ProtoWire included.
echo "== build: swift build -c release --package-path Fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address"
swift build -c release --package-path Fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
fuzzer="$(swift build -c release --package-path Fuzz --show-bin-path)/ProtoWireFuzzer"

work="$(mktemp -d "${TMPDIR:-/tmp}/protowire-fuzz.XXXXXX")"
if [ "${FUZZ_KEEP_CORPUS:-0}" = "1" ]; then
    trap 'echo "working corpus kept in $work/corpus"' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/corpus" "$artifacts"
cp Fuzz/Corpus/* "$work/corpus/"

# The Swift runtime's own crash backtracer would race libFuzzer's and ASan's signal handlers (its
# memory-reading helper thread trips ASan and buries the real report), so crashes are left to
# libFuzzer, which prints the fatalError message and a symbolized stack trace, then saves the input.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

# Minimised inputs of past failures: replay each (fails fast), then seed the run with them.
shopt -s nullglob
regressions=(Fuzz/Regressions/*)
shopt -u nullglob
if [ ${#regressions[@]} -gt 0 ]; then
    echo "== replay: ${#regressions[@]} input(s) in Fuzz/Regressions/"
    "$fuzzer" "${regressions[@]}" > "$work/replay.log" 2>&1 || {
        echo "== FAILED: a regression input fails again:"; tail -n 80 "$work/replay.log"; exit 1;
    }
    cp "${regressions[@]}" "$work/corpus/"
fi

flags=(
    -runs="$runs"
    -max_len="$max_len"
    -timeout="$timeout"
    -artifact_prefix="$artifacts"
    -print_final_stats=1
)
if [ -n "${FUZZ_SEED:-}" ]; then flags+=(-seed="$FUZZ_SEED"); fi
flags+=("$@")

log="$work/libfuzzer.log"
echo "== fuzz: $fuzzer ${flags[*]} <corpus: copy of Fuzz/Corpus>"
start=$(date +%s)
set +e
# libFuzzer prints a line per new coverage feature: keep those in the log, show progress only.
"$fuzzer" "${flags[@]}" "$work/corpus" 2>&1 | tee "$log" \
    | grep --line-buffered -E '^INFO: Seed:|^#[0-9]+[[:space:]]+(INITED|pulse|DONE)|^Done [0-9]+ runs'
status=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

if [ "$status" -ne 0 ]; then
    echo "== FAILED (libFuzzer exit status $status) after ${elapsed}s; end of the libFuzzer log:"
    tail -n 120 "$log"
    echo "== the failing input is in $artifacts (replay: SWIFT_BACKTRACE=enable=no $fuzzer <file>)"
    exit "$status"
fi
echo "== final stats:"
grep -E '^stat::' "$log" || true
echo "== passed: $(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1) (wall time ${elapsed}s, 0 crashes)"
