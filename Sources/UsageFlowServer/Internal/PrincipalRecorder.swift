// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import RPCCore
import ServiceSupport

/// Copies the authenticated principal into the call's record for the log line.
struct PrincipalRecorder: ServerInterceptor {
    func intercept(
        _ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata
    ) async throws -> Metadata {
        if let record = call.context.values[CallRecordKey.self] { record.principal = call.context.principal }
        return try await next(call)
    }
}
