// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import Contracts
import ProtoWire
import RPCCore

extension ReflectionService {
    /// `grpc.reflection.v1alpha.ServerReflection`, for tools that predate v1.
    ///
    /// v1 is a copy of v1alpha under a new package with the same field numbers, so each message
    /// converts by re-decoding its bytes as the other version. That keeps one implementation of
    /// the protocol (against v1) at the cost of an extra encode and decode per lookup, which is
    /// nothing next to the descriptors a lookup returns.
    public struct V1Alpha: Grpc_Reflection_V1alpha_ServerReflection_SimpleServiceProtocol {
        let index: ReflectionIndex

        public func serverReflectionInfo(
            requests: RequestStream<Grpc_Reflection_V1alpha_ServerReflectionRequest>,
            response: ResponseWriter<Grpc_Reflection_V1alpha_ServerReflectionResponse>,
            context: ServerContext
        ) async throws {
            for try await request in requests {
                let answer = index.answer(try Self.convert(request))
                try await response.write(try Self.convert(answer))
            }
        }

        static func convert<Output: ProtoMessage>(_ message: some ProtoMessage) throws -> Output {
            try Output(serializedBytes: message.serializedBytes())
        }
    }
}
