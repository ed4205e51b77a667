// SPDX-License-Identifier: Apache-2.0
// UsageFlow — behaviour of the code ProtoGen writes (Sources/ProtoCompiler/MessageGenerator.swift,
// EnumGenerator.swift, ServiceGenerator.swift), exercised through the committed generated files.

import ConformanceMessages
import Contracts
import ProtoWire
import Testing
import WellKnownTypes

typealias Proto3 = ProtobufTestMessages_Proto3_TestAllTypesProto3
typealias Proto2 = ProtobufTestMessages_Proto2_TestAllTypesProto2

@Suite("Generated messages")
struct GeneratedCodeTests {
    @Test func recursiveMessagesHaveValueSemanticsThroughCopyOnWriteStorage() {
        var original = Proto3()
        original.optionalInt32 = 1
        original.recursiveMessage.optionalInt32 = 2
        var copy = original
        copy.optionalInt32 = 10
        copy.recursiveMessage.optionalInt32 = 20
        #expect(original.optionalInt32 == 1)
        #expect(original.recursiveMessage.optionalInt32 == 2)
        #expect(copy.recursiveMessage.optionalInt32 == 20)
        #expect(original != copy)
        copy.optionalInt32 = 1
        copy.recursiveMessage.optionalInt32 = 2
        #expect(original == copy)
        #expect(original.hashValue == copy.hashValue)
    }

    @Test func messageFieldsHaveExplicitPresence() throws {
        var message = Proto3()
        #expect(!message.hasOptionalNestedMessage)
        #expect(message.optionalNestedMessage.a == 0)  // reading does not set it
        #expect(!message.hasOptionalNestedMessage)
        message.optionalNestedMessage = .init()
        #expect(message.hasOptionalNestedMessage)
        // An empty but present sub-message is still written: tag 18, length 0.
        #expect(message.serializedBytes() == [0x92, 0x01, 0x00])
        message.clearOptionalNestedMessage()
        #expect(message.serializedBytes().isEmpty)
    }

    @Test func proto3ScalarsAtTheirDefaultAreNotWrittenButNegativeZeroIs() {
        var message = Proto3()
        message.optionalInt32 = 0
        message.optionalString = ""
        message.optionalDouble = 0
        #expect(message.serializedBytes().isEmpty)
        message.optionalDouble = -0.0
        #expect(message.serializedBytes() == [0x61, 0, 0, 0, 0, 0, 0, 0, 0x80])
    }

    @Test func proto2OptionalsRememberPresenceAndReadTheirDeclaredDefaults() throws {
        var message = Proto2()
        #expect(message.defaultInt32 == -123_456_789)
        #expect(message.defaultString == "Rosebud")
        #expect(message.defaultBytes == Array("joshua".utf8))
        #expect(message.defaultFloat == 9e9)
        #expect(!message.hasDefaultInt32)
        message.optionalInt32 = 0
        #expect(message.hasOptionalInt32)
        #expect(message.serializedBytes() == [0x08, 0x00])
        let decoded = try Proto2(serializedBytes: [0x08, 0x00])
        #expect(decoded.hasOptionalInt32)
        #expect(decoded == message)
    }

    @Test func oneofKeepsOnlyTheLastMemberSet() throws {
        var message = Proto3()
        message.oneofUint32 = 7
        message.oneofString = "seven"
        #expect(message.oneofField == .oneofString("seven"))
        #expect(message.oneofUint32 == 0)
        // A zero value is still a set member and is written.
        message.oneofUint32 = 0
        #expect(message.serializedBytes() == [0xF8, 0x06, 0x00])
        let decoded = try Proto3(serializedBytes: message.serializedBytes())
        #expect(decoded.oneofField == .oneofUint32(0))
    }

    @Test func openEnumsKeepValuesTheSchemaDoesNotName() throws {
        var message = Proto3()
        message.optionalNestedEnum = .init(rawValue: 12345)
        let decoded = try Proto3(serializedBytes: message.serializedBytes())
        #expect(decoded.optionalNestedEnum.rawValue == 12345)
        #expect(decoded.optionalNestedEnum.protoName == nil)
        #expect(Proto3.NestedEnum.bar.description == "BAR")
        #expect(Proto3.NestedEnum.neg.rawValue == -1)
        #expect(!Proto3.NestedEnum.isKnown(12345))
    }

    @Test func closedEnumsMoveUnknownValuesToUnknownFields() throws {
        // optional_nested_enum = 21, value 77 is not a NestedEnum value in proto2.
        let bytes: [UInt8] = [0xA8, 0x01, 77]
        let decoded = try Proto2(serializedBytes: bytes)
        #expect(!decoded.hasOptionalNestedEnum)
        #expect(decoded.unknownFields.bytes == bytes)
        #expect(decoded.serializedBytes() == bytes)
    }

    @Test func mapsEncodeInKeyOrderSoEqualMapsGiveEqualBytes() throws {
        var first = Proto3()
        var second = Proto3()
        for key in ["b", "a", "c", "aa"] { first.mapStringString[key] = key.uppercased() }
        for key in ["c", "aa", "a", "b"] { second.mapStringString[key] = key.uppercased() }
        #expect(first.serializedBytes() == second.serializedBytes())
        let decoded = try Proto3(serializedBytes: first.serializedBytes())
        #expect(decoded.mapStringString == first.mapStringString)
        var ints = Proto3()
        ints.mapInt32Int32 = [3: 30, -1: 10, 2: 20]
        let keys = try decodedMapKeys(ints.serializedBytes())
        #expect(keys == [-1, 2, 3])
    }

    @Test func wellKnownTypesAreOrdinaryMessages() throws {
        var message = Proto3()
        message.optionalTimestamp.seconds = 1_700_000_000
        message.optionalTimestamp.nanos = 5
        message.optionalDuration.seconds = -3
        message.optionalBoolWrapper.value = true
        message.optionalStruct.fields["k"] = .init()
        message.optionalStruct.fields["k"]!.stringValue = "v"
        let decoded = try Proto3(serializedBytes: message.serializedBytes())
        #expect(decoded == message)
        #expect(decoded.optionalStruct.fields["k"]?.kind == .stringValue("v"))
    }

    @Test func servicesDescribeTheirMethods() {
        #expect(Grpc_Health_V1_Health.name == "grpc.health.v1.Health")
        #expect(Grpc_Health_V1_Health.Watch.schema.kind == .serverStreaming)
        #expect(Grpc_Health_V1_Health.Check.schema.path == "/grpc.health.v1.Health/Check")
        let methods = Grpc_Testing_BenchmarkService.schema.methods.map { "\($0.name):\($0.kind.rawValue)" }
        #expect(methods == [
            "UnaryCall:unary", "StreamingCall:bidirectionalStreaming", "StreamingFromClient:clientStreaming",
            "StreamingFromServer:serverStreaming", "StreamingBothWays:bidirectionalStreaming",
        ])
        #expect(Grpc_Reflection_V1_ServerReflection.ServerReflectionInfo.schema.kind == .bidirectionalStreaming)
    }

    @Test func richErrorDetailsRoundTrip() throws {
        var violation = Google_Rpc_BadRequest.FieldViolation()
        violation.field = "items[0].precision"
        violation.description = "precision must be 0 to 8"
        var badRequest = Google_Rpc_BadRequest()
        badRequest.fieldViolations = [violation]
        var any = Google_Protobuf_Any()
        any.typeUrl = "type.googleapis.com/google.rpc.BadRequest"
        any.value = badRequest.serializedBytes()
        var status = Google_Rpc_Status()
        status.code = 3
        status.message = "invalid item"
        status.details = [any]
        let decoded = try Google_Rpc_Status(serializedBytes: status.serializedBytes())
        #expect(decoded == status)
        #expect(try Google_Rpc_BadRequest(serializedBytes: decoded.details[0].value) == badRequest)
    }

    private func decodedMapKeys(_ bytes: [UInt8]) throws -> [Int32] {
        var keys: [Int32] = []
        try bytes.withUnsafeBytes { raw in
            var reader = WireReader(bytes: raw)
            while let tag = try reader.nextTag() {
                guard tag.fieldNumber == 56 else {
                    try reader.skipValue(tag)
                    continue
                }
                let entry = try reader.read(WireBytes.self)
                try entry.withUnsafeBytes { entryRaw in
                    var entryReader = WireReader(bytes: entryRaw)
                    while let entryTag = try entryReader.nextTag() {
                        if entryTag.fieldNumber == 1 {
                            keys.append(try entryReader.read(WireInt32.self))
                        } else {
                            try entryReader.skipValue(entryTag)
                        }
                    }
                }
            }
        }
        return keys
    }
}
