// SPDX-License-Identifier: Apache-2.0

/// A settable clock for the abuse windows and ping policy.
final class TestClock: @unchecked Sendable {
    // @unchecked Sendable: only the test's own thread reads or advances it (the engine calls
    // `now` synchronously from receive/writeOutput on that thread).
    var nanoseconds: UInt64 = 1_000_000_000
    func advance(seconds: UInt64) { nanoseconds += seconds * 1_000_000_000 }
    var now: @Sendable () -> UInt64 { { self.nanoseconds } }
}
