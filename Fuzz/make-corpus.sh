#!/usr/bin/env bash
# Regenerates the seed corpus in Fuzz/Corpus/ from the text-format messages below, with
# `protoc --encode` (apt: protobuf-compiler, which also puts the well-known types in /usr/include).
# The seeds are committed; run this only to change them. Seed names say which message they encode:
# p3-* for TestAllTypesProto3, p2-* for TestAllTypesProto2 (the fuzzer decodes every input as both).
set -euo pipefail
cd "$(dirname "$0")/.."
out=Fuzz/Corpus
mkdir -p "$out"
rm -f "$out"/p3-* "$out"/p2-*

p3() { protoc -I Protos/conformance -I /usr/include --encode=protobuf_test_messages.proto3.TestAllTypesProto3 test_messages_proto3.proto > "$out/p3-$1"; }
p2() { protoc -I Protos/conformance -I /usr/include --encode=protobuf_test_messages.proto2.TestAllTypesProto2 test_messages_proto2.proto > "$out/p2-$1"; }

p3 scalars <<'TXT'
optional_int32: -1 optional_int64: -9000000000 optional_uint32: 4000000000 optional_uint64: 18000000000000000000
optional_sint32: -5 optional_sint64: 123456789012 optional_fixed32: 7 optional_fixed64: 8
optional_sfixed32: -9 optional_sfixed64: -10 optional_float: 1.5 optional_double: -2.25
optional_bool: true optional_string: "h\303\251llo" optional_bytes: "\000\377"
optional_nested_enum: NEG optional_foreign_enum: FOREIGN_BAR optional_aliased_enum: MOO
TXT
p3 nested <<'TXT'
optional_nested_message { a: 7 corecursive { optional_int32: 3 optional_string: "c" } }
optional_foreign_message { c: 9 }
recursive_message { optional_int32: 1 recursive_message { optional_string: "x" recursive_message { optional_bool: true } } }
TXT
p3 repeated <<'TXT'
repeated_int32: [1, -2, 300] repeated_double: [0.5, -1e300] repeated_string: ["a", "bc"] repeated_bytes: ["\001"]
repeated_nested_message { a: 1 } repeated_nested_message { a: 2 } repeated_foreign_enum: [FOREIGN_BAZ, FOREIGN_FOO]
packed_sint64: [-1, 1, -4611686018427387904] packed_fixed32: [1, 2] packed_float: [0.25] packed_bool: [true, false]
packed_nested_enum: [BAR, NEG] unpacked_int32: [5, -6] unpacked_double: [3.0] unpacked_nested_enum: [BAZ]
TXT
p3 maps <<'TXT'
map_int32_int32 { key: 2 value: -2 } map_int32_int32 { key: -1 value: 1 }
map_string_string { key: "k" value: "v" } map_bool_bool { key: true value: false }
map_int32_double { key: 3 value: 0.125 } map_sint64_sint64 { key: -7 value: 7 }
map_string_nested_message { key: "m" value { a: 42 } } map_string_nested_enum { key: "e" value: BAZ }
TXT
p3 oneof-string <<'TXT'
oneof_string: "one"
TXT
p3 oneof-message <<'TXT'
oneof_nested_message { a: 11 corecursive { oneof_double: 2.5 } }
TXT
p3 wellknown <<'TXT'
optional_int32_wrapper { value: 5 } optional_string_wrapper { value: "w" } optional_double_wrapper { value: 1e-3 }
optional_duration { seconds: -1 nanos: -500 } optional_timestamp { seconds: 1700000000 nanos: 1 }
optional_field_mask { paths: "a.b" paths: "c" }
optional_struct { fields { key: "n" value { number_value: 1 } } fields { key: "l" value { list_value { values { bool_value: true } values { null_value: NULL_VALUE } } } } }
optional_any { [type.googleapis.com/protobuf_test_messages.proto3.ForeignMessage] { c: 1 } }
optional_value { string_value: "s" } optional_null_value: NULL_VALUE
repeated_int64_wrapper { value: -3 } repeated_timestamp { seconds: 2 }
TXT
p3 fieldnames <<'TXT'
fieldname1: 1 field_name2: 2 _field_name3: 3 Field_name18__: 18
TXT
p2 scalars <<'TXT'
optional_int32: 0 optional_int64: -1 optional_sint32: -2 optional_float: -0.0 optional_double: 0
optional_string: "" optional_bytes: "" optional_bool: false optional_nested_enum: NEG
default_int32: 1 default_string: "not Rosebud"
TXT
p2 group <<'TXT'
Data { group_int32: 1 group_uint32: 2 }
optional_nested_message { a: 3 corecursive { Data { group_int32: -4 } } }
TXT
p2 repeated-maps <<'TXT'
repeated_int32: [1, 2] packed_int32: [3, 4] unpacked_sint64: [-5] repeated_nested_enum: [FOO, BAR]
map_string_foreign_message { key: "f" value { c: 6 } } map_int32_float { key: 1 value: 0.5 }
oneof_bytes: "\377"
TXT

# Not expressible in text format: fields the schema does not know, which must survive a round trip.
# p3: unknown varint field 999 = 150, unknown length-delimited field 1000 = "ab" (raw appended bytes).
{ cat "$out/p3-oneof-string"; printf '\xb8\x3e\x96\x01\xc2\x3e\x02ab'; } > "$out/p3-unknown-fields"
# p2: closed enum optional_nested_enum (21) = 7, not a NestedEnum value: kept as an unknown field.
printf '\xa8\x01\x07' > "$out/p2-unknown-enum"
# An empty message.
: > "$out/empty"

ls -l "$out"
