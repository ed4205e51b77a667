#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — protobuf codec benchmark: ProtoWire (Swift) against C++ libprotobuf, same machine,
# same run, same bytes. A benchmark, not a test: it asserts no speed, it reports ratios.
#
#   bench/protobuf/run.sh                 build both, run, print the table, write bench/out/protobuf.txt
#
# Environment: RUNS (alternating process pairs, default 5), ROUNDS (timed rounds per operation
# and process, default 21), ROUND_MS (length of one round, default 50), CORE (the CPU both
# are pinned to, default 1).
#
# Steps: install missing Debian packages; generate the C++ message with protoc and build
# bench/protobuf-cpp/bench.cc with g++ -O2; build the Swift side with
# `swift build -c release --product ProtoBench`; the C++ side writes the data set
# (bench/out/records.bin, 1,000 usage records); Swift decodes and re-encodes it and C++ checks the
# result; then the two run alternately, pinned to one core, RUNS times each. Each rate is the
# median over the runs of each run's median round; ratios are Swift / C++ (> 1 means Swift is
# faster). The best-round ratio (each side's fastest round of all runs) is printed too: on a
# machine shared with other work it is the steadier of the two.
set -euo pipefail

cd "$(dirname "$0")/../.."
OUT=bench/out
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-21}
ROUND_MS=${ROUND_MS:-50}
CORE=${CORE:-1}
mkdir -p "$OUT"

# 1. Tools.
missing=()
for package in libprotobuf-dev protobuf-compiler g++ pkg-config; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "run.sh: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PIN=()
if command -v taskset >/dev/null && taskset -c "$CORE" true 2>/dev/null; then
    PIN=(taskset -c "$CORE")
else
    echo "run.sh: taskset unavailable or core $CORE not usable; running unpinned" >&2
fi

# 2. C++: protoc --cpp_out, then g++ -O2.
rm -rf "$OUT/cpp-gen"
mkdir -p "$OUT/cpp-gen"
protoc -I bench/protos --cpp_out="$OUT/cpp-gen" bench/protos/usageflow/bench/v1/usage_record.proto
# shellcheck disable=SC2046
g++ -O2 -std=c++17 -I "$OUT/cpp-gen" -o "$OUT/bench-cpp" \
    bench/protobuf-cpp/bench.cc "$OUT/cpp-gen/usageflow/bench/v1/usage_record.pb.cc" \
    $(pkg-config --cflags --libs protobuf)
CPP="$OUT/bench-cpp"

# 3. Swift: plain release build.
swift build -c release --product ProtoBench
SWIFT="$(swift build -c release --product ProtoBench --show-bin-path)/ProtoBench"

# 4. One data set for both; Swift's decode + re-encode must give what C++ makes of it.
"$CPP" --write-dataset "$OUT/records.bin" --count 1000
"$SWIFT" --input "$OUT/records.bin" --write-reencoded "$OUT/records.swift.bin" --verify-only
"$CPP" --verify "$OUT/records.bin" "$OUT/records.swift.bin"

# 5. Alternate the two processes on one core.
RAW="$OUT/protobuf-raw.txt"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$RAW"
for ((run = 1; run <= RUNS; run++)); do
    if ((run % 2)); then order=("$CPP" "$SWIFT"); else order=("$SWIFT" "$CPP"); fi
    for binary in "${order[@]}"; do
        "${PIN[@]}" "$binary" --input "$OUT/records.bin" --rounds "$ROUNDS" --round-ms "$ROUND_MS" | tee -a "$RAW"
    done
done

# 6. The table.
{
    echo "Protobuf codec: ProtoWire (Swift) vs C++ libprotobuf, same run"
    echo
    echo "command:    bench/protobuf/run.sh   (RUNS=$RUNS ROUNDS=$ROUNDS ROUND_MS=$ROUND_MS CORE=$CORE)"
    echo "date:       $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine:    $(nproc) cores (nproc), CPU \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\", $(uname -sr), $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "swift:      $(swift --version 2>&1 | grep -m1 -i 'swift version' | sed 's/^ *//')"
    echo "g++:        $(g++ --version | head -1)"
    echo "libprotobuf: $(pkg-config --modversion protobuf) (protoc: $(protoc --version))"
    echo "pinning:    ${PIN[*]:-none}; load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "data set:   $(grep -m1 '^INFO cpp records' "$RAW" | awk '{print $4 " records, " $6 " payload bytes"}')"
    echo
    awk -v runs="$RUNS" '
        function median(list,    n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        $1 == "RESULT" {
            key = $2 " " $3
            medians[key] = medians[key] " " $10
            mbs[key] = mbs[key] " " $12
            if ($5 + 0 > best[key] + 0) best[key] = $5
        }
        function row(label, s, c,    sm, cm) {
            sm = median(medians["swift " s]); cm = median(medians["cpp " c])
            printf "| %-44s | %9.0f | %6.1f | %-20s | %9.0f | %6.1f | %5.2fx | %5.2fx |\n", \
                label, sm, median(mbs["swift " s]), c, cm, median(mbs["cpp " c]), sm / cm, best["swift " s] / best["cpp " c]
        }
        END {
            print "Rates: messages/s and MB/s of serialized payload, the median over " runs " runs of each run'"'"'s median round."
            print "Ratio: Swift / C++ (above 1.00x Swift is faster); the last column uses each side'"'"'s best round instead."
            print ""
            print "| operation                                    | Swift msg/s | MB/s | C++ reference        | C++ msg/s | MB/s | ratio | best-round ratio |"
            print "|----------------------------------------------|-----------:|-----:|----------------------|----------:|-----:|------:|------:|"
            row("decode, new message per parse (primary)", "decode_fresh", "decode_fresh")
            row("decode, Swift new value vs C++ reused msg", "decode_fresh", "decode_reused")
            row("encode into a reused buffer (primary)", "encode_to_buffer", "encode_to_buffer")
            row("encode to new [UInt8] vs new std::string", "encode_new_array", "encode_new_string")
            row("encode to buffer vs C++ deterministic", "encode_to_buffer", "encode_deterministic")
        }
    ' "$RAW"
} | tee "$OUT/protobuf.txt"
echo
echo "run.sh: wrote $OUT/protobuf.txt (raw lines in $RAW)"
