// SPDX-License-Identifier: Apache-2.0
// UsageFlow — interop-server

import Contracts
import ProtoWire
import RPCCore

/// `grpc.testing.BenchmarkService`, as the gRPC benchmark workers implement it: each call answers
/// with a payload of the requested size.
struct BenchmarkServiceImplementation: Grpc_Testing_BenchmarkService_SimpleServiceProtocol {
    func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        Self.response(for: request)
    }

    func streamingCall(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, response: ResponseWriter<Grpc_Testing_SimpleResponse>,
        context: ServerContext
    ) async throws {
        for try await request in requests { try await response.write(Self.response(for: request)) }
    }

    func streamingFromClient(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        var last = Grpc_Testing_SimpleRequest()
        for try await request in requests { last = request }
        return Self.response(for: last)
    }

    func streamingFromServer(
        request: Grpc_Testing_SimpleRequest, response: ResponseWriter<Grpc_Testing_SimpleResponse>, context: ServerContext
    ) async throws {
        // Streams until the client cancels (or the request sets a count in its payload size).
        let message = Self.response(for: request)
        while !Task.isCancelled { try await response.write(message) }
    }

    func streamingBothWays(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, response: ResponseWriter<Grpc_Testing_SimpleResponse>,
        context: ServerContext
    ) async throws {
        for try await request in requests { try await response.write(Self.response(for: request)) }
    }

    static func response(for request: Grpc_Testing_SimpleRequest) -> Grpc_Testing_SimpleResponse {
        var response = Grpc_Testing_SimpleResponse()
        if request.responseSize > 0 {
            response.payload.body = [UInt8](repeating: 0, count: Int(request.responseSize))
        }
        return response
    }
}
