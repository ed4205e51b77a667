// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import Synchronization

/// Hands memory that the allocator keeps after a burst (many connections closing, large messages)
/// back to the system.
///
/// glibc returns freed heap memory to the kernel only from the top of an arena, and it serves
/// blocks of a few hundred KiB from the heap once it has seen one freed. So after 1,000 connections
/// close, or a few large messages pass, a server's resident memory stays at its peak although
/// nothing uses it (measured: +23 MiB after 1,000 idle h2c connections closed). `malloc_trim`
/// gives the free pages back. It walks every free chunk and can take milliseconds, so it runs only
/// once the estimate of what was freed since the last trim passes a threshold, at most once per
/// tick, from the server's own task rather than a loop thread.
final class MemoryReclaimer: Sendable {
    /// What a closed connection is assumed to free: an idle TLS connection holds about 42 KiB, an
    /// h2c one about 14 KiB.
    static let bytesPerConnection = 32 * 1024
    /// Messages at least this large count in full: glibc's default threshold for giving a block
    /// its own mapping, which it raises after the first such block is freed.
    static let largeMessage = 128 * 1024

    let threshold: Int
    private let freed = Atomic<Int>(0)

    init(threshold: Int = 8 * 1024 * 1024) {
        self.threshold = threshold
    }

    /// Records memory that has just been freed (an estimate).
    func noteFreed(_ bytes: Int) {
        freed.wrappingAdd(bytes, ordering: .relaxed)
    }

    /// Records a message that was just delivered or sent, counting it only if it is large.
    func noteMessage(_ bytes: Int) {
        if bytes >= Self.largeMessage { noteFreed(bytes) }
    }

    /// Trims if enough was freed since the last trim; returns whether it did.
    @discardableResult
    func reclaimIfWorthwhile() -> Bool {
        guard freed.load(ordering: .relaxed) >= threshold, let trim = Self.trim else { return false }
        freed.store(0, ordering: .relaxed)
        _ = trim(0)
        return true
    }

    /// Ticks once a second until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                return
            }
            reclaimIfWorthwhile()
        }
    }

    /// Sets the allocator's thresholds once per process, before the first connection.
    ///
    /// glibc gives freed memory at the top of a heap back to the kernel as soon as it exceeds the
    /// trim threshold (128 KiB by default), and the cooperative threads' arenas do the same with
    /// `madvise`. A server sending a few hundred KiB of replies per loop turn then has its pages
    /// unmapped on every free and faulted in, zeroed, on the next allocation: measured, a third of
    /// the CPU of a call with a 20 KiB reply. A higher trim threshold keeps them; `malloc_trim` above
    /// still returns memory after bursts, which is what bounds the resident size. Setting a threshold
    /// turns off glibc's sliding mmap threshold, so the mmap threshold is set too: blocks from
    /// 4 MiB up get their own mapping, as the sliding threshold would have given them after the
    /// first large free.
    static func tuneAllocator() {
        _ = tuning
    }

    private static let tuning: Void = {
        _ = clinux_set_trim_threshold(Int32(trimThreshold))
        _ = clinux_set_mmap_threshold(Int32(mmapThreshold))
    }()

    static let trimThreshold = 16 * 1024 * 1024
    static let mmapThreshold = 4 * 1024 * 1024

    private typealias TrimFunction = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, looked up at run time so a C library without it leaves reclaiming
    /// to itself.
    private static let trim: TrimFunction? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: TrimFunction.self)
    }()
}
