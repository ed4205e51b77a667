// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

extension Usageflow_V1_UsageTotal {
    /// The wire form of a total: sums as exact decimal strings.
    public init(_ total: UsageTotal) {
        self.init()
        subscriptionId = total.subscriptionID
        itemId = total.itemID
        productId = total.productID
        consumedQuantity = total.consumedQuantity.description
        acceptedQuantity = total.acceptedQuantity.description
        consumedAmount = total.consumedAmount.description
        acceptedAmount = total.acceptedAmount.description
        consumedRecords = Int64(total.consumedRecords)
        acceptedRecords = Int64(total.acceptedRecords)
    }
}

extension Usageflow_V1_GetUsageTotalsResponse {
    /// The reply to `GetUsageTotals` for every role: one page and the token of the next.
    public init(_ page: UsageTotalsOperations.Page, paging: UsageTotalsPaging) {
        self.init()
        totals = page.totals.map(Usageflow_V1_UsageTotal.init)
        nextPageToken = paging.nextToken(after: page)
    }
}
