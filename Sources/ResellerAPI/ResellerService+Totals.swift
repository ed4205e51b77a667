// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension ResellerService {
    /// Usage totals of the reseller's customers (a tier-1 reseller's include its tier-2 resellers').
    public func getUsageTotals(
        request: Usageflow_V1_GetUsageTotalsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_GetUsageTotalsResponse {
        let tenant = try context.tenant()
        let paging = try UsageTotalsPaging(request, list: "reseller.usage-totals")
        let page = try await UsageTotalsOperations(environment: environment)
            .totals(tenant, paging.query, size: paging.size, after: paging.after)
        return Usageflow_V1_GetUsageTotalsResponse(page, paging: paging)
    }
}
