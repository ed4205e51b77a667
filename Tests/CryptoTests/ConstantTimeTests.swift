// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto tests

import Crypto
import Testing

@Suite("constantTimeEquals")
struct ConstantTimeTests {
    static let cases: [(lhs: [UInt8], rhs: [UInt8], equal: Bool)] = [
        ([], [], true),
        ([0], [0], true),
        ([1, 2, 3], [1, 2, 3], true),
        ([0], [], false),
        ([], [0], false),
        ([1, 2, 3], [1, 2], false),
        ([1, 2], [1, 2, 3], false),
        ([1, 2, 3], [1, 2, 4], false),
        ([0, 2, 3], [1, 2, 3], false),
        ([0x80], [0x00], false),
        ([0xFF, 0xFF], [0xFF, 0xFE], false),
    ]

    @Test(arguments: cases)
    func comparesBytes(lhs: [UInt8], rhs: [UInt8], equal: Bool) {
        #expect(constantTimeEquals(lhs, rhs) == equal)
        #expect(constantTimeEquals(rhs, lhs) == equal)
    }

    @Test func comparesDigestsOfEveryBytePosition() {
        let digest = SHA256.hash(Array("secret".utf8))
        #expect(constantTimeEquals(digest, SHA256.hash(Array("secret".utf8))))
        for index in digest.indices {
            var flipped = digest
            flipped[index] ^= 1
            #expect(!constantTimeEquals(digest, flipped), "byte \(index)")
        }
    }

    @Test func acceptsSlicesAndOtherCollections() {
        let bytes: [UInt8] = [9, 1, 2, 3, 9]
        #expect(constantTimeEquals(bytes[1..<4], [1, 2, 3]))
        #expect(constantTimeEquals("abc".utf8, [0x61, 0x62, 0x63]))
        #expect(!constantTimeEquals(bytes[1..<4], [1, 2, 3, 9]))
    }
}
