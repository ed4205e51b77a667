// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import RPCCore

// Not served yet: answered UNIMPLEMENTED until the feature lands.

extension VendorService {
    public func listEvents(request: Usageflow_V1_ListEventsRequest, context: ServerContext) async throws -> Usageflow_V1_ListEventsResponse {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }

    public func watchEvents(request: Usageflow_V1_WatchEventsRequest, response: ResponseWriter<Usageflow_V1_Event>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "not implemented yet")
    }
}
