#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — golden wire-format fixtures for Tests/ProtoWireTests/GoldenBytesTests.swift.
#
# Encodes every Tests/ProtoWireTests/Fixtures/golden/<case>.txtpb with protoc (the C++
# reference encoder) into <case>.bin beside it. Both files are committed; the Swift tests
# compare ProtoWire's encoder and decoder against the .bin bytes.
#
# The prefix of <case> names the message type:
#   proto3_*    protobuf_test_messages.proto3.TestAllTypesProto3     (test_messages_proto3.proto)
#   proto2_*    protobuf_test_messages.proto2.TestAllTypesProto2     (test_messages_proto2.proto)
#   unknown2_*  protobuf_test_messages.proto2.UnknownToTestAllTypes  (test_messages_proto2.proto;
#               the tests decode these as TestAllTypesProto2, where every field is unknown)
#   conformance_request_*  conformance.ConformanceRequest            (conformance.proto; its oneof
#               members interleave with regular fields, which TestAllTypes' oneof does not)
#
# Usage:
#   scripts/golden/make-fixtures.sh           regenerate every .bin, delete .bin files without a .txtpb
#   scripts/golden/make-fixtures.sh --check   regenerate into a scratch directory and fail if any
#                                             committed .bin differs or is missing (for CI)
#
# Environment: PROTOC (default: protoc) and PROTOBUF_INCLUDE (the directory holding
# google/protobuf/*.proto; default: /usr/include). The committed fixtures were made with
# Debian's protoc 3.21.12.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

PROTOC=${PROTOC:-protoc}
PROTOBUF_INCLUDE=${PROTOBUF_INCLUDE:-/usr/include}
fixtures=Tests/ProtoWireTests/Fixtures/golden

check=0
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v "$PROTOC" >/dev/null || { echo "error: $PROTOC not found (apt-get install protobuf-compiler)" >&2; exit 1; }
[[ -f "$PROTOBUF_INCLUDE/google/protobuf/any.proto" ]] ||
    { echo "error: $PROTOBUF_INCLUDE/google/protobuf/any.proto not found (apt-get install libprotobuf-dev)" >&2; exit 1; }
echo "using $("$PROTOC" --version) ($(command -v "$PROTOC"))"

if (( check )); then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
else
    out=$fixtures
fi

shopt -s nullglob
inputs=("$fixtures"/*.txtpb)
(( ${#inputs[@]} > 0 )) || { echo "error: no .txtpb files in $fixtures" >&2; exit 1; }

failed=0
for input in "${inputs[@]}"; do
    name=$(basename "$input" .txtpb)
    case "$name" in
        proto3_*) type=protobuf_test_messages.proto3.TestAllTypesProto3; proto=test_messages_proto3.proto ;;
        proto2_*) type=protobuf_test_messages.proto2.TestAllTypesProto2; proto=test_messages_proto2.proto ;;
        unknown2_*) type=protobuf_test_messages.proto2.UnknownToTestAllTypes; proto=test_messages_proto2.proto ;;
        conformance_request_*) type=conformance.ConformanceRequest; proto=conformance.proto ;;
        *) echo "error: $input: name must start with proto3_, proto2_, unknown2_ or conformance_request_" >&2; failed=1; continue ;;
    esac
    # Write to a temporary file first so a protoc failure never leaves a truncated .bin behind.
    if "$PROTOC" --encode="$type" -I Protos/conformance -I "$PROTOBUF_INCLUDE" "Protos/conformance/$proto" \
        < "$input" > "$out/$name.bin.tmp"; then
        mv "$out/$name.bin.tmp" "$out/$name.bin"
    else
        rm -f "$out/$name.bin.tmp"
        echo "error: protoc failed on $input" >&2
        failed=1
    fi
done
(( failed == 0 )) || exit 1

if (( check )); then
    stale=0
    for input in "${inputs[@]}"; do
        name=$(basename "$input" .txtpb)
        if ! cmp -s "$out/$name.bin" "$fixtures/$name.bin"; then
            echo "stale or missing: $fixtures/$name.bin" >&2
            stale=1
        fi
    done
    for bin in "$fixtures"/*.bin; do
        [[ -f "${bin%.bin}.txtpb" ]] || { echo "orphan (no .txtpb): $bin" >&2; stale=1; }
    done
    (( stale == 0 )) || { echo "run scripts/golden/make-fixtures.sh and commit the result" >&2; exit 1; }
    echo "all ${#inputs[@]} fixtures are up to date"
else
    for bin in "$fixtures"/*.bin; do
        [[ -f "${bin%.bin}.txtpb" ]] || { echo "removing orphan $bin"; rm -f "$bin"; }
    done
    echo "encoded ${#inputs[@]} fixtures into $fixtures"
fi
