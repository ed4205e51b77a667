// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/ProtoCompiler/SwiftNaming.swift

@testable import ProtoCompiler
import Testing

@Suite("SwiftNaming")
struct SwiftNamingTests {
    @Test(arguments: [
        ("optional_int32", "optionalInt32"), ("fieldname1", "fieldname1"), ("field_name2", "fieldName2"),
        ("_field_name3", "fieldName3"), ("field__name4_", "fieldName4"), ("field0name5", "field0name5"),
        ("field_0_name6", "field0Name6"), ("fieldName7", "fieldName7"), ("FieldName8", "fieldName8"),
        ("field_Name9", "fieldName9"), ("Field_Name10", "fieldName10"), ("FIELD_NAME11", "fieldName11"),
        ("FIELD_name12", "fieldName12"), ("__field_name13", "fieldName13"), ("__Field_name14", "fieldName14"),
        ("field__name15", "fieldName15"), ("field__Name16", "fieldName16"), ("field_name17__", "fieldName17"),
        ("Field_name18__", "fieldName18"), ("1st", "_1st"),
    ])
    func fieldNamesBecomeLowerCamelCase(proto: String, swift: String) {
        #expect(SwiftNaming.lowerCamel(proto) == swift)
    }

    @Test func packagesBecomeTypePrefixes() {
        #expect(SwiftNaming.packagePrefix("grpc.health.v1") == "Grpc_Health_V1_")
        #expect(SwiftNaming.packagePrefix("protobuf_test_messages.proto3") == "ProtobufTestMessages_Proto3_")
        #expect(SwiftNaming.packagePrefix("") == "")
    }

    @Test func keywordsAreEscapedAndReservedTypeNamesRenamed() {
        #expect(SwiftNaming.escaped("default") == "`default`")
        #expect(SwiftNaming.escaped("value") == "value")
        #expect(SwiftNaming.typeName("Type") == "Type_")
        #expect(SwiftNaming.typeName("Bool") == "Bool")
    }

    @Test func enumValuesLoseTheirTypePrefixAndAliasesStayDistinct() {
        var descriptor = EnumDescriptor()
        descriptor.name = "ServingStatus"
        for (name, number) in [("UNKNOWN", 0), ("SERVING", 1), ("SERVICE_UNKNOWN", 3)] {
            var value = EnumDescriptor.Value()
            value.name = name
            value.number = Int32(number)
            descriptor.values.append(value)
        }
        #expect(EnumGenerator.memberNames(for: descriptor) == ["unknown", "serving", "serviceUnknown"])

        var aliased = EnumDescriptor()
        aliased.name = "AliasedEnum"
        for name in ["ALIAS_FOO", "MOO", "moo", "bAz"] {
            var value = EnumDescriptor.Value()
            value.name = name
            aliased.values.append(value)
        }
        let names = EnumGenerator.memberNames(for: aliased)
        #expect(Set(names).count == names.count)
        #expect(names == ["aliasFoo", "moo", "moo_", "bAz"])
    }

    @Test func cyclesAreFoundSoOnlyThoseMessagesGetBoxedStorage() {
        let edges = ["A": ["B"], "B": ["A"], "C": ["C"], "D": ["A"], "E": []]
        #expect(SchemaIndex.namesOnCycles(edges) == ["A", "B", "C"])
    }

    @Test func cEscapedBytesDefaultsAreDecoded() {
        #expect(FieldPlan.unescapeCBytes("joshua") == Array("joshua".utf8))
        #expect(FieldPlan.unescapeCBytes("\\000\\001\\xff\\n\\\\") == [0, 1, 0xFF, 0x0A, 0x5C])
    }
}
