// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto tests

import Crypto
import Testing

@Suite("SHA256")
struct SHA256Tests {
    /// FIPS 180-4 example messages (NIST CSRC "SHA256.pdf" and "SHA2_Additional.pdf").
    static let vectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ]

    @Test(arguments: vectors)
    func knownAnswer(message: String, digest: String) {
        #expect(Hex.encode(SHA256.hash(Array(message.utf8))) == digest)
        // The same through the String's own UTF-8 view (a non-array collection).
        #expect(Hex.encode(SHA256.hash(message.utf8)) == digest)
    }

    @Test func oneMillionAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))) == expected)
        // Fed 1,000 bytes at a time.
        let hasher = SHA256.Hasher()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000)
        for _ in 0..<1_000 { hasher.update(block) }
        #expect(Hex.encode(hasher.finalize()) == expected)
    }

    @Test func digestIsThirtyTwoBytes() {
        #expect(SHA256.byteCount == 32)
        #expect(SHA256.hash([1, 2, 3]).count == 32)
    }

    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1_000, 10_007])
    func incrementalMatchesOneShotOverRandomSplits(length: Int) {
        var generator = SplitMix64(seed: UInt64(length) &* 0x9E37_79B9 &+ 1)
        let message = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let expected = SHA256.hash(message)
        for _ in 0..<20 {
            let hasher = SHA256.Hasher()
            var offset = 0
            while offset < message.count {
                let piece = Int.random(in: 0...min(message.count - offset, 97), using: &generator)
                hasher.update(message[offset..<offset + piece])
                offset += piece
            }
            hasher.update([UInt8]())
            #expect(hasher.finalize() == expected, "length \(length)")
        }
    }

    @Test func nonContiguousInputHashesLikeAnArray() {
        let bytes = (0..<300).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let expected = SHA256.hash(Array(bytes))
        #expect(SHA256.hash(bytes) == expected)
        let hasher = SHA256.Hasher()
        hasher.update(bytes.prefix(100))
        hasher.update(bytes.dropFirst(100))
        #expect(hasher.finalize() == expected)
    }

    @Test func finalizeResetsTheHasher() {
        let hasher = SHA256.Hasher()
        hasher.update(Array("abc".utf8))
        #expect(hasher.finalize() == SHA256.hash(Array("abc".utf8)))
        #expect(Hex.encode(hasher.finalize()) == Self.vectors[0].digest)
        hasher.update(Array("ab".utf8))
        hasher.update(Array("c".utf8))
        #expect(Hex.encode(hasher.finalize()) == Self.vectors[1].digest)
    }

    @Test func differentMessagesDiffer() {
        #expect(SHA256.hash([0]) != SHA256.hash([]))
        #expect(SHA256.hash([0, 1]) != SHA256.hash([1, 0]))
    }
}

/// A small seeded generator, so a failing split can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
