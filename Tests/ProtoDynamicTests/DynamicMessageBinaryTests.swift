// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import Contracts
import ProtoDynamic
import ProtoWire
import Testing
import WellKnownTypes

@Suite("DynamicMessage binary format")
struct DynamicMessageBinaryTests {
    @Test("a request built dynamically decodes as the generated SimpleRequest")
    func dynamicToGenerated() throws {
        let pool = try Fixtures.contracts()
        var request = DynamicMessage(schema: try Fixtures.message(pool, "grpc.testing.SimpleRequest"))
        try request.set(path: "response_size", text: "314159")
        try request.set(path: "payload.body", text: "AAEC/w==")
        try request.set(path: "fill_username", text: "true")
        try request.set(path: "response_status.code", text: "-2")
        try request.set(path: "response_status.message", text: "héllo")
        try request.set(path: "orca_per_query_report.request_cost", text: "db=0.25")
        try request.set(path: "orca_per_query_report.request_cost", text: "cpu=1.5")
        try request.set(path: "expect_compressed.value", text: "false")

        let bytes = request.serializedBytes()
        #expect(bytes.count == request.serializedSize())
        let generated = try Grpc_Testing_SimpleRequest(serializedBytes: bytes)
        #expect(generated.responseSize == 314_159)
        #expect(generated.payload.body == [0, 1, 2, 255])
        #expect(generated.fillUsername)
        #expect(generated.responseStatus.code == -2)
        #expect(generated.responseStatus.message == "héllo")
        #expect(generated.orcaPerQueryReport.requestCost == ["db": 0.25, "cpu": 1.5])
        #expect(generated.hasExpectCompressed && !generated.expectCompressed.value)
        #expect(!generated.hasResponseCompressed)
        #expect(generated.unknownFields.isEmpty)
        // Same fields, same order, same map order: the bytes are the generated encoder's bytes.
        #expect(bytes == generated.serializedBytes())
    }

    @Test("a generated SimpleRequest decodes dynamically and re-encodes to the same bytes")
    func generatedToDynamic() throws {
        var generated = Grpc_Testing_SimpleRequest()
        generated.responseType = Grpc_Testing_PayloadType(rawValue: 7)  // open enum: an unnamed number
        generated.responseSize = -1
        generated.payload.body = Array(repeating: 0xAB, count: 300)
        generated.fillOauthScope = true
        generated.orcaOobReport.cpuUtilization = 0.5
        generated.orcaOobReport.utilization = ["b": 2, "a": 1]
        let bytes = generated.serializedBytes()

        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.testing.SimpleRequest")
        let message = try DynamicMessage(schema: schema, serializedBytes: bytes)
        #expect(message["response_type"] == .enumValue(7))
        #expect(message["response_size"] == .int32(-1))
        #expect(message["fill_oauth_scope"] == .bool(true))
        #expect(message["fill_username"] == nil)
        let payload = try #require(message["payload"]?.messageValue)
        #expect(payload["body"] == .bytes(Array(repeating: 0xAB, count: 300)))
        let report = try #require(message["orca_oob_report"]?.messageValue)
        let utilization = try Fixtures.field(report.schema, "utilization")
        #expect(report.entries(utilization).map(\.key) == [.string("a"), .string("b")])
        #expect(message.unknownFields.isEmpty)
        #expect(message.serializedBytes() == bytes)
    }

    @Test("health check responses round trip both ways")
    func health() throws {
        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.health.v1.HealthCheckResponse")
        var response = DynamicMessage(schema: schema)
        try response.set(path: "status", text: "not_serving")
        let generated = try Grpc_Health_V1_HealthCheckResponse(serializedBytes: response.serializedBytes())
        #expect(generated.status == .notServing)

        var serving = Grpc_Health_V1_HealthCheckResponse()
        serving.status = .serving
        let decoded = try DynamicMessage(schema: schema, serializedBytes: serving.serializedBytes())
        #expect(decoded["status"] == .enumValue(1))
        #expect(try decoded.jsonString() == #"{"status":"SERVING"}"#)
    }

    @Test("google.rpc.Status with an Any holding BadRequest round trips and renders")
    func statusWithAny() throws {
        var violation = Google_Rpc_BadRequest.FieldViolation()
        violation.field = "name"
        violation.description = "must not be empty"
        var badRequest = Google_Rpc_BadRequest()
        badRequest.fieldViolations = [violation]
        var detail = Google_Protobuf_Any()
        detail.typeUrl = "type.googleapis.com/google.rpc.BadRequest"
        detail.value = badRequest.serializedBytes()
        var status = Google_Rpc_Status()
        status.code = 3
        status.message = "invalid name"
        status.details = [detail]
        let bytes = status.serializedBytes()

        let pool = try Fixtures.contracts()
        let message = try DynamicMessage(
            schema: try Fixtures.message(pool, "google.rpc.Status"), serializedBytes: bytes)
        #expect(message.serializedBytes() == bytes)
        #expect(
            try message.jsonString()
                == #"{"code":3,"message":"invalid name","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","#
                + #""fieldViolations":[{"field":"name","description":"must not be empty"}]}]}"#)

        // And back: JSON with the Any opened up encodes to the generated bytes.
        let reparsed = try DynamicMessage(schema: message.schema, jsonString: try message.jsonString())
        #expect(reparsed.serializedBytes() == bytes)
        let generated = try Google_Rpc_Status(serializedBytes: reparsed.serializedBytes())
        #expect(
            try Google_Rpc_BadRequest(serializedBytes: generated.details[0].value).fieldViolations[0].field == "name")
    }

    @Test("maps of messages match the generated encoding")
    func mapsOfMessages() throws {
        var generated = Grpc_Testing_LoadBalancerStatsResponse()
        generated.rpcsByPeer = ["peer-b": 2, "peer-a": 1, "": 0]
        generated.numFailures = 3
        var byPeer = Grpc_Testing_LoadBalancerStatsResponse.RpcsByPeer()
        byPeer.rpcsByPeer = ["x": 9]
        generated.rpcsByMethod = ["UnaryCall": byPeer, "EmptyCall": .init()]
        let bytes = generated.serializedBytes()

        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.testing.LoadBalancerStatsResponse")
        let message = try DynamicMessage(schema: schema, serializedBytes: bytes)
        #expect(message.serializedBytes() == bytes)
        let entries = message.entries(try Fixtures.field(schema, "rpcs_by_peer"))
        #expect(entries.map(\.key) == [.string(""), .string("peer-a"), .string("peer-b")])
        #expect(entries.map(\.value) == [.int32(0), .int32(1), .int32(2)])
        #expect(
            try message.jsonString()
                == #"{"rpcsByPeer":{"":0,"peer-a":1,"peer-b":2},"numFailures":3,"#
                + #""rpcsByMethod":{"EmptyCall":{},"UnaryCall":{"rpcsByPeer":{"x":9}}}}"#)
    }

    @Test("a oneof decodes into one member and re-encodes as the generated reflection request")
    func oneof() throws {
        var generated = Grpc_Reflection_V1_ServerReflectionRequest()
        generated.host = "localhost"
        generated.fileContainingSymbol = "grpc.health.v1.Health"
        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.reflection.v1.ServerReflectionRequest")
        var message = try DynamicMessage(schema: schema, serializedBytes: generated.serializedBytes())
        let oneof = try #require(schema.oneofs.first)
        #expect(message.setField(in: oneof)?.name == "file_containing_symbol")

        try message.set(path: "list_services", text: "*")
        #expect(message.setField(in: oneof)?.name == "list_services")
        #expect(message["file_containing_symbol"] == nil)
        let back = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: message.serializedBytes())
        #expect(back.messageRequest == .listServices("*"))
        #expect(back.host == "localhost")
    }

    @Test("unknown fields are kept and re-emitted after the known ones")
    func unknownFields() throws {
        var generated = Grpc_Testing_EchoStatus()
        generated.code = 5
        generated.message = "x"
        // Field 99 (varint 1), field 100 (length-delimited "ab"), field 7 as a fixed32.
        let extra: [UInt8] = [0x98, 0x06, 0x01, 0xA2, 0x06, 0x02, 0x61, 0x62, 0x3D, 1, 2, 3, 4]
        let bytes = generated.serializedBytes() + extra
        let pool = try Fixtures.contracts()
        var message = try DynamicMessage(
            schema: try Fixtures.message(pool, "grpc.testing.EchoStatus"), serializedBytes: bytes)
        #expect(message.unknownFields.bytes == extra)
        #expect(message.serializedBytes() == bytes)
        try message.set(path: "code", text: "6")
        #expect(message.serializedBytes() == [0x08, 0x06, 0x12, 0x01, 0x78] + extra)
    }

    @Test("a field with the wrong wire type is kept as an unknown field")
    func wrongWireType() throws {
        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.testing.EchoStatus")
        // code (an int32) sent as length-delimited.
        let bytes: [UInt8] = [0x0A, 0x01, 0x07]
        let message = try DynamicMessage(schema: schema, serializedBytes: bytes)
        #expect(message["code"] == nil)
        #expect(message.unknownFields.bytes == bytes)
        #expect(message.serializedBytes() == bytes)
    }

    @Test("repeated scalars decode packed and unpacked, and encode as the schema says")
    func packedAndUnpacked() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        // r_int32 = 18 unpacked (tag 0x90 0x01, wire 0) twice, then packed (wire 2) once.
        let mixed: [UInt8] = [0x90, 0x01, 0x01, 0x90, 0x01, 0x02, 0x92, 0x01, 0x02, 0x03, 0x7F]
        let message = try DynamicMessage(schema: schema, serializedBytes: mixed)
        #expect(
            message.values(try Fixtures.field(schema, "r_int32")) == [.int32(1), .int32(2), .int32(3), .int32(127)])
        #expect(hex(message.serializedBytes()) == "920104010203" + "7f")

        // r_sint64 = 21 is [packed = false]: packed input is accepted, output is one tag per value.
        let packed: [UInt8] = [0xAA, 0x01, 0x02, 0x01, 0x02]
        let sint = try DynamicMessage(schema: schema, serializedBytes: packed)
        #expect(sint.values(try Fixtures.field(schema, "r_sint64")) == [.int64(-1), .int64(1)])
        #expect(hex(sint.serializedBytes()) == "a80101a80102")
    }

    @Test("every scalar type encodes as the wire format defines it")
    func scalarEncodings() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let cases: [(String, String, String)] = [
            ("f_double", "1.5", "09000000000000f83f"),
            ("f_float", "-2", "15000000c0"),
            ("f_int64", "-1", "18ffffffffffffffffff01"),
            ("f_uint64", "18446744073709551615", "20ffffffffffffffffff01"),
            ("f_int32", "-1", "28ffffffffffffffffff01"),
            ("f_fixed64", "1", "310100000000000000"),
            ("f_fixed32", "4294967295", "3dffffffff"),
            ("f_bool", "true", "4001"),
            ("f_string", "hé", "4a0368c3a9"),
            ("f_bytes", "3q0=", "5202dead"),
            ("f_uint32", "300", "58ac02"),
            ("f_sfixed32", "-2", "65feffffff"),
            ("f_sfixed64", "-2", "69feffffffffffffff"),
            ("f_sint32", "-3", "7005"),
            ("f_sint64", "2147483648", "788080808010"),
            ("precision", "decimal_2", "800103"),
            ("maybe", "0", "d00100"),
        ]
        for (path, text, expected) in cases {
            var message = DynamicMessage(schema: schema)
            try message.set(path: path, text: text)
            #expect(hex(message.serializedBytes()) == expected, "\(path) = \(text)")
            let decoded = try DynamicMessage(schema: schema, serializedBytes: message.serializedBytes())
            #expect(decoded == message, "\(path) = \(text)")
        }
    }

    @Test("implicit-presence zeros are not written; explicit presence keeps them")
    func presence() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        var message = DynamicMessage(schema: schema)
        try message.set(path: "f_int32", text: "0")
        try message.set(path: "f_string", text: "")
        #expect(message.isEmpty)
        try message.set(path: "maybe", text: "0")
        try message.set(path: "nested.id", text: "0")
        #expect(hex(message.serializedBytes()) == "8a0100" + "d00100")
        #expect(message.has(try Fixtures.field(schema, "maybe")))
        #expect(!message.has(try Fixtures.field(schema, "f_int32")))
        // -0.0 is not the default.
        try message.set(path: "f_double", text: "-0")
        #expect(hex(message.serializedBytes()).hasPrefix("090000000000000080"))
    }

    @Test("a singular message field seen twice merges, as protobuf requires")
    func messageMerge() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        // nested { id: 1 } then nested { name: "n" }.
        let bytes: [UInt8] = [0x8A, 0x01, 0x02, 0x08, 0x01, 0x8A, 0x01, 0x03, 0x12, 0x01, 0x6E]
        let message = try DynamicMessage(schema: schema, serializedBytes: bytes)
        let nested = try #require(message["nested"]?.messageValue)
        #expect(nested["id"] == .int32(1))
        #expect(nested["name"] == .string("n"))
    }

    @Test("proto2: closed enums keep unnamed numbers as unknown fields; groups round trip; defaults read")
    func proto2() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.legacy.Legacy")
        // color = 9 (unnamed), colors = [1, 9] packed, item group { n: 3 }, zero = 0.
        let bytes: [UInt8] = [0x08, 0x09, 0x1A, 0x02, 0x01, 0x09, 0x23, 0x28, 0x03, 0x24, 0x30, 0x00]
        let message = try DynamicMessage(schema: schema, serializedBytes: bytes)
        #expect(message["color"] == nil)
        #expect(message.values(try Fixtures.field(schema, "colors")) == [.enumValue(1)])
        #expect(message.unknownFields.bytes == [0x08, 0x09, 0x18, 0x09])
        let item = try #require(message["item"]?.messageValue)
        #expect(item["n"] == .int32(3))
        #expect(message["zero"] == .int32(0))  // explicit presence: a zero is kept
        #expect(hex(message.serializedBytes()) == "18012328032430000809" + "1809")

        // Unset fields read as their declared default, a closed enum as its first value.
        let empty = DynamicMessage(schema: schema)
        #expect(empty.value(try Fixtures.field(schema, "count")) == .int32(7))
        #expect(empty.value(try Fixtures.field(schema, "color")) == .enumValue(1))
    }

    @Test(
        "malformed input fails with the code and the offset within the whole input",
        arguments: [
            // payload (field 3) says 5 bytes, 2 follow.
            ([0x10, 0x01, 0x1A, 0x05, 0x12, 0x01], WireError.Code.lengthTooLarge, 3),
            // payload.body says 4 bytes inside a 3-byte payload.
            ([0x10, 0x01, 0x1A, 0x03, 0x12, 0x04, 0x00], .lengthTooLarge, 5),
            // payload.type is a varint that never ends.
            ([0x1A, 0x02, 0x08, 0x80], .truncated, 3),
            // field number 0 inside payload.
            ([0x1A, 0x02, 0x00, 0x00], .invalidFieldNumber, 2),
            // invalid UTF-8 in response_status.message.
            ([0x3A, 0x03, 0x12, 0x01, 0xFF], .invalidUTF8, 4),
        ] as [([UInt8], WireError.Code, Int)])
    func malformed(bytes: [UInt8], code: WireError.Code, offset: Int) throws {
        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.testing.SimpleRequest")
        #expect(throws: WireError(code: code, offset: offset)) {
            try DynamicMessage(schema: schema, serializedBytes: bytes)
        }
    }

    @Test("the depth limit counts nested messages")
    func depthLimit() throws {
        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "google.protobuf.Value")
        // Value { list_value (6) { values (1) { list_value … } } }, nested 30 deep.
        var bytes: [UInt8] = [0x20, 0x01]  // bool_value: true
        for _ in 0..<30 {
            bytes = [0x0A, UInt8(bytes.count)] + bytes  // ListValue.values
            bytes = [0x32, UInt8(bytes.count)] + bytes  // Value.list_value
        }
        #expect(throws: Never.self) { try DynamicMessage(schema: schema, serializedBytes: bytes, depthLimit: 60) }
        #expect {
            try DynamicMessage(schema: schema, serializedBytes: bytes, depthLimit: 59)
        } throws: { error in
            (error as? WireError)?.code == .depthLimitExceeded
        }
    }

    @Test("a packed field cut in the middle of an element fails")
    func packedMismatch() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        // r_int32 packed, 2 bytes: one complete varint and one that does not end.
        #expect(throws: WireError(code: .packedLengthMismatch, offset: 4)) {
            try DynamicMessage(schema: schema, serializedBytes: [0x92, 0x01, 0x02, 0x01, 0x80])
        }
    }
}
