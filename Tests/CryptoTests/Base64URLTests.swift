// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto tests

import Crypto
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 §10 test vectors without their padding, and the two characters that differ from
    /// standard base64.
    static let known: [(bytes: [UInt8], text: String)] = [
        ([], ""),
        (Array("f".utf8), "Zg"),
        (Array("fo".utf8), "Zm8"),
        (Array("foo".utf8), "Zm9v"),
        (Array("foob".utf8), "Zm9vYg"),
        (Array("fooba".utf8), "Zm9vYmE"),
        (Array("foobar".utf8), "Zm9vYmFy"),
        ([0xFB, 0xFF], "-_8"),
        ([0xFF, 0xFF, 0xFF], "____"),
        ([0x00, 0x00, 0x00], "AAAA"),
        ([0x3E, 0xFF], "Pv8"),
    ]

    @Test(arguments: known)
    func encodesAndDecodes(bytes: [UInt8], text: String) {
        #expect(Base64URL.encode(bytes) == text)
        #expect(Base64URL.decode(text) == bytes)
    }

    @Test func roundTripsEveryLength() {
        var generator = SplitMix64(seed: 42)
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let text = Base64URL.encode(bytes)
            #expect(text.utf8.count == (length * 4 + 2) / 3)
            #expect(!text.contains("="))
            #expect(Base64URL.decode(text) == bytes, "length \(length)")
        }
    }

    @Test func aKeySecretIsFortyThreeHeaderSafeCharacters() throws {
        let text = Base64URL.encode(try SecureRandom.bytes(count: 32))
        #expect(text.utf8.count == 43)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        #expect(text.utf8.allSatisfy { allowed.contains($0) })
    }

    @Test(arguments: [
        "Z",  // one character left over: not a whole byte
        "Zm9vY",  // five characters: the same
        "Zg==",  // padding
        "Zg=",
        "Zm8=",
        "+/8",  // the standard alphabet
        "Zm9v/A",
        "Zh",  // non-zero bits after the last byte (canonical is "Zg")
        "Zm9",  // the same for two bytes (canonical is "Zm8")
        "Zm9v Yg",  // whitespace
        "Zm9v\nYg",
        " Zg",
        "Zm9v.g",
        "Zé",  // non-ASCII
    ])
    func refusesMalformedText(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
