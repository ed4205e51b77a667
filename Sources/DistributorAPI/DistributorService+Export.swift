// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import RPCCore

// Not served yet: answered UNIMPLEMENTED until the feature lands.

extension DistributorService {
    public func exportRecords(request: Usageflow_V1_ExportRecordsRequest, response: ResponseWriter<Usageflow_V1_ExportRecordsResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }

    public func exportUsageFile(request: Usageflow_V1_ExportUsageFileRequest, response: ResponseWriter<Usageflow_V1_FileChunk>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }
}
