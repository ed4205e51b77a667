// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import RPCCore
import ServiceSupport

// The audit trail of the reseller's own objects; what it sees is decided by `EventAudience`.

extension ResellerService {
    public func listEvents(
        request: Usageflow_V1_ListEventsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListEventsResponse {
        try await EventStreaming(environment: environment).list(request, tenant: try context.tenant())
    }

    public func watchEvents(
        request: Usageflow_V1_WatchEventsRequest, response: ResponseWriter<Usageflow_V1_Event>,
        context: ServerContext
    ) async throws {
        try await EventStreaming(environment: environment)
            .watch(request, tenant: try context.tenant(), response: response)
    }
}
