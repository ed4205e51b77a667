// SPDX-License-Identifier: Apache-2.0
// UsageFlow — interop-server

import Contracts
import Glibc
import ProtoWire
import RPCCore

/// `grpc.testing.TestService` as the gRPC interop descriptions ask of a server, registered at the
/// byte level so every method can echo `x-grpc-test-echo-initial` in its response headers and
/// `x-grpc-test-echo-trailing-bin` in its trailers.
enum TestServiceHandlers {
    typealias Service = Grpc_Testing_TestService

    static func register(with router: inout RPCRouter) {
        router.register(Service.EmptyCall.schema) { call in
            try await echoingMetadata(call) {
                let _: Grpc_Testing_Empty = try await single(call)
                try await call.responses.send(Grpc_Testing_Empty().serializedBytes())
            }
        }
        router.register(Service.UnaryCall.schema) { call in
            try await echoingMetadata(call) { try await unary(call) }
        }
        router.register(Service.CacheableUnaryCall.schema) { call in
            try await call.responses.sendInitialMetadata(["cache-control": "max-age=60, public"])
            return try await echoingMetadata(call) { try await unary(call) }
        }
        router.register(Service.StreamingOutputCall.schema) { call in
            try await echoingMetadata(call) {
                let request: Grpc_Testing_StreamingOutputCallRequest = try await single(call)
                try await respond(to: request, on: call)
            }
        }
        router.register(Service.StreamingInputCall.schema) { call in
            try await echoingMetadata(call) {
                var total: Int32 = 0
                for try await request in RequestStream<Grpc_Testing_StreamingInputCallRequest>(source: call.requests) {
                    total += Int32(request.payload.body.count)
                }
                var response = Grpc_Testing_StreamingInputCallResponse()
                response.aggregatedPayloadSize = total
                try await call.responses.send(response.serializedBytes())
            }
        }
        router.register(Service.FullDuplexCall.schema) { call in
            try await echoingMetadata(call) {
                for try await request in RequestStream<Grpc_Testing_StreamingOutputCallRequest>(source: call.requests) {
                    try await respond(to: request, on: call)
                }
            }
        }
        router.register(Service.HalfDuplexCall.schema) { call in
            try await echoingMetadata(call) {
                var requests: [Grpc_Testing_StreamingOutputCallRequest] = []
                for try await request in RequestStream<Grpc_Testing_StreamingOutputCallRequest>(source: call.requests) {
                    requests.append(request)
                }
                for request in requests { try await respond(to: request, on: call) }
            }
        }
        // UnimplementedCall and UnimplementedService are deliberately absent: the router answers
        // UNIMPLEMENTED for them.
    }

    private static func unary(_ call: ServerCall) async throws {
        let request: Grpc_Testing_SimpleRequest = try await single(call)
        if request.hasResponseStatus, request.responseStatus.code != 0 {
            throw RPCError(code: Status.Code(rawValue: Int(request.responseStatus.code)), message: request.responseStatus.message)
        }
        var response = Grpc_Testing_SimpleResponse()
        response.payload.type = request.responseType
        response.payload.body = [UInt8](repeating: 0, count: Int(max(0, request.responseSize)))
        if request.fillServerId { response.serverId = "usageflow-interop-server" }
        if request.fillUsername { response.username = call.context.peer.certificateChain.first?.subject ?? "" }
        try await call.responses.send(response.serializedBytes())
    }

    private static func respond(to request: Grpc_Testing_StreamingOutputCallRequest, on call: ServerCall) async throws {
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int(parameters.intervalUs)))
            }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload.type = request.responseType
            response.payload.body = [UInt8](repeating: 0, count: Int(max(0, parameters.size)))
            try await call.responses.send(response.serializedBytes())
        }
        if request.hasResponseStatus, request.responseStatus.code != 0 {
            throw RPCError(code: Status.Code(rawValue: Int(request.responseStatus.code)), message: request.responseStatus.message)
        }
    }

    /// Sends the echo headers first and the echo trailers last, around `body`.
    private static func echoingMetadata(_ call: ServerCall, _ body: () async throws -> Void) async throws -> Metadata {
        if let initial = call.context.requestMetadata["x-grpc-test-echo-initial"] {
            try await call.responses.sendInitialMetadata(["x-grpc-test-echo-initial": initial])
        }
        var trailers = Metadata()
        for value in call.context.requestMetadata.binaryValues("x-grpc-test-echo-trailing-bin") {
            trailers.add("x-grpc-test-echo-trailing-bin", binary: value)
        }
        do {
            try await body()
        } catch var error as RPCError {
            for entry in trailers {
                if case .binary(let value) = entry.value { error.metadata.add(entry.key, binary: value) }
            }
            throw error
        }
        return trailers
    }

    private static func single<Message: ProtoMessage>(_ call: ServerCall) async throws -> Message {
        guard let bytes = try await call.requests.next() else {
            throw RPCError(code: .unimplemented, message: "expected one request message, received none")
        }
        guard try await call.requests.next() == nil else {
            throw RPCError(code: .unimplemented, message: "expected one request message, received more")
        }
        do {
            return try Message(serializedBytes: bytes)
        } catch {
            throw RPCError(code: .internal, message: "cannot decode \(Message.protoMessageName): \(error)")
        }
    }
}
