// SPDX-License-Identifier: Apache-2.0
// UsageFlow — the Swift-built counterpart of every golden fixture (Fixtures/golden/*.txtpb).
//
// Each entry sets, field by field, what the fixture's text format sets; GoldenBytesTests
// expects the entry to encode to the fixture's protoc bytes and to equal the decoded fixture.

import ConformanceMessages
import ProtoWire
import WellKnownTypes

/// Builds a message by mutating a fresh instance.
func build<M: ProtoMessage>(_ body: (inout M) -> Void) -> M {
    var message = M()
    body(&message)
    return message
}

private func p3(_ body: (inout Proto3) -> Void) -> GoldenMessage { .proto3(build(body)) }
private func p2(_ body: (inout Proto2) -> Void) -> GoldenMessage { .proto2(build(body)) }

private typealias Nested3 = Proto3.NestedMessage
private typealias Nested2 = Proto2.NestedMessage

private func nested3(a: Int32) -> Nested3 { build { $0.a = a } }

enum GoldenCases {
    /// What decode-then-encode of a fixture must produce when it is not the fixture itself.
    enum Reencoding: Sendable {
        /// The bytes of another fixture.
        case fixture(String)
        /// Literal bytes.
        case bytes([UInt8])
    }

    static let reencoding: [String: Reencoding] = [
        // protoc writes map entries in the order the text lists them; ProtoWire sorts by key.
        "proto3_map_multi_unsorted": .fixture("proto3_map_multi_sorted"),
        // protoc writes both entries of a repeated key; the decoder keeps the last.
        "proto3_map_duplicate_key": .fixture("proto3_map_duplicate_key_canonical"),
        // protoc writes extension 120 between fields 1 and 201; ProtoWire has no extensions,
        // keeps it as an unknown field and writes unknown fields after the known ones.
        "proto2_extension_between_fields": .bytes([
            0x08, 0x01,  // optional_int32 = 1
            0xCB, 0x0C, 0xD0, 0x0C, 0x02, 0xCC, 0x0C,  // Data { group_int32: 2 }
            0xC0, 0x07, 0x05,  // [extension_int32] = 5, re-emitted last
        ]),
    ]

    /// Fixtures holding a NaN, which `==` can never match.
    static let containsNaN: Set<String> = ["proto3_float_nan", "proto3_double_nan"]

    static let inCode: [String: GoldenMessage] = scalars
        .merging(repeated, uniquingKeysWith: { _, _ in fatalError("duplicate case") })
        .merging(maps, uniquingKeysWith: { _, _ in fatalError("duplicate case") })
        .merging(oneofs, uniquingKeysWith: { _, _ in fatalError("duplicate case") })
        .merging(nested, uniquingKeysWith: { _, _ in fatalError("duplicate case") })
        .merging(wellKnownTypes, uniquingKeysWith: { _, _ in fatalError("duplicate case") })
        .merging(proto2, uniquingKeysWith: { _, _ in fatalError("duplicate case") })
        .merging(conformanceRequests, uniquingKeysWith: { _, _ in fatalError("duplicate case") })

    // MARK: Singular scalars

    static let scalars: [String: GoldenMessage] = [
        "proto3_empty": p3 { _ in },
        "proto3_int32_positive": p3 { $0.optionalInt32 = 150 },
        "proto3_int32_negative": p3 { $0.optionalInt32 = -1 },
        "proto3_int32_min": p3 { $0.optionalInt32 = .min },
        "proto3_int64_max": p3 { $0.optionalInt64 = .max },
        "proto3_int64_min": p3 { $0.optionalInt64 = .min },
        "proto3_uint32_max": p3 { $0.optionalUint32 = .max },
        "proto3_uint64_max": p3 { $0.optionalUint64 = .max },
        "proto3_sint32_negative": p3 { $0.optionalSint32 = .min },
        "proto3_sint32_minus_one": p3 { $0.optionalSint32 = -1 },
        "proto3_sint64_negative": p3 { $0.optionalSint64 = .min },
        "proto3_fixed32_max": p3 { $0.optionalFixed32 = .max },
        "proto3_fixed64_max": p3 { $0.optionalFixed64 = .max },
        "proto3_sfixed32_negative": p3 { $0.optionalSfixed32 = .min },
        "proto3_sfixed64_negative": p3 { $0.optionalSfixed64 = .min },
        "proto3_float": p3 { $0.optionalFloat = 3.5 },
        "proto3_float_fraction": p3 { $0.optionalFloat = 0.1 },
        "proto3_float_max": p3 { $0.optionalFloat = .greatestFiniteMagnitude },
        "proto3_float_negative_zero": p3 { $0.optionalFloat = -0.0 },
        "proto3_float_infinity": p3 { $0.optionalFloat = .infinity },
        "proto3_float_nan": p3 { $0.optionalFloat = .nan },
        "proto3_double": p3 { $0.optionalDouble = 2.718281828459045 },
        "proto3_double_negative_zero": p3 { $0.optionalDouble = -0.0 },
        "proto3_double_infinity": p3 { $0.optionalDouble = -.infinity },
        "proto3_double_nan": p3 { $0.optionalDouble = .nan },
        "proto3_double_extremes": p3 {
            $0.repeatedDouble = [.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude]
        },
        "proto3_bool_true": p3 { $0.optionalBool = true },
        "proto3_string_non_ascii": p3 {
            $0.optionalString = "héllo wörld ✓ 日本語 🎉"
            $0.optionalCord = "caf\u{E9} \u{1F600}"
        },
        "proto3_string_escapes": p3 {
            $0.optionalString = "tab\there \"quoted\" back\\slash new\nline nul\0 del\u{7F}"
        },
        "proto3_bytes_escapes": p3 {
            $0.optionalBytes = [
                0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF, 0x22, 0x27, 0x5C, 0x0A, 0x0D, 0x09, 0x41, 0x41,
                0xC0, 0x80, 0xED, 0xA0, 0x80,
            ]
        },
        "proto3_enums": p3 {
            $0.optionalNestedEnum = .neg
            $0.optionalForeignEnum = .foreignBaz
            $0.optionalAliasedEnum = .aliasBaz
        },
        "proto3_enum_open_unknown": p3 { $0.optionalNestedEnum = .init(rawValue: 12345) },
        "proto3_default_values_not_emitted": p3 {
            $0.optionalInt32 = 0
            $0.optionalUint64 = 0
            $0.optionalFloat = 0
            $0.optionalDouble = 0
            $0.optionalBool = false
            $0.optionalString = ""
            $0.optionalBytes = []
            $0.optionalNestedEnum = .foo
            $0.optionalNullValue = .nullValue
        },
        "proto3_all_scalars": p3 {
            $0.optionalInt32 = -42
            $0.optionalInt64 = -4_200_000_000
            $0.optionalUint32 = 42
            $0.optionalUint64 = 4_200_000_000
            $0.optionalSint32 = -42
            $0.optionalSint64 = -4_200_000_000
            $0.optionalFixed32 = 42
            $0.optionalFixed64 = 4_200_000_000
            $0.optionalSfixed32 = -42
            $0.optionalSfixed64 = -4_200_000_000
            $0.optionalFloat = -1.25
            $0.optionalDouble = 1e100
            $0.optionalBool = true
            $0.optionalString = "string"
            $0.optionalBytes = Array("bytes".utf8)
            $0.optionalNestedEnum = .bar
            $0.optionalForeignEnum = .foreignBar
            $0.optionalAliasedEnum = .aliasBar
            $0.optionalStringPiece = "piece"
            $0.optionalCord = "cord"
        },
    ]

    // MARK: Repeated: packed, unpacked, length-delimited

    static let repeated: [String: GoldenMessage] = [
        "proto3_packed_int32": p3 { $0.repeatedInt32 = [0, 1, -1, 150, .max, .min] },
        "proto3_packed_int64": p3 { $0.repeatedInt64 = [0, -1, .max, .min] },
        "proto3_packed_uint32": p3 { $0.repeatedUint32 = [0, 127, 128, .max] },
        "proto3_packed_uint64": p3 { $0.repeatedUint64 = [0, 16384, .max] },
        "proto3_packed_sint32": p3 { $0.repeatedSint32 = [0, -1, 1, .min, .max] },
        "proto3_packed_sint64": p3 { $0.repeatedSint64 = [0, -1, 1, .min, .max] },
        "proto3_packed_fixed32": p3 { $0.repeatedFixed32 = [0, 1, .max] },
        "proto3_packed_fixed64": p3 { $0.repeatedFixed64 = [0, 1, .max] },
        "proto3_packed_sfixed32": p3 { $0.repeatedSfixed32 = [0, -1, .min, .max] },
        "proto3_packed_sfixed64": p3 { $0.repeatedSfixed64 = [0, -1, .min, .max] },
        "proto3_packed_float": p3 { $0.repeatedFloat = [0, -0.0, 1.5, -2.25, .infinity, -.infinity] },
        "proto3_packed_double": p3 { $0.repeatedDouble = [0, -0.0, 2.5, 1e100, -.infinity] },
        "proto3_packed_bool": p3 { $0.repeatedBool = [true, false, true] },
        "proto3_packed_enum": p3 {
            $0.repeatedNestedEnum = [.foo, .bar, .baz, .neg, .init(rawValue: 12345)]
            $0.repeatedForeignEnum = [.foreignBar, .foreignFoo]
        },
        "proto3_packed_explicit": p3 {
            $0.packedInt32 = [1, -1]
            $0.packedInt64 = [2, -2]
            $0.packedUint32 = [3, 300]
            $0.packedUint64 = [4, 400_000_000_000]
            $0.packedSint32 = [5, -5]
            $0.packedSint64 = [6, -6]
            $0.packedFixed32 = [7, 70]
            $0.packedFixed64 = [8, 80]
            $0.packedSfixed32 = [9, -9]
            $0.packedSfixed64 = [10, -10]
            $0.packedFloat = [11.5, -11.5]
            $0.packedDouble = [12.25, -12.25]
            $0.packedBool = [true, false]
            $0.packedNestedEnum = [.baz, .neg]
        },
        "proto3_unpacked": p3 {
            $0.unpackedInt32 = [1, -1]
            $0.unpackedInt64 = [2, -2]
            $0.unpackedUint32 = [3, 300]
            $0.unpackedUint64 = [4, 400_000_000_000]
            $0.unpackedSint32 = [5, -5]
            $0.unpackedSint64 = [6, -6]
            $0.unpackedFixed32 = [7, 70]
            $0.unpackedFixed64 = [8, 80]
            $0.unpackedSfixed32 = [9, -9]
            $0.unpackedSfixed64 = [10, -10]
            $0.unpackedFloat = [11.5, -11.5]
            $0.unpackedDouble = [12.25, -12.25]
            $0.unpackedBool = [true, false]
            $0.unpackedNestedEnum = [.baz, .neg]
        },
        "proto3_repeated_length_delimited": p3 {
            $0.repeatedString = ["a", "", "ü"]
            $0.repeatedBytes = [[0], []]
            $0.repeatedForeignMessage = [build { $0.c = 1 }, .init()]
            $0.repeatedStringPiece = ["piece"]
            $0.repeatedCord = ["cord1", "cord2"]
        },
    ]

    // MARK: Maps

    static let sortedMaps: GoldenMessage = p3 {
        $0.mapInt32Int32 = [-5: 1, -1: 2, 0: 3, 1: 4, 300: 5]
        $0.mapUint64Uint64 = [1: 1, 2: 2, .max: 3]
        $0.mapSint64Sint64 = [.min: 1, .max: 2]
        $0.mapBoolBool = [false: true, true: false]
        $0.mapStringString = [
            "": "empty", "A": "upper", "a": "lower", "ab": "longer", "b": "next",
            "é": "C3 A9", "ü": "C3 BC", "日": "E6 97 A5",
        ]
    }

    static let maps: [String: GoldenMessage] = [
        "proto3_map_int32_int32": p3 { $0.mapInt32Int32 = [-1: -2] },
        "proto3_map_int64_int64": p3 { $0.mapInt64Int64 = [.min: .max] },
        "proto3_map_uint32_uint32": p3 { $0.mapUint32Uint32 = [.max: 1] },
        "proto3_map_uint64_uint64": p3 { $0.mapUint64Uint64 = [.max: 2] },
        "proto3_map_sint32_sint32": p3 { $0.mapSint32Sint32 = [-5: -6] },
        "proto3_map_sint64_sint64": p3 { $0.mapSint64Sint64 = [.min: 7] },
        "proto3_map_fixed32_fixed32": p3 { $0.mapFixed32Fixed32 = [.max: 8] },
        "proto3_map_fixed64_fixed64": p3 { $0.mapFixed64Fixed64 = [.max: 9] },
        "proto3_map_sfixed32_sfixed32": p3 { $0.mapSfixed32Sfixed32 = [.min: -10] },
        "proto3_map_sfixed64_sfixed64": p3 { $0.mapSfixed64Sfixed64 = [.min: -11] },
        "proto3_map_int32_float": p3 { $0.mapInt32Float = [1: -0.5] },
        "proto3_map_int32_double": p3 { $0.mapInt32Double = [2: 1e-10] },
        "proto3_map_bool_bool": p3 { $0.mapBoolBool = [true: true] },
        "proto3_map_string_string": p3 { $0.mapStringString = ["ключ": "значение"] },
        "proto3_map_string_bytes": p3 { $0.mapStringBytes = ["b": [0x00, 0xFF]] },
        "proto3_map_string_nested_message": p3 {
            $0.mapStringNestedMessage = ["m": build { $0.a = 7; $0.corecursive.optionalInt32 = 8 }]
        },
        "proto3_map_string_foreign_message": p3 { $0.mapStringForeignMessage = ["f": build { $0.c = 9 }] },
        "proto3_map_string_nested_enum": p3 { $0.mapStringNestedEnum = ["e": .baz] },
        "proto3_map_string_foreign_enum": p3 { $0.mapStringForeignEnum = ["fe": .foreignBar] },
        "proto3_map_default_entries": p3 {
            $0.mapInt32Int32 = [0: 0]
            $0.mapStringString = ["": ""]
            $0.mapStringNestedMessage = ["a": .init()]
        },
        "proto3_map_multi_sorted": sortedMaps,
        "proto3_map_multi_unsorted": sortedMaps,
        "proto3_map_duplicate_key": p3 { $0.mapInt32Int32 = [1: 2] },
        "proto3_map_duplicate_key_canonical": p3 { $0.mapInt32Int32 = [1: 2] },
    ]

    // MARK: Oneof

    static let oneofs: [String: GoldenMessage] = [
        "proto3_oneof_uint32": p3 { $0.oneofUint32 = 42 },
        "proto3_oneof_uint32_zero": p3 { $0.oneofField = .oneofUint32(0) },
        "proto3_oneof_string": p3 { $0.oneofString = "oneof ✓" },
        "proto3_oneof_string_empty": p3 { $0.oneofField = .oneofString("") },
        "proto3_oneof_bytes": p3 { $0.oneofBytes = [1, 2, 0xFF] },
        "proto3_oneof_nested_message": p3 {
            $0.oneofNestedMessage = build { $0.a = 1; $0.corecursive.optionalInt32 = 2 }
        },
        "proto3_oneof_nested_message_empty": p3 { $0.oneofField = .oneofNestedMessage(.init()) },
        "proto3_oneof_enum": p3 { $0.oneofEnum = .bar },
        "proto3_oneof_enum_zero": p3 { $0.oneofField = .oneofEnum(.foo) },
        "proto3_oneof_bool_false": p3 { $0.oneofField = .oneofBool(false) },
        "proto3_oneof_uint64": p3 { $0.oneofUint64 = .max },
        "proto3_oneof_float": p3 { $0.oneofFloat = -0.0 },
        "proto3_oneof_double": p3 { $0.oneofField = .oneofDouble(0) },
        "proto3_oneof_null_value": p3 { $0.oneofField = .oneofNullValue(.nullValue) },
    ]

    // MARK: Nested messages

    static let nested: [String: GoldenMessage] = [
        "proto3_nested_corecursive": p3 {
            $0.optionalNestedMessage.a = 1
            $0.optionalNestedMessage.corecursive.optionalNestedMessage.a = 2
            $0.optionalNestedMessage.corecursive.optionalNestedMessage.corecursive.optionalNestedMessage.a = 3
            $0.optionalNestedMessage.corecursive.optionalNestedMessage.corecursive.optionalNestedMessage
                .corecursive.optionalString = "bottom"
        },
        "proto3_nested_empty": p3 {
            $0.optionalNestedMessage = .init()
            $0.optionalForeignMessage = .init()
        },
        "proto3_repeated_nested_message": p3 {
            $0.repeatedNestedMessage = [
                nested3(a: 1),
                .init(),
                build { $0.a = -1; $0.corecursive.repeatedNestedMessage = [nested3(a: 2)] },
            ]
        },
        "proto3_recursive_message": p3 {
            $0.recursiveMessage.optionalInt32 = 1
            $0.recursiveMessage.recursiveMessage.optionalString = "deep"
            $0.recursiveMessage.recursiveMessage.recursiveMessage = .init()
        },
        "proto3_foreign_message": p3 { $0.optionalForeignMessage.c = -3 },
        "proto3_field_order_canonical": p3 {
            // Set in the scrambled order of the .txtpb; the encoding is by field number regardless.
            $0.repeatedStruct = [.init()]
            $0.optionalBoolWrapper.value = true
            $0.fieldname1 = 1
            $0.oneofString = "one"
            $0.repeatedListValue = [.init()]
            $0.mapInt32Int32 = [1: 1]
            $0.unpackedInt32 = [9]
            $0.packedInt32 = [8]
            $0.repeatedInt32 = [7]
            $0.optionalTimestamp.seconds = 1
            $0.recursiveMessage.optionalInt32 = 2
            $0.optionalNestedMessage.a = 3
            $0.optionalBytes = Array("b".utf8)
            $0.optionalInt32 = 4
            $0.fieldName18 = 18
        },
    ]

    // MARK: Well-known types

    static let foreignMessageFive: [UInt8] = {
        let message: ProtobufTestMessages_Proto3_ForeignMessage = build { $0.c = 5 }
        return message.serializedBytes()
    }()

    static let anyOfForeignMessageFive: Google_Protobuf_Any = build {
        $0.typeUrl = "type.googleapis.com/protobuf_test_messages.proto3.ForeignMessage"
        $0.value = foreignMessageFive
    }

    static func value(_ kind: Google_Protobuf_Value.OneOf_Kind) -> Google_Protobuf_Value {
        build { $0.kind = kind }
    }

    static let wellKnownTypes: [String: GoldenMessage] = [
        "proto3_wkt_timestamp": p3 {
            $0.optionalTimestamp.seconds = 1_700_000_000
            $0.optionalTimestamp.nanos = 123_456_789
        },
        "proto3_wkt_duration": p3 {
            $0.optionalDuration.seconds = -5
            $0.optionalDuration.nanos = -500_000_000
        },
        "proto3_wkt_any": p3 { $0.optionalAny = anyOfForeignMessageFive },
        "proto3_wkt_any_expanded": p3 { $0.optionalAny = anyOfForeignMessageFive },
        "proto3_wkt_struct": p3 {
            $0.optionalStruct.fields = [
                "a": value(.numberValue(1.5)),
                "b": value(.stringValue("x")),
                "c": value(.listValue(build { $0.values = [value(.boolValue(true)), value(.nullValue(.nullValue))] })),
                "d": value(.structValue(build { $0.fields = ["e": value(.nullValue(.nullValue))] })),
            ]
        },
        "proto3_wkt_value": p3 { $0.optionalValue = value(.stringValue("v")) },
        "proto3_wkt_wrappers": p3 {
            $0.optionalBoolWrapper.value = true
            $0.optionalInt32Wrapper.value = -1
            $0.optionalInt64Wrapper.value = .min
            $0.optionalUint32Wrapper.value = .max
            $0.optionalUint64Wrapper.value = .max
            $0.optionalFloatWrapper.value = -0.0
            $0.optionalDoubleWrapper.value = 0.5
            $0.optionalStringWrapper.value = "wrapped"
            $0.optionalBytesWrapper.value = [0xFF]
        },
        "proto3_wkt_wrappers_default": p3 {
            $0.optionalBoolWrapper = .init()
            $0.optionalInt32Wrapper = .init()
            $0.optionalInt64Wrapper = .init()
            $0.optionalUint32Wrapper = .init()
            $0.optionalUint64Wrapper = .init()
            $0.optionalFloatWrapper = .init()
            $0.optionalDoubleWrapper = .init()
            $0.optionalStringWrapper = .init()
            $0.optionalBytesWrapper = .init()
        },
        "proto3_wkt_repeated": p3 {
            $0.repeatedBoolWrapper = [build { $0.value = true }, .init()]
            $0.repeatedInt32Wrapper = [build { $0.value = 1 }, build { $0.value = -1 }]
            $0.repeatedStringWrapper = [build { $0.value = "s" }]
            $0.repeatedDuration = [build { $0.seconds = 1 }]
            $0.repeatedTimestamp = [build { $0.nanos = 1 }, .init()]
            $0.repeatedFieldmask = [build { $0.paths = ["x"] }]
            $0.repeatedAny = [build { $0.typeUrl = "t" }]
            $0.repeatedValue = [value(.numberValue(2)), value(.boolValue(false))]
            $0.repeatedListValue = [build { $0.values = [value(.stringValue("l"))] }]
            $0.repeatedStruct = [build { $0.fields = ["k": value(.nullValue(.nullValue))] }]
        },
        "proto3_wkt_field_mask": p3 { $0.optionalFieldMask.paths = ["a.b", "c"] },
    ]

    // MARK: proto2

    static let proto2: [String: GoldenMessage] = [
        "proto2_empty": p2 { _ in },
        "proto2_defaults_set_to_default": p2 {
            $0.defaultInt32 = -123_456_789
            $0.defaultInt64 = -9_123_456_789_123_456_789
            $0.defaultUint32 = 2_123_456_789
            $0.defaultUint64 = 10_123_456_789_123_456_789
            $0.defaultSint32 = -123_456_789
            $0.defaultSint64 = -9_123_456_789_123_456_789
            $0.defaultFixed32 = 2_123_456_789
            $0.defaultFixed64 = 10_123_456_789_123_456_789
            $0.defaultSfixed32 = -123_456_789
            $0.defaultSfixed64 = -9_123_456_789_123_456_789
            $0.defaultFloat = 9e9
            $0.defaultDouble = 7e22
            $0.defaultBool = true
            $0.defaultString = "Rosebud"
            $0.defaultBytes = Array("joshua".utf8)
        },
        "proto2_defaults_set_to_zero": p2 {
            $0.defaultInt32 = 0
            $0.defaultInt64 = 0
            $0.defaultUint32 = 0
            $0.defaultUint64 = 0
            $0.defaultSint32 = 0
            $0.defaultSint64 = 0
            $0.defaultFixed32 = 0
            $0.defaultFixed64 = 0
            $0.defaultSfixed32 = 0
            $0.defaultSfixed64 = 0
            $0.defaultFloat = 0
            $0.defaultDouble = 0
            $0.defaultBool = false
            $0.defaultString = ""
            $0.defaultBytes = []
        },
        "proto2_optional_zero_values": p2 {
            $0.optionalInt32 = 0
            $0.optionalInt64 = 0
            $0.optionalUint32 = 0
            $0.optionalUint64 = 0
            $0.optionalSint32 = 0
            $0.optionalSint64 = 0
            $0.optionalFixed32 = 0
            $0.optionalFixed64 = 0
            $0.optionalSfixed32 = 0
            $0.optionalSfixed64 = 0
            $0.optionalFloat = 0
            $0.optionalDouble = 0
            $0.optionalBool = false
            $0.optionalString = ""
            $0.optionalBytes = []
            $0.optionalNestedEnum = .foo
            $0.optionalForeignEnum = .foreignFoo
        },
        "proto2_all_scalars": p2 {
            $0.optionalInt32 = -42
            $0.optionalInt64 = -4_200_000_000
            $0.optionalUint32 = 42
            $0.optionalUint64 = .max
            $0.optionalSint32 = -42
            $0.optionalSint64 = -4_200_000_000
            $0.optionalFixed32 = 42
            $0.optionalFixed64 = 4_200_000_000
            $0.optionalSfixed32 = -42
            $0.optionalSfixed64 = -4_200_000_000
            $0.optionalFloat = -1.25
            $0.optionalDouble = 1e100
            $0.optionalBool = true
            $0.optionalString = "strîng"
            $0.optionalBytes = [0] + Array("bytes".utf8) + [0xFF]
            $0.optionalNestedEnum = .neg
            $0.optionalForeignEnum = .foreignBaz
            $0.optionalStringPiece = "piece"
            $0.optionalCord = "cord"
        },
        "proto2_repeated_unpacked": p2 {
            $0.repeatedInt32 = [1, -1]
            $0.repeatedInt64 = [2, -2]
            $0.repeatedUint32 = [3, .max]
            $0.repeatedUint64 = [4, .max]
            $0.repeatedSint32 = [5, -5]
            $0.repeatedSint64 = [6, -6]
            $0.repeatedFixed32 = [7, 70]
            $0.repeatedFixed64 = [8, 80]
            $0.repeatedSfixed32 = [9, -9]
            $0.repeatedSfixed64 = [10, -10]
            $0.repeatedFloat = [11.5, -0.0]
            $0.repeatedDouble = [12.25, -12.25]
            $0.repeatedBool = [true, false]
            $0.repeatedNestedEnum = [.baz, .neg]
            $0.repeatedForeignEnum = [.foreignBar]
        },
        "proto2_packed": p2 {
            $0.packedInt32 = [1, -1]
            $0.packedInt64 = [2, -2]
            $0.packedUint32 = [3, 300]
            $0.packedUint64 = [4, 400_000_000_000]
            $0.packedSint32 = [5, -5]
            $0.packedSint64 = [6, -6]
            $0.packedFixed32 = [7, 70]
            $0.packedFixed64 = [8, 80]
            $0.packedSfixed32 = [9, -9]
            $0.packedSfixed64 = [10, -10]
            $0.packedFloat = [11.5, -11.5]
            $0.packedDouble = [12.25, -12.25]
            $0.packedBool = [true, false]
            $0.packedNestedEnum = [.baz, .neg, .foo]
        },
        "proto2_unpacked_explicit": p2 {
            $0.unpackedInt32 = [1, -1]
            $0.unpackedSint64 = [6, -6]
            $0.unpackedFixed32 = [7, 70]
            $0.unpackedDouble = [12.25, -12.25]
            $0.unpackedBool = [true, false]
            $0.unpackedNestedEnum = [.baz, .neg]
        },
        "proto2_group": p2 {
            $0.data.groupInt32 = 1
            $0.data.groupUint32 = 2
        },
        "proto2_group_empty": p2 { $0.data = .init() },
        "proto2_group_between_fields": p2 {
            $0.defaultInt32 = 5
            $0.data.groupInt32 = -1
            $0.oneofString = "o"
            $0.optionalInt32 = 1
        },
        "proto2_oneof_enum": p2 { $0.oneofEnum = .baz },
        "proto2_oneof_uint32_zero": p2 { $0.oneofField = .oneofUint32(0) },
        "proto2_oneof_nested_message": p2 { $0.oneofNestedMessage.a = 5 },
        "proto2_nested": p2 {
            $0.optionalNestedMessage.a = 1
            $0.optionalNestedMessage.corecursive.optionalInt32 = 2
            $0.optionalNestedMessage.corecursive.data.groupInt32 = 3
            $0.recursiveMessage.optionalString = "r"
            $0.recursiveMessage.recursiveMessage = .init()
            $0.repeatedNestedMessage = [build { $0.a = 1 }, .init()]
            $0.optionalForeignMessage.c = 0
        },
        "proto2_maps": p2 {
            $0.mapInt32Int32 = [-1: 1, 2: -2]
            $0.mapStringNestedEnum = ["a": .baz]
            $0.mapStringForeignEnum = ["b": .foreignBar]
            $0.mapStringNestedMessage = ["c": build { $0.a = 3 }]
            $0.mapBoolBool = [false: false]
        },
        "proto2_extension_alone": p2 { $0.unknownFields = UnknownFields(bytes: [0xC0, 0x07, 0x05]) },
        "proto2_extension_between_fields": p2 {
            $0.optionalInt32 = 1
            $0.data.groupInt32 = 2
            $0.unknownFields = UnknownFields(bytes: [0xC0, 0x07, 0x05])
        },
        "proto2_field_order_canonical": p2 {
            $0.fieldName18 = 18
            $0.defaultBytes = Array("x".utf8)
            $0.data.groupUint32 = 7
            $0.oneofBytes = Array("y".utf8)
            $0.packedInt32 = [1]
            $0.mapInt32Int32 = [1: 1]
            $0.repeatedInt32 = [1, 2]
            $0.recursiveMessage = .init()
            $0.optionalInt32 = 1
        },
        "unknown2_fields": .unknownToTestAllTypes(build {
            $0.optionalInt32 = -7
            $0.optionalString = "unknown ✓"
            $0.nestedMessage.c = 3
            $0.optionalgroup.a = 9
            $0.optionalBool = true
            $0.repeatedInt32 = [1, 2]
        }),
    ]

    // MARK: conformance.ConformanceRequest (oneof members interleaved with regular fields)

    static let conformanceRequests: [String: GoldenMessage] = [
        "conformance_request_oneof_first": .conformanceRequest(build {
            $0.protobufPayload = [0x08, 0x01]
            $0.requestedOutputFormat = .protobuf
            $0.messageType = "protobuf_test_messages.proto3.TestAllTypesProto3"
            $0.testCategory = .binaryTest
            $0.printUnknownFields = true
        }),
        "conformance_request_oneof_interleaved": .conformanceRequest(build {
            $0.textPayload = "optional_int32: 1"
            $0.requestedOutputFormat = .textFormat
            $0.messageType = "protobuf_test_messages.proto3.TestAllTypesProto3"
            $0.printUnknownFields = true
        }),
    ]
}
