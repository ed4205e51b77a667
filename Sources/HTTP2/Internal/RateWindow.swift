// SPDX-License-Identifier: Apache-2.0

/// Counts events in fixed windows and reports when one window holds more than `limit`.
///
/// A fixed window is cruder than a sliding one (a burst straddling a boundary can reach twice the
/// limit) but costs two integers and one comparison, and the limits are meant to catch floods of
/// thousands, not to shape legitimate traffic.
struct RateWindow {
    let limit: Int
    let length: UInt64
    private var windowStart: UInt64 = 0
    private var count = 0
    private var started = false

    init(limit: Int, length: UInt64) {
        self.limit = limit
        self.length = max(length, 1)
    }

    /// Records one event at `now`; true when the current window now exceeds the limit.
    mutating func record(at now: UInt64) -> Bool {
        if !started || now &- windowStart >= length || now < windowStart {
            started = true
            windowStart = now
            count = 0
        }
        count += 1
        return count > limit
    }
}
