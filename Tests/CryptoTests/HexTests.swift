// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto tests

import Crypto
import Testing

@Suite("Hex")
struct HexTests {
    static let known: [(bytes: [UInt8], text: String)] = [
        ([], ""),
        ([0x00], "00"),
        ([0x0F, 0xA0, 0xFF], "0fa0ff"),
        ([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF], "0123456789abcdef"),
    ]

    @Test(arguments: known)
    func encodesAndDecodes(bytes: [UInt8], text: String) {
        #expect(Hex.encode(bytes) == text)
        #expect(Hex.decode(text) == bytes)
    }

    @Test func decodesUppercaseAndMixedCase() {
        #expect(Hex.decode("0FA0FF") == [0x0F, 0xA0, 0xFF])
        #expect(Hex.decode("aBcD") == [0xAB, 0xCD])
    }

    @Test func roundTripsEveryByteValue() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.encode(bytes).count == 512)
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
    }

    @Test(arguments: ["0", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "aa:bb", "-1", "é0", "0\u{0}", "００"])
    func refusesMalformedText(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
