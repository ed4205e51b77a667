// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
    /// Usage totals in the distributor's marketplaces.
    public func getUsageTotals(
        request: Usageflow_V1_GetUsageTotalsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_GetUsageTotalsResponse {
        let tenant = try context.tenant()
        let paging = try UsageTotalsPaging(request, list: "distributor.usage-totals")
        let page = try await UsageTotalsOperations(environment: environment)
            .totals(tenant, paging.query, size: paging.size, after: paging.after)
        return Usageflow_V1_GetUsageTotalsResponse(page, paging: paging)
    }
}
