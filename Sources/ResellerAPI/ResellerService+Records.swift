// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import RPCCore

// Not served yet: answered UNIMPLEMENTED until the feature lands.

extension ResellerService {
    public func listRecords(request: Usageflow_V1_ListResellerRecordsRequest, context: ServerContext) async throws -> Usageflow_V1_ListResellerRecordsResponse {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }

    public func exportRecords(request: Usageflow_V1_ExportRecordsRequest, response: ResponseWriter<Usageflow_V1_ExportRecordsResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }
}
