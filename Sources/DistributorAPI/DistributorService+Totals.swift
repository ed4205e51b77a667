// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import RPCCore

// Not served yet: answered UNIMPLEMENTED until the feature lands.

extension DistributorService {
    public func getUsageTotals(request: Usageflow_V1_GetUsageTotalsRequest, context: ServerContext) async throws -> Usageflow_V1_GetUsageTotalsResponse {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }
}
