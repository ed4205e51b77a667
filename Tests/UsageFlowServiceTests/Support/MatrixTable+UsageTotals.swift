// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The GetUsageTotals rows of the vendor, distributor and reseller of the authorization matrix.
//
// Each names a subscription as its filter for January 2026, when every matrix record starts: the
// direct customer's for the vendor and the distributor (world A's pending file has a record on
// it), the caller's tier's for a reseller (records in world A's billable file). Another tenant's
// subscription, like a missing one, is NOT_FOUND.

extension MatrixTable {
    private typealias Vendor = Usageflow_V1_VendorService
    private typealias Distributor = Usageflow_V1_DistributorService
    private typealias Reseller = Usageflow_V1_ResellerService

    static func totalsRequest(_ subscriptionID: String) -> Usageflow_V1_GetUsageTotalsRequest {
        var request = Usageflow_V1_GetUsageTotalsRequest()
        request.periodFrom = "2026-01-01"
        request.periodTo = "2026-01-31"
        request.subscriptionId = subscriptionID
        return request
    }

    static let usageTotalsRows: [MatrixRow] = [
        .make(
            Vendor.GetUsageTotals.schema, Usageflow_V1_GetUsageTotalsResponse.self, .object,
            page: { $0.totals.count }
        ) { context in totalsRequest(context.refs.directSubscription) },
        .make(
            Distributor.GetUsageTotals.schema, Usageflow_V1_GetUsageTotalsResponse.self, .object,
            page: { $0.totals.count }
        ) { context in totalsRequest(context.refs.directSubscription) },
        .make(
            Reseller.GetUsageTotals.schema, Usageflow_V1_GetUsageTotalsResponse.self, .object,
            page: { $0.totals.count }
        ) { context in
            if context.target == .own && context.expectsSuccess { _ = try await context.billableFile() }
            return totalsRequest(context.byTier(\.tier1Subscription, \.tier2Subscription))
        },
    ]
}
