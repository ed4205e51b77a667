// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire against bytes written by protoc, the C++ reference encoder.
//
// Every Fixtures/golden/<case>.txtpb is encoded by scripts/golden/make-fixtures.sh into
// <case>.bin with `protoc --encode`. For every fixture this suite checks that
//   (a) decoding the .bin and encoding the result gives back exactly the .bin,
//   (b) the same message built field by field in Swift (`GoldenCases.inCode`) encodes to
//       exactly the .bin, and
//   (c) decoding the .bin gives a message `==` to the one built in Swift.
// A few fixtures are deliberately not in ProtoWire's canonical form (map entries out of key
// order, a repeated map key, an extension written in field order); `GoldenCases.reencoding`
// says what (a) expects for them instead.

import ConformanceMessages
import Foundation
import ProtoWire
import Testing
import WellKnownTypes

typealias Proto3 = ProtobufTestMessages_Proto3_TestAllTypesProto3
typealias Proto2 = ProtobufTestMessages_Proto2_TestAllTypesProto2
typealias UnknownToTestAllTypes = ProtobufTestMessages_Proto2_UnknownToTestAllTypes
typealias ConformanceRequest = Conformance_ConformanceRequest

// MARK: - Fixture files

enum GoldenFixtures {
    /// Tests/ProtoWireTests/Fixtures/golden, found from this source file (no SwiftPM resources).
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .appendingPathComponent("golden")

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ProtoWireTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// Case names (file names without extension) of every file with `pathExtension`.
    static func names(withExtension pathExtension: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files
            .filter { $0.hasSuffix("." + pathExtension) }
            .map { String($0.dropLast(pathExtension.count + 1)) }
            .sorted()
    }

    /// Every case with a .txtpb source; the argument list of the per-fixture tests.
    static let all: [String] = names(withExtension: "txtpb")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name + ".bin")))
    }
}

/// The message type a fixture holds, from its name prefix (as in make-fixtures.sh).
enum FixtureKind {
    case proto3, proto2, unknownToTestAllTypes, conformanceRequest

    static let prefixes = ["proto3_", "proto2_", "unknown2_", "conformance_request_"]

    init(_ name: String) {
        if name.hasPrefix("proto3_") {
            self = .proto3
        } else if name.hasPrefix("proto2_") {
            self = .proto2
        } else if name.hasPrefix("conformance_request_") {
            self = .conformanceRequest
        } else {
            precondition(name.hasPrefix("unknown2_"), "fixture \(name) has no known prefix")
            self = .unknownToTestAllTypes
        }
    }

    /// Decodes and re-encodes. `unknown2_` fixtures go through TestAllTypesProto2, which knows
    /// none of their fields, so this checks that unknown fields are kept verbatim.
    func roundTrip(_ bytes: [UInt8]) throws(WireError) -> [UInt8] {
        switch self {
        case .proto3: try Proto3(serializedBytes: bytes).serializedBytes()
        case .proto2, .unknownToTestAllTypes: try Proto2(serializedBytes: bytes).serializedBytes()
        case .conformanceRequest: try ConformanceRequest(serializedBytes: bytes).serializedBytes()
        }
    }
}

/// A message built in Swift code, to compare with a fixture.
enum GoldenMessage: Sendable {
    case proto3(Proto3)
    case proto2(Proto2)
    case unknownToTestAllTypes(UnknownToTestAllTypes)
    case conformanceRequest(ConformanceRequest)

    func serializedBytes() -> [UInt8] {
        switch self {
        case .proto3(let message): message.serializedBytes()
        case .proto2(let message): message.serializedBytes()
        case .unknownToTestAllTypes(let message): message.serializedBytes()
        case .conformanceRequest(let message): message.serializedBytes()
        }
    }

    /// Decodes `bytes` as this message's type and compares with `==`.
    func isEqual(toDecoded bytes: [UInt8]) throws(WireError) -> Bool {
        switch self {
        case .proto3(let message): try Proto3(serializedBytes: bytes) == message
        case .proto2(let message): try Proto2(serializedBytes: bytes) == message
        case .unknownToTestAllTypes(let message): try UnknownToTestAllTypes(serializedBytes: bytes) == message
        case .conformanceRequest(let message): try ConformanceRequest(serializedBytes: bytes) == message
        }
    }
}

// MARK: - Tests

@Suite("Golden bytes (protoc 3.21.12)")
struct GoldenBytesTests {
    @Test func fixturesArePresent() {
        // A wrong #filePath or an empty checkout would otherwise pass every parameterised test vacuously.
        #expect(GoldenFixtures.all.count >= 100, "found \(GoldenFixtures.all.count) fixtures in \(GoldenFixtures.directory.path)")
    }

    @Test func everyTextFixtureHasItsEncodingAndViceVersa() {
        let sources = Set(GoldenFixtures.names(withExtension: "txtpb"))
        let encodings = Set(GoldenFixtures.names(withExtension: "bin"))
        #expect(
            sources.subtracting(encodings).sorted() == [],
            "run scripts/golden/make-fixtures.sh: these .txtpb files have no .bin"
        )
        #expect(
            encodings.subtracting(sources).sorted() == [],
            "these .bin files have no .txtpb source (delete them or restore the source)"
        )
        for name in sources {
            #expect(FixtureKind.prefixes.contains { name.hasPrefix($0) }, "\(name): the prefix names the message type")
        }
    }

    /// With protoc installed, regenerates every fixture into a scratch directory and compares:
    /// catches a .txtpb edited without re-running the script.
    @Test(.enabled(if: GoldenBytesTests.protocIsInstalled, "protoc is not installed"))
    func committedEncodingsMatchTheirSources() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            GoldenFixtures.repositoryRoot.appendingPathComponent("scripts/golden/make-fixtures.sh").path, "--check",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(log)")
    }

    static let protocIsInstalled: Bool = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/protoc")
        } && FileManager.default.fileExists(atPath: "/usr/include/google/protobuf/any.proto")
    }()

    /// Every fixture has a Swift-built counterpart, so (b) and (c) cover every fixture.
    @Test func everyFixtureIsAlsoBuiltInCode() {
        let fixtures = Set(GoldenFixtures.all)
        let built = Set(GoldenCases.inCode.keys)
        #expect(fixtures.subtracting(built).sorted() == [], "fixtures without a GoldenCases.inCode entry")
        #expect(built.subtracting(fixtures).sorted() == [], "GoldenCases.inCode entries without a fixture")
    }

    /// (a) decode, re-encode, compare with protoc's bytes.
    @Test(arguments: GoldenFixtures.all)
    func decodeThenEncodeReproducesProtocBytes(_ name: String) throws {
        let bytes = try GoldenFixtures.bytes(name)
        let expected: [UInt8]
        switch GoldenCases.reencoding[name] {
        case nil: expected = bytes
        case .fixture(let canonical)?: expected = try GoldenFixtures.bytes(canonical)
        case .bytes(let literal)?: expected = literal
        }
        let reencoded = try FixtureKind(name).roundTrip(bytes)
        #expect(hex(reencoded) == hex(expected))
        // Whatever the input order, a second round trip is stable.
        #expect(try FixtureKind(name).roundTrip(reencoded) == reencoded)
    }

    /// (b) the message built in Swift encodes to exactly protoc's bytes.
    @Test(arguments: GoldenFixtures.all)
    func messageBuiltInCodeEncodesToProtocBytes(_ name: String) throws {
        let message = try #require(GoldenCases.inCode[name])
        var expected = try GoldenFixtures.bytes(name)
        if case .fixture(let canonical)? = GoldenCases.reencoding[name] {
            expected = try GoldenFixtures.bytes(canonical)
        } else if case .bytes(let literal)? = GoldenCases.reencoding[name] {
            expected = literal
        }
        #expect(hex(message.serializedBytes()) == hex(expected))
    }

    /// (c) decoding protoc's bytes gives a message equal to the one built in Swift.
    @Test(arguments: GoldenFixtures.all)
    func decodingProtocBytesEqualsMessageBuiltInCode(_ name: String) throws {
        let message = try #require(GoldenCases.inCode[name])
        let bytes = try GoldenFixtures.bytes(name)
        if GoldenCases.containsNaN.contains(name) {
            // NaN != NaN, so `==` can never hold; compare the encodings (bit patterns) instead.
            #expect(try FixtureKind(name).roundTrip(bytes) == message.serializedBytes())
        } else {
            #expect(try message.isEqual(toDecoded: bytes))
        }
    }

    // MARK: Spot checks that do not depend on the in-code table

    @Test func nanPayloadsSurviveExactly() throws {
        let float = try Proto3(serializedBytes: GoldenFixtures.bytes("proto3_float_nan"))
        #expect(float.optionalFloat.isNaN)
        #expect(float.optionalFloat.bitPattern == 0x7FC0_0000)
        let double = try Proto3(serializedBytes: GoldenFixtures.bytes("proto3_double_nan"))
        #expect(double.optionalDouble.isNaN)
        #expect(double.optionalDouble.bitPattern == 0x7FF8_0000_0000_0000)
        // A signalling NaN with payload is kept bit for bit too.
        let signalling: [UInt8] = [0x5D, 0x01, 0x00, 0x80, 0x7F]
        #expect(try Proto3(serializedBytes: signalling).serializedBytes() == signalling)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let float = try Proto3(serializedBytes: GoldenFixtures.bytes("proto3_float_negative_zero"))
        #expect(float.optionalFloat == 0 && float.optionalFloat.sign == .minus)
        let double = try Proto3(serializedBytes: GoldenFixtures.bytes("proto3_double_negative_zero"))
        #expect(double.optionalDouble == 0 && double.optionalDouble.sign == .minus)
    }

    @Test func proto2GroupBytesAreStartTagFieldsEndTag() throws {
        let bytes = try GoldenFixtures.bytes("proto2_group")
        #expect(bytes == [0xCB, 0x0C, 0xD0, 0x0C, 0x01, 0xD8, 0x0C, 0x02, 0xCC, 0x0C])
        let message = try Proto2(serializedBytes: bytes)
        #expect(message.hasData && message.data.groupInt32 == 1 && message.data.groupUint32 == 2)
    }

    @Test func proto2UnsetDefaultsReadTheirDeclaredValuesAndSetOnesArePresent() throws {
        let unset = try Proto2(serializedBytes: GoldenFixtures.bytes("proto2_empty"))
        #expect(!unset.hasDefaultInt32 && unset.defaultInt32 == -123_456_789)
        #expect(!unset.hasDefaultString && unset.defaultString == "Rosebud")
        let set = try Proto2(serializedBytes: GoldenFixtures.bytes("proto2_defaults_set_to_default"))
        #expect(set.hasDefaultInt32 && set.defaultInt32 == -123_456_789)
        #expect(set.hasDefaultBytes && set.defaultBytes == Array("joshua".utf8))
        #expect(set != unset)  // same values, different presence
        let zero = try Proto2(serializedBytes: GoldenFixtures.bytes("proto2_defaults_set_to_zero"))
        #expect(zero.hasDefaultInt32 && zero.defaultInt32 == 0)
        #expect(zero.hasDefaultString && zero.defaultString == "")
    }

    @Test func unknownFieldsFixtureIsAllUnknownToTestAllTypesProto2() throws {
        let bytes = try GoldenFixtures.bytes("unknown2_fields")
        let asProto2 = try Proto2(serializedBytes: bytes)
        #expect(asProto2.unknownFields.bytes == bytes)
        #expect(asProto2.withoutUnknownFields == Proto2())
        let known = try UnknownToTestAllTypes(serializedBytes: bytes)
        #expect(known.optionalgroup.a == 9)
        #expect(known.unknownFields.isEmpty)
        #expect(known.serializedBytes() == bytes)
    }

    @Test func extensionsAreKeptAsUnknownFields() throws {
        let bytes = try GoldenFixtures.bytes("proto2_extension_alone")
        #expect(bytes == [0xC0, 0x07, 0x05])  // field 120, varint 5
        let message = try Proto2(serializedBytes: bytes)
        #expect(message.unknownFields.bytes == bytes)
    }

    @Test func oneofMembersAreWrittenInFieldNumberOrderLikeProtoc() throws {
        // With text_payload (8) set, protoc writes it between fields 4 and 9; so do we.
        let protoc = try GoldenFixtures.bytes("conformance_request_oneof_interleaved")
        let message = try ConformanceRequest(serializedBytes: protoc)
        #expect(message.payload == .textPayload("optional_int32: 1"))
        #expect(message.serializedBytes() == protoc)
        let first = try GoldenFixtures.bytes("conformance_request_oneof_first")
        #expect(try ConformanceRequest(serializedBytes: first).serializedBytes() == first)
    }

    @Test func unsortedMapFixtureReallyIsUnsortedInProtocOutput() throws {
        // Guards the premise of the reordered case: protoc keeps text order for map entries.
        let sorted = try GoldenFixtures.bytes("proto3_map_multi_sorted")
        let unsorted = try GoldenFixtures.bytes("proto3_map_multi_unsorted")
        #expect(sorted != unsorted)
        #expect(sorted.count == unsorted.count)
        #expect(try Proto3(serializedBytes: unsorted) == Proto3(serializedBytes: sorted))
    }
}

extension Proto2 {
    fileprivate var withoutUnknownFields: Proto2 {
        var copy = self
        copy.unknownFields = UnknownFields()
        return copy
    }
}

/// Hex with a space per byte, so a failing `#expect` shows where the encodings part.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}
