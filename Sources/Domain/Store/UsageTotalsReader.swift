// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The read behind usage totals: records grouped by subscription and item, summed exactly.
public protocol UsageTotalsReader {
    /// Up to `limit` totals of the records `filter` selects, one per subscription and item, in
    /// key order after `after` (from the first when nil).
    ///
    /// A record counts when it is valid, approved or closed, in a production file from `pending`
    /// on (`UsageTotal`); its start time decides the period. Sums are exact decimals.
    func usageTotals(_ filter: UsageTotalsFilter, after: UsageTotal.Key?, limit: Int) throws -> [UsageTotal]
}
