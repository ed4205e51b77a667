// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

extension Duration {
    /// The duration in whole milliseconds, rounded down: SQLite's busy timeout counts in them.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        return milliseconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000).partialValue
    }
}
