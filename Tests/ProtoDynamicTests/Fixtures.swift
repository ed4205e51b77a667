// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import Contracts
import ProtoCompiler
import ProtoDynamic
import ProtoWire
import Testing
import WellKnownTypes

/// The pools the tests work on: the generated contracts (for round trips against generated
/// types), and a hand-written schema with a field of every kind (for the rest).
enum Fixtures {
    /// Every contract and well-known type, as the CLI would load them.
    static func contracts() throws -> DescriptorPool {
        try DescriptorPool(files: WellKnownTypesProtoFiles.all + ContractsProtoFiles.all)
    }

    /// The well-known types plus `test/kitchen.proto` (proto3) and `test/legacy.proto` (proto2).
    static func kitchen() throws -> DescriptorPool {
        try DescriptorPool(files: WellKnownTypesProtoFiles.all, descriptors: [kitchenFile(), legacyFile()])
    }

    static func message(_ pool: DescriptorPool, _ name: String) throws -> MessageSchema {
        try #require(pool.message(named: name), "no message \(name)")
    }

    static func field(_ schema: MessageSchema, _ name: String) throws -> FieldSchema {
        try #require(schema.field(named: name), "no field \(name) in \(schema.fullName)")
    }

    // MARK: Hand-written descriptors

    /// ```proto
    /// syntax = "proto3";
    /// package test.kitchen;
    /// enum Precision { PRECISION_UNSPECIFIED = 0; PRECISION_INTEGER = 1; PRECISION_DECIMAL_2 = 3; }
    /// message Sink {
    ///   message Nested { int32 id = 1; string name = 2; }
    ///   double f_double = 1; float f_float = 2; int64 f_int64 = 3; uint64 f_uint64 = 4;
    ///   int32 f_int32 = 5; fixed64 f_fixed64 = 6; fixed32 f_fixed32 = 7; bool f_bool = 8;
    ///   string f_string = 9; bytes f_bytes = 10; uint32 f_uint32 = 11; sfixed32 f_sfixed32 = 12;
    ///   sfixed64 f_sfixed64 = 13; sint32 f_sint32 = 14; sint64 f_sint64 = 15;
    ///   Precision precision = 16; Nested nested = 17;
    ///   repeated int32 r_int32 = 18; repeated string r_string = 19; repeated Nested r_nested = 20;
    ///   repeated sint64 r_sint64 = 21 [packed = false];
    ///   map<string, int32> labels = 22; map<int64, Nested> by_id = 23; map<bool, string> flags = 24;
    ///   map<uint32, Precision> precisions = 25;
    ///   optional int32 maybe = 26;
    ///   oneof choice { string choice_text = 27; Nested choice_nested = 28; }
    ///   google.protobuf.Timestamp at = 29; google.protobuf.Duration took = 30;
    ///   google.protobuf.Int64Value big = 31; google.protobuf.StringValue note = 32;
    ///   google.protobuf.Struct meta = 33; google.protobuf.Value dynamic = 34;
    ///   google.protobuf.FieldMask mask = 35; google.protobuf.Any detail = 36;
    ///   google.protobuf.Empty nothing = 37; repeated Precision r_precision = 38;
    ///   google.protobuf.BoolValue enabled = 39; google.protobuf.BytesValue blob = 40;
    /// }
    /// service Kitchen { rpc Cook(Sink) returns (Sink); rpc Stream(stream Sink) returns (stream Sink); }
    /// ```
    static func kitchenFile() -> FileDescriptor {
        var file = FileDescriptor()
        file.name = "test/kitchen.proto"
        file.package = "test.kitchen"
        file.syntax = "proto3"
        file.dependencies = [
            "google/protobuf/timestamp.proto", "google/protobuf/duration.proto", "google/protobuf/wrappers.proto",
            "google/protobuf/struct.proto", "google/protobuf/field_mask.proto", "google/protobuf/any.proto",
            "google/protobuf/empty.proto",
        ]
        file.enums = [
            enumeration(
                "Precision", [("PRECISION_UNSPECIFIED", 0), ("PRECISION_INTEGER", 1), ("PRECISION_DECIMAL_2", 3)])
        ]

        var nested = MessageDescriptor()
        nested.name = "Nested"
        nested.fields = [field("id", 1, .int32), field("name", 2, .string)]

        var sink = MessageDescriptor()
        sink.name = "Sink"
        let types: [(String, FieldDescriptor.FieldType)] = [
            ("f_double", .double), ("f_float", .float), ("f_int64", .int64), ("f_uint64", .uint64), ("f_int32", .int32),
            ("f_fixed64", .fixed64), ("f_fixed32", .fixed32), ("f_bool", .bool), ("f_string", .string),
            ("f_bytes", .bytes),
            ("f_uint32", .uint32), ("f_sfixed32", .sfixed32), ("f_sfixed64", .sfixed64), ("f_sint32", .sint32),
            ("f_sint64", .sint64),
        ]
        for (index, (name, type)) in types.enumerated() {
            sink.fields.append(field(name, index + 1, type))
        }
        sink.fields += [
            field("precision", 16, .enum, typeName: ".test.kitchen.Precision"),
            field("nested", 17, .message, typeName: ".test.kitchen.Sink.Nested"),
            field("r_int32", 18, .int32, label: .repeated),
            field("r_string", 19, .string, label: .repeated),
            field("r_nested", 20, .message, label: .repeated, typeName: ".test.kitchen.Sink.Nested"),
            field("r_sint64", 21, .sint64, label: .repeated, packed: false),
            field("labels", 22, .message, label: .repeated, typeName: ".test.kitchen.Sink.LabelsEntry"),
            field("by_id", 23, .message, label: .repeated, typeName: ".test.kitchen.Sink.ByIdEntry"),
            field("flags", 24, .message, label: .repeated, typeName: ".test.kitchen.Sink.FlagsEntry"),
            field("precisions", 25, .message, label: .repeated, typeName: ".test.kitchen.Sink.PrecisionsEntry"),
            field("maybe", 26, .int32, oneof: 0, proto3Optional: true),
            field("choice_text", 27, .string, oneof: 1),
            field("choice_nested", 28, .message, typeName: ".test.kitchen.Sink.Nested", oneof: 1),
            field("at", 29, .message, typeName: ".google.protobuf.Timestamp"),
            field("took", 30, .message, typeName: ".google.protobuf.Duration"),
            field("big", 31, .message, typeName: ".google.protobuf.Int64Value"),
            field("note", 32, .message, typeName: ".google.protobuf.StringValue"),
            field("meta", 33, .message, typeName: ".google.protobuf.Struct"),
            field("dynamic", 34, .message, typeName: ".google.protobuf.Value"),
            field("mask", 35, .message, typeName: ".google.protobuf.FieldMask"),
            field("detail", 36, .message, typeName: ".google.protobuf.Any"),
            field("nothing", 37, .message, typeName: ".google.protobuf.Empty"),
            field("r_precision", 38, .enum, label: .repeated, typeName: ".test.kitchen.Precision"),
            field("enabled", 39, .message, typeName: ".google.protobuf.BoolValue"),
            field("blob", 40, .message, typeName: ".google.protobuf.BytesValue"),
        ]
        sink.oneofNames = ["_maybe", "choice"]
        sink.nestedMessages = [
            nested,
            mapEntry("LabelsEntry", key: .string, value: .int32),
            mapEntry("ByIdEntry", key: .int64, value: .message, valueTypeName: ".test.kitchen.Sink.Nested"),
            mapEntry("FlagsEntry", key: .bool, value: .string),
            mapEntry("PrecisionsEntry", key: .uint32, value: .enum, valueTypeName: ".test.kitchen.Precision"),
        ]
        file.messages = [sink]

        var service = ServiceDescriptor()
        service.name = "Kitchen"
        var cook = ServiceDescriptor.Method()
        cook.name = "Cook"
        cook.inputType = ".test.kitchen.Sink"
        cook.outputType = ".test.kitchen.Sink"
        var stream = cook
        stream.name = "Stream"
        stream.clientStreaming = true
        stream.serverStreaming = true
        service.methods = [cook, stream]
        file.services = [service]
        return file
    }

    /// ```proto
    /// syntax = "proto2";
    /// package test.legacy;
    /// enum Color { RED = 1; GREEN = 2; }
    /// message Legacy {
    ///   optional Color color = 1; optional int32 count = 2 [default = 7];
    ///   repeated Color colors = 3; optional group Item = 4 { optional int32 n = 5; }
    ///   optional int32 zero = 6;
    /// }
    /// ```
    static func legacyFile() -> FileDescriptor {
        var file = FileDescriptor()
        file.name = "test/legacy.proto"
        file.package = "test.legacy"
        file.syntax = "proto2"
        file.enums = [enumeration("Color", [("RED", 1), ("GREEN", 2)])]
        var item = MessageDescriptor()
        item.name = "Item"
        item.fields = [field("n", 5, .int32)]
        var legacy = MessageDescriptor()
        legacy.name = "Legacy"
        var count = field("count", 2, .int32)
        count.defaultValue = "7"
        legacy.fields = [
            field("color", 1, .enum, typeName: ".test.legacy.Color"), count,
            field("colors", 3, .enum, label: .repeated, typeName: ".test.legacy.Color"),
            field("item", 4, .group, typeName: ".test.legacy.Legacy.Item"),
            field("zero", 6, .int32),
        ]
        legacy.nestedMessages = [item]
        file.messages = [legacy]
        return file
    }

    static func field(
        _ name: String, _ number: Int, _ type: FieldDescriptor.FieldType, label: FieldDescriptor.Label = .optional,
        typeName: String = "", oneof: Int? = nil, proto3Optional: Bool = false, packed: Bool? = nil
    ) -> FieldDescriptor {
        var field = FieldDescriptor()
        field.name = name
        field.number = number
        field.type = type
        field.label = label
        field.typeName = typeName
        field.oneofIndex = oneof
        field.proto3Optional = proto3Optional
        field.packedOption = packed
        return field
    }

    static func mapEntry(
        _ name: String, key: FieldDescriptor.FieldType, value: FieldDescriptor.FieldType, valueTypeName: String = ""
    ) -> MessageDescriptor {
        var entry = MessageDescriptor()
        entry.name = name
        entry.isMapEntry = true
        entry.fields = [field("key", 1, key), field("value", 2, value, typeName: valueTypeName)]
        return entry
    }

    static func enumeration(_ name: String, _ values: [(String, Int32)]) -> EnumDescriptor {
        var descriptor = EnumDescriptor()
        descriptor.name = name
        descriptor.values = values.map { name, number in
            var value = EnumDescriptor.Value()
            value.name = name
            value.number = number
            return value
        }
        return descriptor
    }
}

/// Bytes as lowercase hex, for readable expectations.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
