// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import RPCCore

// Not served yet: answered UNIMPLEMENTED until the feature lands.

extension DistributorService {
    public func uploadReconciliationFile(requests: RequestStream<Usageflow_V1_UploadReconciliationFileRequest>, context: ServerContext) async throws -> Usageflow_V1_Reconciliation {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }

    public func getReconciliation(request: Usageflow_V1_IdRequest, context: ServerContext) async throws -> Usageflow_V1_Reconciliation {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }

    public func listReconciliations(request: Usageflow_V1_ListReconciliationsRequest, context: ServerContext) async throws -> Usageflow_V1_ListReconciliationsResponse {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }

    public func listReconciliationRows(request: Usageflow_V1_ListReconciliationRowsRequest, context: ServerContext) async throws -> Usageflow_V1_ListReconciliationRowsResponse {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }
}
