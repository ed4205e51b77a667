// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport tests: a service, byte-level routes and a probe that records
// what handlers went through.

import Contracts
import ProtoWire
import RPCCore
import Synchronization

/// Echoes payloads in every call shape. `streamingFromServer` sends `responseSize` copies of the
/// request, or streams until cancelled when it is negative; `unaryCall` answers with the peer.
struct EchoService: Grpc_Testing_BenchmarkService_SimpleServiceProtocol {
    let probe: Probe

    func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        var response = Grpc_Testing_SimpleResponse()
        response.payload.body = request.payload.body
        response.username = context.peer.certificateChain.first?.subject ?? ""
        response.hostname = context.peer.address
        return response
    }

    func streamingCall(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, response: ResponseWriter<Grpc_Testing_SimpleResponse>,
        context: ServerContext
    ) async throws {
        for try await request in requests {
            var message = Grpc_Testing_SimpleResponse()
            message.payload.body = request.payload.body
            try await response.write(message)
        }
    }

    func streamingFromClient(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        var response = Grpc_Testing_SimpleResponse()
        for try await request in requests { response.payload.body += request.payload.body }
        return response
    }

    func streamingFromServer(
        request: Grpc_Testing_SimpleRequest, response: ResponseWriter<Grpc_Testing_SimpleResponse>, context: ServerContext
    ) async throws {
        var message = Grpc_Testing_SimpleResponse()
        message.payload.body = request.payload.body
        var sent: Int32 = 0
        do {
            while request.responseSize < 0 || sent < request.responseSize {
                try await response.write(message)
                sent += 1
                probe.count("written")
            }
        } catch {
            probe.record("cancelled")
            throw error
        }
    }

    func streamingBothWays(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, response: ResponseWriter<Grpc_Testing_SimpleResponse>,
        context: ServerContext
    ) async throws {
        try await streamingCall(requests: requests, response: response, context: context)
    }
}

/// What handlers went through, for a test to wait on and inspect.
final class Probe: Sendable {
    private let state = Mutex<State>(State())

    private struct State {
        var events: [String] = []
        var counters: [String: Int] = [:]
        var metadata: [Metadata] = []
        var deadlines: [ContinuousClock.Instant?] = []
    }

    func record(_ event: String) { state.withLock { $0.events.append(event) } }
    func count(_ counter: String) { state.withLock { $0.counters[counter, default: 0] += 1 } }
    func record(metadata: Metadata) { state.withLock { $0.metadata.append(metadata) } }
    func record(deadline: ContinuousClock.Instant?) { state.withLock { $0.deadlines.append(deadline) } }

    var events: [String] { state.withLock { $0.events } }
    func counter(_ name: String) -> Int { state.withLock { $0.counters[name, default: 0] } }
    var metadata: [Metadata] { state.withLock { $0.metadata } }
    var deadlines: [ContinuousClock.Instant?] { state.withLock { $0.deadlines } }

    /// Waits up to thirty seconds for `condition`; false if it never held. Generous: the whole
    /// suite runs in parallel on few cores, where synchronous tests can hold every thread of the
    /// pool for seconds, and a condition that holds ends the wait at once anyway.
    func waitUntil(_ condition: (Probe) -> Bool) async -> Bool {
        let end = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < end {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return condition(self)
    }

    func waitFor(_ event: String) async -> Bool { await waitUntil { $0.events.contains(event) } }
}

/// Byte-level routes under `test.Probe`, registered by hand.
enum ProbeRoutes {
    static func schema(_ name: String, _ kind: CallKind = .bidirectionalStreaming) -> MethodSchema {
        MethodSchema(service: "test.Probe", name: name, kind: kind, inputType: "test.Bytes", outputType: "test.Bytes")
    }

    /// Waits for cancellation: `started`, then `cancelled` when its task is cancelled.
    static let hang = schema("Hang", .unary)
    /// Sends back each request's byte count (as a 4-byte big-endian message) after the last one.
    static let measure = schema("Measure", .clientStreaming)
    /// Never reads its requests: waits for cancellation.
    static let ignoreRequests = schema("IgnoreRequests", .clientStreaming)
    /// Answers OK at once without reading anything.
    static let returnAtOnce = schema("ReturnAtOnce", .clientStreaming)
    /// Records its request metadata and deadline, sends headers, one message and trailers, some
    /// of them not legal on the wire.
    static let metadata = schema("Metadata", .unary)
    /// Sends headers, then fails with the code and message of its `EchoStatus` request, with
    /// details and trailers.
    static let fail = schema("Fail", .unary)
    /// Throws the error named by its request's first byte (see `ThrownError`).
    static let throwError = schema("Throw", .unary)
    /// Swallows its cancellation and answers OK late.
    static let ignoreCancellation = schema("IgnoreCancellation", .unary)

    static func register(with router: inout RPCRouter, probe: Probe) {
        router.register(hang) { _ in
            probe.record("started")
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                probe.record("cancelled")
                throw error
            }
            return [:]
        }
        router.register(measure) { call in
            var sizes: [UInt8] = []
            while let message = try await call.requests.next() {
                let size = UInt32(message.count)
                sizes += [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            }
            try await call.responses.send(sizes)
            return [:]
        }
        router.register(ignoreRequests) { _ in
            probe.record("started")
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                probe.record("cancelled")
                throw error
            }
            return [:]
        }
        router.register(returnAtOnce) { _ in [:] }
        router.register(metadata) { call in
            probe.record(metadata: call.context.requestMetadata)
            probe.record(deadline: call.context.deadline)
            _ = try await call.requests.next()
            var headers: Metadata = ["x-initial": "hello", "content-type": "text/plain"]
            headers.add("x-initial-bin", binary: [0, 1, 2])
            try await call.responses.sendInitialMetadata(headers)
            try await call.responses.sendInitialMetadata(["x-ignored": "second headers"])
            try await call.responses.send(Array(call.context.peer.address.utf8))
            var trailers: Metadata = ["x-trailing": "bye", "grpc-status": "7", "x-bad": "line\nbreak"]
            trailers.add("x-trailing-bin", binary: [255, 254])
            return trailers
        }
        router.register(fail) { call in
            let request = try Grpc_Testing_EchoStatus(serializedBytes: try await call.requests.next() ?? [])
            try await call.responses.sendInitialMetadata(["x-stage": "validated"])
            var details = Google_Rpc_Status()
            details.code = request.code
            details.message = request.message
            throw RPCError(
                code: Status.Code(rawValue: Int(request.code)), message: request.message,
                metadata: ["x-request-id": "req-1"], statusDetails: details.serializedBytes())
        }
        router.register(throwError) { call in
            let request = try await call.requests.next() ?? []
            throw ThrownError(rawValue: request.first ?? 0)!.error
        }
        router.register(ignoreCancellation) { call in
            _ = try await call.requests.next()
            probe.record("started")
            try? await Task.sleep(for: .seconds(60))
            probe.record("returning")
            try? await call.responses.send([1])
            return [:]
        }
    }
}

/// The errors `ProbeRoutes.throwError` throws, by number.
enum ThrownError: UInt8, Sendable, CaseIterable {
    case rpcError = 1, convertible, plain, cancellation

    var error: any Error {
        switch self {
        case .rpcError: RPCError(code: .notFound, message: "no such usage file")
        case .convertible: RoleError()
        case .plain: PlainError()
        case .cancellation: CancellationError()
        }
    }

    /// What the client sees.
    var expected: (Status.Code, String) {
        switch self {
        case .rpcError: (.notFound, "no such usage file")
        case .convertible: (.permissionDenied, "this key's role cannot do that")
        case .plain: (.unknown, "the server failed to handle the call")
        case .cancellation: (.cancelled, "the call was cancelled")
        }
    }
}

struct RoleError: RPCErrorConvertible {
    var rpcError: RPCError { RPCError(code: .permissionDenied, message: "this key's role cannot do that") }
}

/// An error that must not reach the client: its text stands for an internal detail.
struct PlainError: Error, CustomStringConvertible {
    var description: String { "SQLITE_BUSY: database is locked" }
}

/// A router with the echo service and the probe routes.
func makeRouter(probe: Probe, configure: (inout RPCRouter) -> Void = { _ in }) -> RPCRouter {
    var router = RPCRouter()
    router.register(EchoService(probe: probe))
    ProbeRoutes.register(with: &router, probe: probe)
    configure(&router)
    return router
}

func simpleRequest(_ body: [UInt8], responseSize: Int32 = 0) -> Grpc_Testing_SimpleRequest {
    var request = Grpc_Testing_SimpleRequest()
    request.payload.body = body
    request.responseSize = responseSize
    return request
}

/// Reads every response message and the status of a byte-level call.
func drain(_ call: any ClientCall) async throws -> (messages: [[UInt8]], status: Status, trailers: Metadata) {
    var messages: [[UInt8]] = []
    while let message = try await call.receive() { messages.append(message) }
    let (status, trailers) = try await call.status()
    return (messages, status, trailers)
}
