// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import ProtoCompiler
import ProtoDynamic
import Testing

@Suite("EnumSchema name matching")
struct EnumSchemaTests {
    /// Enums whose names exercise the prefix rule: `PpuSchema` → `PPU_SCHEMA_`, `HTTPStatus` →
    /// `HTTP_STATUS_`, `V2Mode` → `V2_MODE_`, and one without any prefix.
    static func pool() throws -> DescriptorPool {
        var file = FileDescriptor()
        file.name = "test/enums.proto"
        file.package = "test.enums"
        file.syntax = "proto3"
        file.enums = [
            Fixtures.enumeration(
                "PpuSchema", [("PPU_SCHEMA_UNSPECIFIED", 0), ("PPU_SCHEMA_QT", 1), ("PPU_SCHEMA_TR", 2)]),
            Fixtures.enumeration(
                "HTTPStatus", [("HTTP_STATUS_UNKNOWN", 0), ("HTTP_STATUS_OK", 200), ("HTTP_STATUS_NOT_FOUND", 404)]),
            Fixtures.enumeration("V2Mode", [("V2_MODE_OFF", 0), ("V2_MODE_ON", 1)]),
            Fixtures.enumeration("Bare", [("UNKNOWN", 0), ("SERVING", 1), ("NOT_SERVING", 2), ("ALIAS", 1)]),
        ]
        return try DescriptorPool(descriptors: [file])
    }

    @Test(
        "a value is found by full name or without the prefix, ignoring case and dashes",
        arguments: [
            ("PpuSchema", "PPU_SCHEMA_QT", 1), ("PpuSchema", "ppu_schema_qt", 1), ("PpuSchema", "qt", 1),
            ("PpuSchema", "TR", 2),
            ("PpuSchema", "unspecified", 0), ("PpuSchema", "Ppu-Schema-Tr", 2),
            ("HTTPStatus", "ok", 200), ("HTTPStatus", "not-found", 404), ("HTTPStatus", "HTTP_STATUS_NOT_FOUND", 404),
            ("V2Mode", "on", 1), ("V2Mode", "V2_MODE_OFF", 0),
            ("Bare", "serving", 1), ("Bare", "NOT_SERVING", 2), ("Bare", "alias", 1),
        ] as [(String, String, Int32)])
    func matches(enumName: String, text: String, number: Int32) throws {
        let schema = try #require(try Self.pool().enumType(named: "test.enums." + enumName))
        #expect(schema.value(matching: text)?.number == number)
    }

    @Test(
        "near misses match nothing",
        arguments: [
            ("PpuSchema", "schema_qt"), ("PpuSchema", "PPU_SCHEMA_"), ("PpuSchema", ""), ("PpuSchema", "1"),
            ("PpuSchema", "q t"),
            ("HTTPStatus", "status_ok"), ("Bare", "serv"), ("V2Mode", "mode_on"),
        ])
    func misses(enumName: String, text: String) throws {
        let schema = try #require(try Self.pool().enumType(named: "test.enums." + enumName))
        #expect(schema.value(matching: text) == nil)
    }

    @Test("names by number use the first declared name; exact lookup is exact")
    func lookups() throws {
        let bare = try #require(try Self.pool().enumType(named: "test.enums.Bare"))
        #expect(bare.name(for: 1) == "SERVING")
        #expect(bare.name(for: 9) == nil)
        #expect(bare.value(named: "ALIAS")?.number == 1)
        #expect(bare.value(named: "alias") == nil)
        #expect(bare.values.count == 4)
        #expect(!bare.isClosed)
    }

    @Test("flag text takes names, prefixes and numbers; proto2 enums refuse unnamed numbers")
    func flagText() throws {
        let pool = try Fixtures.kitchen()
        var legacy = DynamicMessage(schema: try Fixtures.message(pool, "test.legacy.Legacy"))
        try legacy.set(path: "color", text: "green")
        try legacy.set(path: "colors", text: "1")
        #expect(try legacy.jsonString() == #"{"color":"GREEN","colors":["RED"]}"#)
        #expect {
            try legacy.set(path: "color", text: "3")
        } throws: { error in
            (error as? DynamicMessageError)?.message == "color: 3 is not a value of enum test.legacy.Color"
        }
        #expect {
            try legacy.merge(jsonString: #"{"color": 3}"#)
        } throws: { error in
            (error as? DynamicMessageError)?.message == "color: 3 is not a value of enum test.legacy.Color"
        }
    }
}
