// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import Contracts
import RPCCore

extension ReflectionService {
    /// `grpc.reflection.v1.ServerReflection`: one response per request, in order, until the
    /// client half-closes.
    public struct V1: Grpc_Reflection_V1_ServerReflection_SimpleServiceProtocol {
        let index: ReflectionIndex

        public func serverReflectionInfo(
            requests: RequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
            response: ResponseWriter<Grpc_Reflection_V1_ServerReflectionResponse>,
            context: ServerContext
        ) async throws {
            for try await request in requests {
                try await response.write(index.answer(request))
            }
        }
    }
}
