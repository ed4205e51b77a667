// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests of Sources/RPCHTTP2Transport/Internal/MemoryReclaimer.swift: it trims only once
// enough was freed, and only large messages count.

import Testing

@testable import RPCHTTP2Transport

@Suite("Memory reclaimer")
struct MemoryReclaimerTests {
    @Test(arguments: [
        // (message sizes noted, trims)
        ([1_000, 100_000, 131_071], false),  // small messages never count
        ([131_072, 131_072, 131_072], false),  // 384 KiB of large ones: under 512 KiB
        ([131_072, 262_144, 131_072], true),  // 512 KiB: trim
        ([4 * 1024 * 1024], true),
    ])
    func onlyLargeMessagesCountTowardsATrim(sizes: [Int], trims: Bool) {
        let reclaimer = MemoryReclaimer(threshold: 512 * 1024)
        for size in sizes { reclaimer.noteMessage(size) }
        #expect(reclaimer.reclaimIfWorthwhile() == trims)
    }

    @Test func aTrimStartsTheCountAgain() {
        let reclaimer = MemoryReclaimer(threshold: 100 * 1024)
        reclaimer.noteFreed(MemoryReclaimer.bytesPerConnection * 4)
        #expect(reclaimer.reclaimIfWorthwhile())
        #expect(!reclaimer.reclaimIfWorthwhile())
        reclaimer.noteFreed(MemoryReclaimer.bytesPerConnection)
        #expect(!reclaimer.reclaimIfWorthwhile())
    }
}
