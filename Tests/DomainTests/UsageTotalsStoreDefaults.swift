// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain

/// Usage totals for the in-memory stores of tests that never total usage: there is nothing to add up.
extension UsageTotalsReader {
    func usageTotals(_ filter: UsageTotalsFilter, after: UsageTotal.Key?, limit: Int) throws -> [UsageTotal] { [] }
}
