// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import TestSupport
import Testing
@testable import TLS

@Suite("CiphertextChannel")
struct CiphertextChannelTests {
    let certificates = TestCertificates.shared

    @Test("a reader that never catches up completely does not keep what it already read")
    func partlyReadBufferIsCompacted() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        // 1 MiB of records delivered 10,007 bytes at a time, and about as much plaintext read back
        // after each delivery: some received ciphertext is always left unread, so the buffer never
        // runs dry, and only dropping the part already read keeps it from holding the whole stream.
        try pair.client.writePlaintext([UInt8](repeating: 3, count: 1 << 20))
        let ciphertext = pair.client.takeCiphertext()
        var offset = 0
        var received = 0
        var largest = 0
        var plaintext: [UInt8] = []
        while offset < ciphertext.count {
            let end = min(ciphertext.count, offset + 10_007)
            try pair.server.receiveCiphertext(Array(ciphertext[offset..<end]))
            offset = end
            plaintext.removeAll(keepingCapacity: true)
            received += try pair.server.readPlaintext(into: &plaintext, maxBytes: 9_900)
            largest = max(largest, pair.server.channel.capacities.incoming)
        }
        while pair.server.hasPendingPlaintext {
            plaintext.removeAll(keepingCapacity: true)
            received += try pair.server.readPlaintext(into: &plaintext, maxBytes: 1 << 20)
        }
        #expect(received == 1 << 20)
        #expect(largest < 4 * CiphertextChannel.compactionThreshold)
    }
}
