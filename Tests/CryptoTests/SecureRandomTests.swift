// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto tests

import Crypto
import Testing

@Suite("SecureRandom")
struct SecureRandomTests {
    @Test(arguments: [0, 1, 16, 32, 1_000, 65_537])
    func producesTheRequestedCount(count: Int) throws {
        #expect(try SecureRandom.bytes(count: count).count == count)
    }

    @Test func drawsDiffer() throws {
        var seen = Set<[UInt8]>()
        for _ in 0..<100 { seen.insert(try SecureRandom.bytes(count: 32)) }
        #expect(seen.count == 100)
    }

    @Test func bytesAreNotConstant() throws {
        // 4 KiB of output uses (nearly) every byte value; a broken generator returning zeros or a
        // repeated byte would not.
        let bytes = try SecureRandom.bytes(count: 4_096)
        #expect(Set(bytes).count > 200)
    }

    @Test func errorDescribesItself() {
        let error = CryptoError(code: .randomnessUnavailable, message: "RAND_bytes failed")
        #expect(error.code == .randomnessUnavailable)
        #expect(error.description == "secure randomness unavailable: RAND_bytes failed")
    }
}
