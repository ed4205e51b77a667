// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import RPCCore

// Not served yet: answered UNIMPLEMENTED until the feature lands.

extension ResellerService {
    public func markRecordsBilled(request: Usageflow_V1_MarkRecordsBilledRequest, context: ServerContext) async throws -> Usageflow_V1_MarkRecordsBilledResponse {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }
}
