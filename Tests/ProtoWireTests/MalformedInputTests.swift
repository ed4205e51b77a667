// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire decoding of malformed and unusual input (Sources/ProtoWire/WireReader*.swift).
//
// Every malformed input must throw a WireError with the exact code, and the offset where the
// failing element starts; none may trap. The second suite pins the merge semantics of valid
// but unusual input: unknown fields, unknown enum values, packed/unpacked mixing, repeated
// occurrences of singular fields, sub-messages and oneofs.

import ConformanceMessages
import ProtoWire
import Testing
import WellKnownTypes

// MARK: - Byte builders

/// The varint encoding of `value`.
func varint(_ value: UInt64) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    while value >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
    }
    bytes.append(UInt8(value))
    return bytes
}

/// A field tag: `fieldNumber << 3 | wireType` as a varint.
func tag(_ fieldNumber: Int, _ wireType: Int) -> [UInt8] {
    varint(UInt64(fieldNumber) << 3 | UInt64(wireType))
}

/// A length-delimited field: tag, length, payload.
func delimited(_ fieldNumber: Int, _ payload: [UInt8]) -> [UInt8] {
    tag(fieldNumber, 2) + varint(UInt64(payload.count)) + payload
}

/// `layers` nested `recursive_message` (field 27) fields around `innermost`.
func nestedRecursiveMessages(_ layers: Int, innermost: [UInt8] = []) -> [UInt8] {
    var bytes = innermost
    for _ in 0..<layers { bytes = delimited(27, bytes) }
    return bytes
}

enum Schema: Sendable {
    case proto3, proto2, conformanceRequest

    /// The schema a golden fixture decodes with (unknown2_ fixtures as TestAllTypesProto2).
    init(fixture name: String) {
        switch FixtureKind(name) {
        case .proto3: self = .proto3
        case .proto2, .unknownToTestAllTypes: self = .proto2
        case .conformanceRequest: self = .conformanceRequest
        }
    }
}

/// Decodes as the schema's TestAllTypes message, returning the error if decoding fails.
func decodingError(_ bytes: [UInt8], _ schema: Schema, depthLimit: Int = WireReader.defaultDepthLimit) -> WireError? {
    do throws(WireError) {
        switch schema {
        case .proto3: _ = try Proto3(serializedBytes: bytes, depthLimit: depthLimit)
        case .proto2: _ = try Proto2(serializedBytes: bytes, depthLimit: depthLimit)
        case .conformanceRequest: _ = try ConformanceRequest(serializedBytes: bytes, depthLimit: depthLimit)
        }
        return nil
    } catch {
        return error
    }
}

// MARK: - Malformed input

struct MalformedInput: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let code: WireError.Code
    /// Where the failing element starts; nil where the position is not meaningful.
    let offset: Int?
    var schema: Schema = .proto3

    var testDescription: String { name }
}

@Suite("Malformed input")
struct MalformedInputTests {
    static let invalidUTF8: [(String, [UInt8])] = [
        ("overlong NUL C0 80", [0xC0, 0x80]),
        ("overlong C1 BF", [0xC1, 0xBF]),
        ("overlong three-byte E0 80 80", [0xE0, 0x80, 0x80]),
        ("lone continuation byte 80", [0x80]),
        ("continuation byte after ASCII", [0x61, 0xBF, 0x62]),
        ("UTF-16 surrogate ED A0 80", [0xED, 0xA0, 0x80]),
        ("low surrogate ED BF BF", [0xED, 0xBF, 0xBF]),
        ("truncated two-byte C3", [0x61, 0xC3]),
        ("truncated three-byte E2 9C", [0xE2, 0x9C]),
        ("truncated four-byte F0 9F 98", [0xF0, 0x9F, 0x98]),
        ("beyond U+10FFFF F4 90 80 80", [0xF4, 0x90, 0x80, 0x80]),
        ("invalid lead byte F5", [0xF5, 0x80, 0x80, 0x80]),
        ("byte FF", [0xFF]),
        ("byte FE", [0xFE]),
    ]

    static let cases: [MalformedInput] = {
        var cases: [MalformedInput] = [
            // Varints.
            .init(name: "truncated tag", bytes: [0x80], code: .truncated, offset: 0),
            .init(name: "tag without a value", bytes: [0x08], code: .truncated, offset: 1),
            .init(name: "truncated varint", bytes: [0x08, 0x96], code: .truncated, offset: 1),
            .init(name: "truncated varint after a valid field", bytes: [0x08, 0x01, 0x10, 0xFF, 0xFF], code: .truncated, offset: 3),
            .init(
                name: "varint of 11 bytes", bytes: [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01],
                code: .varintTooLong, offset: 1
            ),
            .init(
                name: "varint whose tenth byte continues, input ends",
                bytes: [0x20] + [UInt8](repeating: 0x80, count: 10), code: .varintTooLong, offset: 1
            ),
            .init(
                name: "tag varint of 11 bytes", bytes: [UInt8](repeating: 0x88, count: 10) + [0x00],
                code: .varintTooLong, offset: 0
            ),
            .init(
                name: "varint of 11 bytes in an unknown field", bytes: tag(1000, 0) + [UInt8](repeating: 0x80, count: 10) + [0x00],
                code: .varintTooLong, offset: 2
            ),
            // Fixed-width values.
            .init(name: "truncated fixed32", bytes: [0x3D, 0x01, 0x02, 0x03], code: .truncated, offset: 1),
            .init(name: "fixed32 with no bytes", bytes: [0x3D], code: .truncated, offset: 1),
            .init(name: "truncated fixed64", bytes: [0x41, 1, 2, 3, 4, 5, 6, 7], code: .truncated, offset: 1),
            .init(name: "truncated double", bytes: [0x61, 0, 0, 0, 0], code: .truncated, offset: 1),
            .init(name: "truncated unknown fixed32", bytes: tag(1000, 5) + [1, 2], code: .truncated, offset: 2),
            .init(name: "truncated unknown fixed64", bytes: tag(1000, 1) + [1, 2, 3, 4, 5, 6, 7], code: .truncated, offset: 2),
            // Tags.
            .init(name: "field number 0, varint", bytes: [0x00, 0x00], code: .invalidFieldNumber, offset: 0),
            .init(name: "field number 0, length-delimited", bytes: [0x02, 0x00], code: .invalidFieldNumber, offset: 0),
            .init(name: "field number 0 after a valid field", bytes: [0x08, 0x01, 0x00], code: .invalidFieldNumber, offset: 2),
            .init(name: "field number 0 in a non-canonical tag", bytes: [0x80, 0x00, 0x00], code: .invalidFieldNumber, offset: 0),
            .init(name: "tag = 2^32", bytes: varint(1 << 32) + [0x00], code: .invalidFieldNumber, offset: 0),
            .init(name: "tag = 2^35 + 8", bytes: varint(1 << 35 | 8) + [0x00], code: .invalidFieldNumber, offset: 0),
            .init(name: "tag = 2^64 - 1", bytes: varint(.max) + [0x00], code: .invalidFieldNumber, offset: 0),
            .init(name: "wire type 6", bytes: [0x0E, 0x00], code: .invalidWireType, offset: 0),
            .init(name: "wire type 7", bytes: [0x0F, 0x00], code: .invalidWireType, offset: 0),
            .init(name: "wire type 6 on a large field number", bytes: tag(1000, 6), code: .invalidWireType, offset: 0),
            .init(name: "wire type 7 after a valid field", bytes: [0x08, 0x01] + tag(1000, 7), code: .invalidWireType, offset: 2),
            .init(name: "wire type 7 inside a sub-message", bytes: delimited(18, [0x0F]), code: .invalidWireType, offset: 3),
            // Lengths: a length prefix past the end of the enclosing message is .lengthTooLarge.
            .init(name: "string length past the end", bytes: [0x72, 0x05, 0x61], code: .lengthTooLarge, offset: 1),
            .init(name: "bytes length past the end", bytes: [0x7A, 0x02, 0x00], code: .lengthTooLarge, offset: 1),
            .init(name: "length with no payload", bytes: [0x7A, 0x01], code: .lengthTooLarge, offset: 1),
            .init(name: "truncated length varint", bytes: [0x7A, 0x80], code: .truncated, offset: 1),
            .init(name: "length 2^63", bytes: [0x7A] + varint(1 << 63), code: .lengthTooLarge, offset: 1),
            .init(name: "length 2^64 - 1", bytes: [0x7A] + varint(.max), code: .lengthTooLarge, offset: 1),
            .init(name: "unknown length-delimited past the end", bytes: tag(1000, 2) + [0x03, 0x00], code: .lengthTooLarge, offset: 2),
            .init(
                // The string fits in the input but not in the sub-message around it.
                name: "length past the end of the enclosing message",
                bytes: [0xDA, 0x01, 0x03, 0x72, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65],
                code: .lengthTooLarge, offset: 4
            ),
            // Nested messages.
            .init(name: "truncated nested message", bytes: [0x92, 0x01, 0x05, 0x08, 0x01], code: .lengthTooLarge, offset: 2),
            .init(
                name: "nested message ends inside its varint", bytes: [0x92, 0x01, 0x02, 0x08, 0x96, 0x01],
                code: .truncated, offset: 4
            ),
            .init(
                name: "nested message ends inside a tag", bytes: [0x92, 0x01, 0x01, 0x80, 0x01],
                code: .truncated, offset: 3
            ),
            .init(
                name: "truncated repeated message", bytes: Array(delimited(48, [0x08, 0x01]).dropLast(1)),
                code: .lengthTooLarge, offset: 2
            ),
            .init(name: "truncated oneof message", bytes: tag(112, 2) + [0x04, 0x08, 0x01], code: .lengthTooLarge, offset: 2),
            .init(name: "truncated well-known type", bytes: tag(302, 2) + [0x02, 0x08], code: .lengthTooLarge, offset: 2),
            // Maps.
            .init(name: "truncated map entry", bytes: [0xC2, 0x03, 0x04, 0x08, 0x01, 0x10], code: .lengthTooLarge, offset: 2),
            .init(
                name: "map entry ends inside its value", bytes: [0xC2, 0x03, 0x03, 0x08, 0x01, 0x10, 0x02],
                code: .truncated, offset: 6
            ),
            .init(
                name: "map entry ends inside its key", bytes: delimited(69, [0x0A, 0x05, 0x61]),
                code: .lengthTooLarge, offset: 4
            ),
            .init(
                name: "map entry with truncated message value",
                bytes: delimited(71, [0x0A, 0x01, 0x6B, 0x12, 0x03, 0x08]),
                code: .lengthTooLarge, offset: 7
            ),
            .init(
                name: "map entry with invalid wire type", bytes: delimited(56, [0x08, 0x01, 0x17]),
                code: .invalidWireType, offset: 5
            ),
            // Packed fields.
            .init(
                name: "packed fixed32, length 3", bytes: [0xAA, 0x02, 0x03, 1, 2, 3],
                code: .packedLengthMismatch, offset: 3
            ),
            .init(
                name: "packed fixed32, length 5", bytes: [0xAA, 0x02, 0x05, 1, 2, 3, 4, 5],
                code: .packedLengthMismatch, offset: 3
            ),
            .init(
                name: "packed fixed64, length 12", bytes: [0xB2, 0x02, 0x0C] + [UInt8](repeating: 1, count: 12),
                code: .packedLengthMismatch, offset: 3
            ),
            .init(name: "packed float, length 2", bytes: delimited(41, [0, 0]), code: .packedLengthMismatch, offset: 3),
            .init(
                name: "packed double, length 7", bytes: delimited(42, [UInt8](repeating: 0, count: 7)),
                code: .packedLengthMismatch, offset: 3
            ),
            .init(
                name: "packed sfixed32 on an unpacked field", bytes: delimited(97, [0, 0, 0]),
                code: .packedLengthMismatch, offset: 3
            ),
            .init(
                name: "packed fixed32 length past the end", bytes: [0xAA, 0x02, 0x08, 1, 2, 3, 4],
                code: .lengthTooLarge, offset: 2
            ),
            .init(
                // The packed run is 2 bytes; the varint must not borrow the 0x01 that follows it.
                name: "truncated inside a packed varint", bytes: [0xFA, 0x01, 0x02, 0x01, 0x96, 0x01],
                code: .truncated, offset: 4
            ),
            .init(
                name: "packed varint run ends the input mid-element", bytes: [0xFA, 0x01, 0x01, 0x80],
                code: .truncated, offset: 3
            ),
            .init(
                name: "packed varint of 11 bytes", bytes: delimited(31, [UInt8](repeating: 0xFF, count: 10) + [0x01]),
                code: .varintTooLong, offset: 3
            ),
            .init(
                name: "packed sint64 ends mid-element", bytes: delimited(36, [0x02, 0x80]),
                code: .truncated, offset: 4
            ),
            .init(
                name: "packed closed enum ends mid-element", bytes: delimited(88, [0x01, 0x80]),
                code: .truncated, offset: 4, schema: .proto2
            ),
            // Groups.
            .init(name: "end-group without start", bytes: [0x0C], code: .unmatchedEndGroup, offset: 0),
            .init(name: "end-group without start, later", bytes: [0x08, 0x01] + tag(1000, 4), code: .unmatchedEndGroup, offset: 2),
            .init(name: "end-group for another field", bytes: [0x0B, 0x14], code: .unmatchedEndGroup, offset: 1),
            .init(
                name: "end-group inside a sub-message", bytes: [0xDA, 0x01, 0x01, 0x0C],
                code: .unmatchedEndGroup, offset: 3
            ),
            .init(
                name: "proto2 group closed by another field's end tag", bytes: [0xCB, 0x0C, 0xD0, 0x0C, 0x01, 0x0C],
                code: .unmatchedEndGroup, offset: 5, schema: .proto2
            ),
            .init(
                name: "end-group of the group field without start", bytes: [0xCC, 0x0C],
                code: .unmatchedEndGroup, offset: 0, schema: .proto2
            ),
            .init(
                name: "unterminated proto2 group", bytes: [0xCB, 0x0C, 0xD0, 0x0C, 0x01],
                code: .unterminatedGroup, offset: 5, schema: .proto2
            ),
            .init(name: "unterminated empty proto2 group", bytes: [0xCB, 0x0C], code: .unterminatedGroup, offset: 2, schema: .proto2),
            .init(name: "unterminated unknown group", bytes: [0x0B, 0x08, 0x01], code: .unterminatedGroup, offset: 3),
            .init(
                name: "unterminated unknown group with a large field number", bytes: tag(1001, 3) + tag(1, 0) + [0x05],
                code: .unterminatedGroup, offset: 4
            ),
            .init(
                name: "unterminated nested unknown group", bytes: [0x0B, 0x13, 0x14],
                code: .unterminatedGroup, offset: 3
            ),
            .init(
                // The end-group tag lies outside the sub-message that opened the group.
                name: "group closed after its enclosing message ends", bytes: [0xDA, 0x01, 0x01, 0x0B, 0x0C],
                code: .unterminatedGroup, offset: 4
            ),
            .init(
                name: "proto2 group closed after its enclosing message ends",
                bytes: delimited(27, [0xCB, 0x0C]) + [0xCC, 0x0C],
                code: .unterminatedGroup, offset: 5, schema: .proto2
            ),
            .init(
                name: "unknown group holding a truncated field", bytes: [0x0B, 0x12, 0x05, 0x00],
                code: .lengthTooLarge, offset: 2
            ),
            .init(
                name: "unknown group holding wire type 7", bytes: [0x0B, 0x17, 0x0C],
                code: .invalidWireType, offset: 1
            ),
        ]
        // Invalid UTF-8 in every kind of string field. readString reports the offset of the
        // string's first byte (just after the length).
        for (label, payload) in invalidUTF8 {
            cases.append(.init(name: "optional_string: \(label)", bytes: delimited(14, payload), code: .invalidUTF8, offset: 2))
        }
        let invalid: [UInt8] = [0xC0, 0x80]
        cases += [
            .init(name: "optional_string_piece: invalid UTF-8", bytes: delimited(24, invalid), code: .invalidUTF8, offset: 3),
            .init(
                name: "repeated_string: invalid UTF-8 in the second element",
                bytes: delimited(44, [0x61]) + delimited(44, invalid), code: .invalidUTF8, offset: 7
            ),
            .init(name: "oneof_string: invalid UTF-8", bytes: delimited(113, invalid), code: .invalidUTF8, offset: 3),
            .init(name: "map key: invalid UTF-8", bytes: delimited(69, delimited(1, invalid)), code: .invalidUTF8, offset: 5),
            .init(
                name: "map value: invalid UTF-8", bytes: delimited(69, delimited(1, [0x6B]) + delimited(2, invalid)),
                code: .invalidUTF8, offset: 8
            ),
            .init(
                name: "string in a nested message: invalid UTF-8", bytes: delimited(27, delimited(14, invalid)),
                code: .invalidUTF8, offset: 5
            ),
            .init(
                name: "Struct key (map in a well-known type): invalid UTF-8",
                bytes: delimited(304, delimited(1, delimited(1, invalid))), code: .invalidUTF8, offset: 7
            ),
            .init(
                name: "StringValue wrapper: invalid UTF-8", bytes: delimited(208, delimited(1, invalid)),
                code: .invalidUTF8, offset: 5
            ),
            // proto2: protoc 3.21 (C++) only logs invalid UTF-8 in proto2 strings and accepts them;
            // ProtoWire decodes string fields into Swift Strings and rejects them in proto2 too.
            .init(
                name: "proto2 optional_string: invalid UTF-8", bytes: delimited(14, invalid),
                code: .invalidUTF8, offset: 2, schema: .proto2
            ),
        ]
        // Nesting: 101 sub-messages, 101 unknown groups, and a mixture.
        let tooDeep = nestedRecursiveMessages(101)
        cases.append(.init(name: "101 nested messages", bytes: tooDeep, code: .depthLimitExceeded, offset: tooDeep.count))
        let tooDeepWithContent = nestedRecursiveMessages(101, innermost: [0x08, 0x01])
        cases.append(.init(
            name: "101 nested messages around a field", bytes: tooDeepWithContent,
            code: .depthLimitExceeded, offset: tooDeepWithContent.count - 2
        ))
        cases.append(.init(
            name: "101 nested unknown groups",
            bytes: [UInt8](repeating: 0x0B, count: 101) + [UInt8](repeating: 0x0C, count: 101),
            code: .depthLimitExceeded, offset: 101
        ))
        // The 101st level is the group itself: the error comes right after its start-group tag.
        let groupInside = nestedRecursiveMessages(100, innermost: [0x0B, 0x0C])
        cases.append(.init(
            name: "100 nested messages around an unknown group", bytes: groupInside,
            code: .depthLimitExceeded, offset: groupInside.count - 1
        ))
        let proto2GroupInside = nestedRecursiveMessages(100, innermost: [0xCB, 0x0C, 0xCC, 0x0C])
        cases.append(.init(
            name: "100 nested messages around a proto2 group", bytes: proto2GroupInside,
            code: .depthLimitExceeded, offset: proto2GroupInside.count - 2, schema: .proto2
        ))
        let mapInside = nestedRecursiveMessages(100, innermost: delimited(56, [0x08, 0x01]))
        cases.append(.init(
            // A map entry is a nested message too.
            name: "100 nested messages around a map entry", bytes: mapInside,
            code: .depthLimitExceeded, offset: mapInside.count - 2
        ))
        return cases
    }()

    @Test(arguments: MalformedInputTests.cases)
    func malformedInputThrowsThePreciseError(_ input: MalformedInput) {
        guard let error = decodingError(input.bytes, input.schema) else {
            Issue.record("decoded without error: \(hex(input.bytes))")
            return
        }
        #expect(error.code == input.code, "\(error)")
        if let offset = input.offset {
            #expect(error.offset == offset, "\(error)")
        }
        #expect((0...input.bytes.count).contains(error.offset))
    }

    // MARK: Valid inputs next to the malformed ones

    @Test func tenByteVarintsAreValid() throws {
        let minusOne = [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01]
        #expect(try Proto3(serializedBytes: minusOne).optionalInt32 == -1)
        let max = [0x20] + varint(.max)
        #expect(try Proto3(serializedBytes: max).optionalUint64 == .max)
        // Bits beyond the 64th in a tenth byte are dropped, as the reference parsers do.
        let overflow = [0x20] + [UInt8](repeating: 0xFF, count: 9) + [0x7F]
        #expect(try Proto3(serializedBytes: overflow).optionalUint64 == .max)
        // A non-canonical (padded) varint decodes to its value and re-encodes minimally.
        let padded: [UInt8] = [0x08, 0x81, 0x80, 0x80, 0x00]
        #expect(try Proto3(serializedBytes: padded).serializedBytes() == [0x08, 0x01])
    }

    @Test func largestFieldNumberIsAValidUnknownField() throws {
        // Field 2^29 - 1 with wire type 0: tag 0xFFFFFFF8, the largest tag that fits in 32 bits.
        let bytes = tag(FieldTag.maxFieldNumber, 0) + [0x01]
        #expect(bytes == [0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.unknownFields.bytes == bytes)
        #expect(message.serializedBytes() == bytes)
        // Wire type 7 on that field number: tag 0xFFFFFFFF, still 32 bits, so the wire type is the error.
        #expect(decodingError(tag(FieldTag.maxFieldNumber, 7), .proto3)?.code == .invalidWireType)
    }

    @Test(arguments: [1, 50, 99, 100])
    func nestingUpToTheLimitDecodes(layers: Int) throws {
        let bytes = nestedRecursiveMessages(layers, innermost: [0x08, 0x2A])
        var message = try Proto3(serializedBytes: bytes)
        #expect(message.serializedBytes() == bytes)
        for _ in 0..<layers {
            #expect(message.hasRecursiveMessage)
            message = message.recursiveMessage
        }
        #expect(message.optionalInt32 == 42)
    }

    @Test func nestedUnknownGroupsUpToTheLimitDecodeAndSurvive() throws {
        let bytes = [UInt8](repeating: 0x0B, count: 100) + [0x08, 0x01] + [UInt8](repeating: 0x0C, count: 100)
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.unknownFields.bytes == bytes)
        #expect(message.serializedBytes() == bytes)
    }

    @Test func depthLimitIsConfigurable() throws {
        let five = nestedRecursiveMessages(5)
        #expect(throws: Never.self) { try Proto3(serializedBytes: five, depthLimit: 5) }
        #expect(decodingError(five, .proto3, depthLimit: 4)?.code == .depthLimitExceeded)
        // Limit 0 still reads top-level scalars, but no sub-message.
        #expect(try Proto3(serializedBytes: [0x08, 0x01], depthLimit: 0).optionalInt32 == 1)
        #expect(decodingError(nestedRecursiveMessages(1), .proto3, depthLimit: 0)?.code == .depthLimitExceeded)
        // A deeper limit admits deeper input.
        #expect(throws: Never.self) { try Proto3(serializedBytes: nestedRecursiveMessages(150), depthLimit: 150) }
    }

    @Test func validUTF8EdgeCasesDecode() throws {
        let samples: [[UInt8]] = [
            [],  // empty string (in proto3 it is still read, then not re-emitted)
            [0x00],  // NUL
            [0x7F],
            [0xC2, 0x80],  // U+0080
            [0xEF, 0xBF, 0xBF],  // U+FFFF, a noncharacter but valid UTF-8
            [0xEF, 0xBB, 0xBF],  // a byte order mark is kept
            [0xED, 0x9F, 0xBF],  // U+D7FF, just below the surrogates
            [0xEE, 0x80, 0x80],  // U+E000, just above them
            [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF
        ]
        for payload in samples {
            let message = try Proto3(serializedBytes: delimited(14, payload))
            #expect(Array(message.optionalString.utf8) == payload)
        }
    }

    @Test func bytesFieldsAcceptAnyBytes() throws {
        let payload: [UInt8] = [0xC0, 0x80, 0xED, 0xA0, 0x80, 0xFF]
        let message = try Proto3(serializedBytes: delimited(15, payload))
        #expect(message.optionalBytes == payload)
    }

    @Test func inputEndsAreRespectedForSlices() throws {
        // The varint 96 01 is complete in the array but truncated in the slice.
        let storage: [UInt8] = [0x08, 0x96, 0x01]
        var failure: WireError?
        do throws(WireError) { _ = try Proto3(serializedBytes: storage[0..<2]) } catch { failure = error }
        #expect(failure?.code == .truncated)
        // A slice not starting at 0 reports offsets from the start of the slice.
        let shifted: [UInt8] = [0xEE, 0xEE, 0x08, 0x96]
        do throws(WireError) { _ = try Proto3(serializedBytes: shifted[2...]) } catch { failure = error }
        #expect(failure?.code == .truncated)
        #expect(failure?.offset == 1)
        #expect(try Proto3(serializedBytes: storage[0..<3]).optionalInt32 == 150)
        #expect(try Proto3(serializedBytes: [UInt8]()) == Proto3())
    }

    /// A merge that fails inside a sub-message, group or oneof message keeps the sub-message that
    /// was set before it (the reader moves the value out to keep it uniquely referenced while it
    /// decodes, and puts it back on failure too).
    @Test func aFailedMergeKeepsSubMessagesThatWereAlreadySet() {
        var message = Proto3()
        message.optionalNestedMessage.a = 3
        message.oneofNestedMessage.a = 5
        var proto2 = Proto2()
        proto2.data.groupInt32 = 9
        do throws(WireError) { try message.merge(serializedBytes: [0x92, 0x01, 0x02, 0x08]) } catch {
            #expect(error.code == .lengthTooLarge)
        }
        do throws(WireError) { try message.merge(serializedBytes: [0x82, 0x07, 0x02, 0x08]) } catch {
            #expect(error.code == .lengthTooLarge)
        }
        do throws(WireError) { try proto2.merge(serializedBytes: [0xCB, 0x0C, 0xD8, 0x0C, 0x01]) } catch {
            #expect(error.code == .unterminatedGroup)
        }
        #expect(message.hasOptionalNestedMessage)
        #expect(message.optionalNestedMessage.a == 3)
        #expect(message.oneofNestedMessage.a == 5)
        #expect(proto2.hasData)
        #expect(proto2.data.groupInt32 == 9)
    }

    @Test func aFailedMergeReportsTheErrorAndKeepsEarlierFields() throws {
        var message = Proto3()
        message.optionalInt32 = 7
        var failure: WireError?
        do throws(WireError) { try message.merge(serializedBytes: [0x10, 0x05, 0x0F]) } catch { failure = error }
        #expect(failure?.code == .invalidWireType)
        #expect(failure?.offset == 2)
        #expect(message.optionalInt32 == 7)
    }

    // MARK: Never trap

    /// Decodes every prefix (every truncation) of every golden fixture: each either decodes or
    /// throws a WireError whose offset lies inside the prefix. Prefixes that decode must also
    /// re-encode and decode again to an equal message.
    @Test(arguments: GoldenFixtures.all)
    func everyTruncationDecodesOrThrows(_ name: String) throws {
        let bytes = try GoldenFixtures.bytes(name)
        let schema = Schema(fixture: name)
        var failures = 0
        for count in 0...bytes.count {
            failures += try checkNoTrap(Array(bytes[0..<count]), schema, allowNaN: GoldenCases.containsNaN.contains(name)) ? 0 : 1
        }
        // The whole fixture decodes; so does the empty prefix.
        #expect(decodingError(bytes, schema) == nil)
        #expect(decodingError([], schema) == nil)
        if bytes.count > 1 {
            #expect(failures > 0, "no truncation of \(name) was rejected")
        }
    }

    /// Replaces each byte of a few rich fixtures with values that change its meaning (a
    /// continuation bit, a wire type, a huge length), and decodes: never a trap.
    @Test(arguments: [
        "proto3_field_order_canonical", "proto3_map_multi_sorted", "proto3_wkt_struct", "proto3_nested_corecursive",
        "proto3_packed_explicit", "proto3_unpacked", "proto2_nested", "proto2_group_between_fields", "proto2_maps",
        "proto2_packed", "unknown2_fields", "conformance_request_oneof_interleaved",
    ])
    func everySingleByteCorruptionDecodesOrThrows(_ name: String) throws {
        let bytes = try GoldenFixtures.bytes(name)
        let schema = Schema(fixture: name)
        for index in bytes.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x04, 0x07, 0x0B, 0x0C, 0x0F, 0x7F, 0x80, 0xFF, bytes[index] ^ 0x80] {
                var corrupted = bytes
                corrupted[index] = replacement
                _ = try checkNoTrap(corrupted, schema, allowNaN: true)
            }
        }
    }

    /// Decodes `bytes`; on success, re-encodes and checks the round trip. Returns whether it decoded.
    private func checkNoTrap(_ bytes: [UInt8], _ schema: Schema, allowNaN: Bool) throws -> Bool {
        do throws(WireError) {
            switch schema {
            case .proto3:
                let message = try Proto3(serializedBytes: bytes)
                let reencoded = message.serializedBytes()
                let again = try Proto3(serializedBytes: reencoded)
                #expect(again.serializedBytes() == reencoded)
                if !allowNaN { #expect(again == message) }
            case .proto2:
                let message = try Proto2(serializedBytes: bytes)
                let reencoded = message.serializedBytes()
                let again = try Proto2(serializedBytes: reencoded)
                #expect(again.serializedBytes() == reencoded)
                if !allowNaN { #expect(again == message) }
            case .conformanceRequest:
                let message = try ConformanceRequest(serializedBytes: bytes)
                let reencoded = message.serializedBytes()
                let again = try ConformanceRequest(serializedBytes: reencoded)
                #expect(again.serializedBytes() == reencoded)
                #expect(again == message)
            }
            return true
        } catch {
            #expect((0...bytes.count).contains(error.offset), "\(error) for \(hex(bytes))")
            return false
        }
    }
}

// MARK: - Decoding semantics of valid input

@Suite("Decoding semantics")
struct DecodingSemanticsTests {
    // MARK: Unknown fields

    static let unknownVarint = tag(1000, 0) + varint(300)
    static let unknownFixed32 = tag(1002, 5) + [1, 2, 3, 4]
    static let unknownFixed64 = tag(1003, 1) + [1, 2, 3, 4, 5, 6, 7, 8]
    static let unknownDelimited = tag(1004, 2) + [0x02, 0x68, 0x69]
    /// An unknown group holding a varint, a nested group and a length-delimited field.
    static let unknownGroup = tag(1001, 3) + [0x08, 0x01] + tag(2, 3) + tag(3, 0) + [0x02] + tag(2, 4)
        + tag(4, 2) + [0x01, 0xFF] + tag(1001, 4)
    static let allUnknown = unknownVarint + unknownGroup + unknownFixed32 + unknownFixed64 + unknownDelimited

    @Test func unknownFieldsOfEveryWireTypeAreKeptVerbatim() throws {
        let bytes = [0x08, 0x05] + Self.allUnknown  // known field first, so the order is canonical
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.optionalInt32 == 5)
        #expect(message.unknownFields.bytes == Self.allUnknown)
        #expect(message.serializedBytes() == bytes)
        let proto2 = try Proto2(serializedBytes: bytes)  // 1000..9999 are reserved in proto2
        #expect(proto2.unknownFields.bytes == Self.allUnknown)
        #expect(proto2.serializedBytes() == bytes)
    }

    @Test func unknownFieldsKeepArrivalOrderAndFollowKnownFields() throws {
        let bytes = Self.unknownGroup + [0x08, 0x05] + Self.unknownVarint + [0x72, 0x01, 0x61] + Self.unknownFixed32
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.unknownFields.bytes == Self.unknownGroup + Self.unknownVarint + Self.unknownFixed32)
        #expect(
            message.serializedBytes()
                == [0x08, 0x05, 0x72, 0x01, 0x61] + Self.unknownGroup + Self.unknownVarint + Self.unknownFixed32
        )
    }

    @Test func unknownFieldsInNestedMessagesAndGroupsAreKept() throws {
        let nested = delimited(18, [0x08, 0x01] + Self.unknownGroup)
        let message = try Proto3(serializedBytes: nested)
        #expect(message.optionalNestedMessage.unknownFields.bytes == Self.unknownGroup)
        #expect(message.serializedBytes() == nested)
        // Inside a proto2 group.
        let group: [UInt8] = [0xCB, 0x0C] + Self.unknownVarint + Self.unknownGroup + [0xCC, 0x0C]
        let proto2 = try Proto2(serializedBytes: group)
        #expect(proto2.data.unknownFields.bytes == Self.unknownVarint + Self.unknownGroup)
        #expect(proto2.serializedBytes() == group)
    }

    @Test func knownFieldWithTheWrongWireTypeIsKeptAsUnknown() throws {
        // optional_int32 (1) sent as fixed32, optional_string (14) sent as varint, and
        // optional_nested_message (18) sent as a group.
        let bytes = tag(1, 5) + [1, 0, 0, 0] + tag(14, 0) + [0x07] + tag(18, 3) + [0x08, 0x01] + tag(18, 4)
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.optionalInt32 == 0 && message.optionalString.isEmpty && !message.hasOptionalNestedMessage)
        #expect(message.unknownFields.bytes == bytes)
        #expect(message.serializedBytes() == bytes)
    }

    @Test func clearingUnknownFieldsDropsThem() throws {
        var message = try Proto3(serializedBytes: Self.allUnknown)
        message.unknownFields = UnknownFields()
        #expect(message.serializedBytes().isEmpty)
        #expect(message == Proto3())
    }

    // MARK: Enums

    @Test(arguments: [Int32(12345), 3, -5, .max, .min])
    func openEnumKeepsUnknownValues(value: Int32) throws {
        let encoded = varint(UInt64(bitPattern: Int64(value)))
        let bytes = tag(21, 0) + encoded
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.optionalNestedEnum.rawValue == value)
        #expect(message.optionalNestedEnum.protoName == nil)
        #expect(message.unknownFields.isEmpty)
        #expect(message.serializedBytes() == bytes)
        // Also in repeated (packed), map and oneof positions.
        let repeated = try Proto3(serializedBytes: delimited(51, encoded))
        #expect(repeated.repeatedNestedEnum.map(\.rawValue) == [value])
        let map = try Proto3(serializedBytes: delimited(73, delimited(1, [0x6B]) + tag(2, 0) + encoded))
        #expect(map.mapStringNestedEnum["k"]?.rawValue == value)
        let oneof = try Proto3(serializedBytes: tag(119, 0) + encoded)
        #expect(oneof.oneofField == .oneofEnum(.init(rawValue: value)))
    }

    @Test(arguments: [Int32(12345), 3, -5])
    func closedEnumUnknownValueGoesToUnknownFieldsAndIsReEmitted(value: Int32) throws {
        let raw = varint(UInt64(bitPattern: Int64(value)))
        let bytes = tag(21, 0) + raw
        let message = try Proto2(serializedBytes: bytes)
        #expect(!message.hasOptionalNestedEnum)
        #expect(message.unknownFields.bytes == bytes)
        #expect(message.serializedBytes() == bytes)
    }

    @Test func closedEnumUnknownValueDoesNotReplaceAKnownOne() throws {
        // BAR, then 12345: the field keeps BAR and 12345 becomes an unknown field.
        let bytes = tag(21, 0) + [0x01] + tag(21, 0) + varint(12345)
        let message = try Proto2(serializedBytes: bytes)
        #expect(message.optionalNestedEnum == .bar)
        #expect(message.unknownFields.bytes == tag(21, 0) + varint(12345))
        #expect(message.serializedBytes() == bytes)
    }

    @Test func closedEnumUnknownValuesInRepeatedFieldsAreSplitOut() throws {
        // Unpacked repeated_nested_enum (51): BAR, 12345, BAZ.
        let unpacked = tag(51, 0) + [0x01] + tag(51, 0) + varint(12345) + tag(51, 0) + [0x02]
        let message = try Proto2(serializedBytes: unpacked)
        #expect(message.repeatedNestedEnum == [.bar, .baz])
        #expect(message.unknownFields.bytes == tag(51, 0) + varint(12345))
        #expect(message.serializedBytes() == tag(51, 0) + [0x01] + tag(51, 0) + [0x02] + tag(51, 0) + varint(12345))
        // Packed packed_nested_enum (88): BAR, 12345, BAZ; the unknown value is kept as an
        // unpacked varint field, as the C++ runtime does.
        let packed = delimited(88, [0x01] + varint(12345) + [0x02])
        let packedMessage = try Proto2(serializedBytes: packed)
        #expect(packedMessage.packedNestedEnum == [.bar, .baz])
        #expect(packedMessage.unknownFields.bytes == tag(88, 0) + varint(12345))
        #expect(packedMessage.serializedBytes() == delimited(88, [0x01, 0x02]) + tag(88, 0) + varint(12345))
    }

    @Test func closedEnumUnknownValueInAMapKeepsTheWholeEntry() throws {
        let entry = delimited(73, delimited(1, [0x6B]) + tag(2, 0) + varint(12345))
        let known = delimited(73, delimited(1, [0x6A]) + tag(2, 0) + [0x02])
        let message = try Proto2(serializedBytes: entry + known)
        #expect(message.mapStringNestedEnum == ["j": .baz])
        #expect(message.unknownFields.bytes == entry)
        #expect(message.serializedBytes() == known + entry)
    }

    @Test func closedEnumUnknownValueInAOneofLeavesTheOneofAlone() throws {
        let unknown = tag(119, 0) + varint(12345)
        let message = try Proto2(serializedBytes: tag(111, 0) + [0x07] + unknown)
        #expect(message.oneofField == .oneofUint32(7))
        #expect(message.unknownFields.bytes == unknown)
        let alone = try Proto2(serializedBytes: unknown)
        #expect(alone.oneofField == nil)
        #expect(alone.serializedBytes() == unknown)
    }

    // MARK: Repeated fields: packed and unpacked

    static let packedAndUnpacked: [(String, packed: [UInt8], unpacked: [UInt8])] = [
        ("int32", delimited(31, [0x01] + varint(.max)), tag(31, 0) + [0x01] + tag(31, 0) + varint(.max)),  // 1, -1
        ("sint64", delimited(36, [0x02, 0x03]), tag(36, 0) + [0x02] + tag(36, 0) + [0x03]),
        ("fixed32", delimited(37, [1, 0, 0, 0, 2, 0, 0, 0]), tag(37, 5) + [1, 0, 0, 0] + tag(37, 5) + [2, 0, 0, 0]),
        ("double", delimited(42, [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]), tag(42, 1) + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]),
        ("bool", delimited(43, [0x01, 0x00]), tag(43, 0) + [0x01] + tag(43, 0) + [0x00]),
        ("enum", delimited(51, [0x01, 0x02]), tag(51, 0) + [0x01] + tag(51, 0) + [0x02]),
        ("packed_int32 sent unpacked", delimited(75, [0x05]), tag(75, 0) + [0x05]),
        ("unpacked_int32 sent packed", delimited(89, [0x05, 0x06]), tag(89, 0) + [0x05] + tag(89, 0) + [0x06]),
        ("unpacked_float sent packed", delimited(99, [0, 0, 0x80, 0x3F]), tag(99, 5) + [0, 0, 0x80, 0x3F]),
    ]

    @Test func packedAndUnpackedEncodingsDecodeToTheSameArray() throws {
        for (label, packed, unpacked) in Self.packedAndUnpacked {
            let fromPacked = try Proto3(serializedBytes: packed)
            let fromUnpacked = try Proto3(serializedBytes: unpacked)
            #expect(fromPacked == fromUnpacked, "\(label)")
            #expect(fromPacked.unknownFields.isEmpty && fromUnpacked.unknownFields.isEmpty, "\(label)")
            // proto2 too (where repeated_* default to unpacked).
            #expect(try Proto2(serializedBytes: packed) == Proto2(serializedBytes: unpacked), "\(label)")
        }
    }

    @Test func packedAndUnpackedRunsOfOneFieldConcatenate() throws {
        let bytes = delimited(31, [0x01, 0x02]) + tag(31, 0) + [0x03] + delimited(31, [0x04]) + tag(31, 0) + [0x05]
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.repeatedInt32 == [1, 2, 3, 4, 5])
        // Re-encoded in the schema's form: proto3 repeated scalars are packed.
        #expect(message.serializedBytes() == delimited(31, [1, 2, 3, 4, 5]))
        let proto2 = try Proto2(serializedBytes: bytes)
        #expect(proto2.repeatedInt32 == [1, 2, 3, 4, 5])
        #expect(proto2.serializedBytes() == (1...5).flatMap { tag(31, 0) + [UInt8($0)] })
        // An empty packed run adds nothing.
        #expect(try Proto3(serializedBytes: delimited(31, [])).repeatedInt32 == [])
    }

    @Test func repeatedFieldsAppendAcrossMerges() throws {
        var message = try Proto3(serializedBytes: delimited(44, [0x61]))
        try message.merge(serializedBytes: delimited(44, [0x62]) + delimited(48, []))
        #expect(message.repeatedString == ["a", "b"])
        #expect(message.repeatedNestedMessage == [.init()])
    }

    // MARK: Singular fields: last one wins

    @Test func lastValueWinsForScalars() throws {
        let bytes = [0x08, 0x01, 0x08, 0x02] + delimited(14, [0x61]) + delimited(14, [0x62])
            + tag(7, 5) + [1, 0, 0, 0] + tag(7, 5) + [2, 0, 0, 0] + tag(21, 0) + [0x01] + tag(21, 0) + [0x02]
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.optionalInt32 == 2)
        #expect(message.optionalString == "b")
        #expect(message.optionalFixed32 == 2)
        #expect(message.optionalNestedEnum == .baz)
        #expect(message.serializedBytes() == [0x08, 0x02] + tag(7, 5) + [2, 0, 0, 0] + delimited(14, [0x62]) + tag(21, 0) + [0x02])
        // A later zero overwrites; proto3 then omits it, proto2 keeps it present.
        #expect(try Proto3(serializedBytes: [0x08, 0x05, 0x08, 0x00]).serializedBytes() == [])
        let proto2 = try Proto2(serializedBytes: [0x08, 0x05, 0x08, 0x00])
        #expect(proto2.hasOptionalInt32 && proto2.optionalInt32 == 0)
        #expect(proto2.serializedBytes() == [0x08, 0x00])
    }

    @Test func mergeOverwritesScalarsOfTheReceiver() throws {
        var message = Proto3()
        message.optionalInt32 = 1
        message.optionalString = "keep"
        try message.merge(serializedBytes: [0x08, 0x09])
        #expect(message.optionalInt32 == 9)
        #expect(message.optionalString == "keep")
    }

    // MARK: Sub-messages merge

    @Test func aMessageFieldThatAppearsTwiceIsMerged() throws {
        let first = delimited(18, [0x08, 0x01])  // optional_nested_message { a: 1 }
        let second = delimited(18, delimited(2, [0x10, 0x05]))  // { corecursive { optional_int64: 5 } }
        let message = try Proto3(serializedBytes: first + second)
        #expect(message.optionalNestedMessage.a == 1)
        #expect(message.optionalNestedMessage.corecursive.optionalInt64 == 5)
        #expect(message.serializedBytes() == delimited(18, [0x08, 0x01] + delimited(2, [0x10, 0x05])))
        // Deep merge: repeated fields inside append, scalars inside are replaced.
        let deep1 = delimited(27, [0x08, 0x01] + delimited(31, [0x01]))
        let deep2 = delimited(27, [0x08, 0x02] + delimited(31, [0x02]))
        let deep = try Proto3(serializedBytes: deep1 + deep2)
        #expect(deep.recursiveMessage.optionalInt32 == 2)
        #expect(deep.recursiveMessage.repeatedInt32 == [1, 2])
    }

    @Test func mergeIntoAnExistingSubMessageKeepsItsFields() throws {
        var message = Proto3()
        message.optionalNestedMessage.a = 3
        try message.merge(serializedBytes: delimited(18, delimited(2, [0x08, 0x04])))
        #expect(message.optionalNestedMessage.a == 3)
        #expect(message.optionalNestedMessage.corecursive.optionalInt32 == 4)
    }

    @Test func proto2GroupThatAppearsTwiceIsMerged() throws {
        let bytes: [UInt8] = [0xCB, 0x0C, 0xD0, 0x0C, 0x01, 0xCC, 0x0C, 0xCB, 0x0C, 0xD8, 0x0C, 0x02, 0xCC, 0x0C]
        let message = try Proto2(serializedBytes: bytes)
        #expect(message.data.groupInt32 == 1)
        #expect(message.data.groupUint32 == 2)
        #expect(message.serializedBytes() == [0xCB, 0x0C, 0xD0, 0x0C, 0x01, 0xD8, 0x0C, 0x02, 0xCC, 0x0C])
    }

    @Test func wellKnownTypeFieldThatAppearsTwiceIsMerged() throws {
        let bytes = delimited(302, [0x08, 0x01]) + delimited(302, [0x10, 0x02])  // Timestamp seconds, then nanos
        let message = try Proto3(serializedBytes: bytes)
        #expect(message.optionalTimestamp.seconds == 1)
        #expect(message.optionalTimestamp.nanos == 2)
    }

    @Test func mapEntriesWithARepeatedKeyReplaceRatherThanMerge() throws {
        // map_string_nested_message { "k": { a: 1 } } then { "k": { corecursive {} } }: the
        // second value replaces the first (map values are not merged).
        let first = delimited(71, delimited(1, [0x6B]) + delimited(2, [0x08, 0x01]))
        let second = delimited(71, delimited(1, [0x6B]) + delimited(2, delimited(2, [])))
        let message = try Proto3(serializedBytes: first + second)
        #expect(message.mapStringNestedMessage["k"]?.a == 0)
        #expect(message.mapStringNestedMessage["k"]?.hasCorecursive == true)
        #expect(message.mapStringNestedMessage.count == 1)
    }

    @Test func mapEntriesWithMissingOrExtraFieldsDecode() throws {
        // Value before key, a missing key, a missing value, an unknown field in the entry, and an
        // entry field repeated: all valid. An unknown field inside an entry is dropped, not kept
        // (as generated C++ and Java code do; only reflection-based parsers keep it).
        let valueFirst = delimited(56, [0x10, 0x07, 0x08, 0x03])
        let noKey = delimited(56, [0x10, 0x08])
        let noValue = delimited(56, [0x08, 0x05])
        let extra = delimited(56, [0x08, 0x06, 0x18, 0x01, 0x10, 0x09])
        let repeatedKey = delimited(56, [0x08, 0x01, 0x08, 0x02, 0x10, 0x0A])
        let message = try Proto3(serializedBytes: valueFirst + noKey + noValue + extra + repeatedKey)
        #expect(message.mapInt32Int32 == [3: 7, 0: 8, 5: 0, 6: 9, 2: 10])
        #expect(message.unknownFields.isEmpty)
    }

    // MARK: Oneof

    @Test func lastOneofMemberWins() throws {
        let uint32 = tag(111, 0) + [0x01]
        let string = delimited(113, [0x78])
        #expect(try Proto3(serializedBytes: uint32 + string).oneofField == .oneofString("x"))
        #expect(try Proto3(serializedBytes: string + uint32).oneofField == .oneofUint32(1))
        let all = uint32 + string + delimited(114, [0x01]) + tag(115, 0) + [0x01] + tag(119, 0) + [0x02]
        let message = try Proto3(serializedBytes: all)
        #expect(message.oneofField == .oneofEnum(.baz))
        #expect(message.serializedBytes() == tag(119, 0) + [0x02])
        #expect(try Proto2(serializedBytes: uint32 + string).oneofField == .oneofString("x"))
    }

    @Test func oneofMessageMergesOnlyWithItself() throws {
        let first = delimited(112, [0x08, 0x01])
        let second = delimited(112, delimited(2, [0x08, 0x02]))
        let merged = try Proto3(serializedBytes: first + second)
        #expect(merged.oneofNestedMessage.a == 1)
        #expect(merged.oneofNestedMessage.corecursive.optionalInt32 == 2)
        // Another member in between clears the message: the last one starts afresh.
        let interrupted = try Proto3(serializedBytes: first + tag(111, 0) + [0x05] + second)
        #expect(interrupted.oneofNestedMessage.a == 0)
        #expect(interrupted.oneofNestedMessage.corecursive.optionalInt32 == 2)
    }
}
