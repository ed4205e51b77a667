#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — instruction profile of the protobuf codec benchmark under callgrind.
#
#   bench/protobuf/profile.sh        (after bench/protobuf/run.sh has built both sides)
#   SWIFT_BIN=/path/to/ProtoBench bench/protobuf/profile.sh    profile another Swift build
#
# For each operation, runs the benchmark binary under `valgrind --tool=callgrind` twice — PASSES
# passes over the 1,000-record data set, and 0 passes (setup only) — and prints the difference as
# instructions per message, Swift and C++ side by side. Instruction counts do not depend on what
# else the machine is doing, so they back up the timed ratios of run.sh on a busy machine. The
# annotated profiles (Swift names demangled) go to bench/out/profile/*.txt.
set -euo pipefail

cd "$(dirname "$0")/../.."
OUT=bench/out
PASSES=${PASSES:-10}
mkdir -p "$OUT/profile"
command -v valgrind >/dev/null || {
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind >/dev/null
}
# SWIFT_BIN: another ProtoBench build to profile instead, such as one with a ProtoWire change.
SWIFT="${SWIFT_BIN:-$(swift build -c release --product ProtoBench --show-bin-path)/ProtoBench}"
CPP="$OUT/bench-cpp"
[ -x "$SWIFT" ] && [ -x "$CPP" ] && [ -f "$OUT/records.bin" ] || {
    echo "profile.sh: run bench/protobuf/run.sh first" >&2
    exit 2
}

instructions() { # BINARY OPERATION PASSES [callgrind output file]
    valgrind --tool=callgrind --callgrind-out-file="${4:-/dev/null}" "$1" --input "$OUT/records.bin" \
        --profile "$2" --passes "$3" 2>&1 | awk '/Collected/ {print $4}'
}

per_message() { # BINARY OPERATION NAME
    local total base
    total=$(instructions "$1" "$2" "$PASSES" "$OUT/profile/$3.cg")
    base=$(instructions "$1" "$2" 0)
    callgrind_annotate --inclusive=yes "$OUT/profile/$3.cg" 2>/dev/null | swift demangle --simplified \
        >"$OUT/profile/$3-inclusive.txt"
    callgrind_annotate "$OUT/profile/$3.cg" 2>/dev/null | swift demangle --simplified >"$OUT/profile/$3-self.txt"
    echo $(((total - base) / (PASSES * 1000)))
}

{
    echo "Instructions per message under callgrind (valgrind $(valgrind --version | sed 's/valgrind-//')), $PASSES passes x 1,000 records"
    echo "command: ${SWIFT_BIN:+SWIFT_BIN=$SWIFT_BIN }bench/protobuf/profile.sh"
    echo
    echo "| operation | Swift instr/msg | C++ reference | C++ instr/msg | Swift / C++ instructions |"
    echo "|---|---:|---|---:|---:|"
    row() { # LABEL SWIFT-OP CPP-OP
        local s c
        s=$(per_message "$SWIFT" "$2" "swift-$2")
        c=$(per_message "$CPP" "$3" "cpp-$3")
        awk -v l="$1" -v s="$s" -v c="$c" -v op="$3" 'BEGIN { printf "| %s | %d | %s | %d | %.2f |\n", l, s, op, c, s / c }'
    }
    row "decode, new message per parse" decode decode_fresh
    row "decode vs C++ reused message" decode decode_reused
    row "encode into a reused buffer" encode_to_buffer encode_to_buffer
    row "encode to new [UInt8] / std::string" encode encode_new_string
} | tee "$OUT/profile.txt"
echo
echo "profile.sh: wrote $OUT/profile.txt and bench/out/profile/*-{self,inclusive}.txt"
