// SPDX-License-Identifier: Apache-2.0
// UsageFlow — test support for StandardServicesTests

import ProtoWire
import RPCCore

/// One call through an `RPCRouter` with no transport: the test plays the client, sending request
/// messages and reading responses while the handler runs in its own task.
struct InMemoryCall<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
    /// The handler reads what the test sends.
    struct Requests: ServerRequestSource {
        let pipe: MessagePipe
        func next() async throws -> [UInt8]? { try await pipe.read() }
    }

    /// The handler's responses reach the test at once; with a `gate`, `send` then waits for it,
    /// like a transport whose client has stopped reading.
    struct Responses: ServerResponseSink {
        let pipe: MessagePipe
        let gate: Gate
        func sendInitialMetadata(_ metadata: Metadata) async throws {}
        func send(_ message: [UInt8]) async throws {
            pipe.write(message)
            await gate.wait()
        }
    }

    private let requests = MessagePipe()
    private let responses = MessagePipe()
    private let task: Task<Metadata, any Error>

    /// Starts the call to `method`; fails the test if the router has no such route.
    init(
        _ router: RPCRouter, _ method: MethodSchema, responseGate: Gate = Gate(open: true)
    ) throws {
        guard let route = router.route(forPath: method.path) else {
            throw RPCError(code: .unimplemented, message: "no route for \(method.path)")
        }
        let context = ServerContext(
            method: method, requestMetadata: [:], peer: Peer(address: "in-process"), deadline: nil)
        let call = ServerCall(
            requests: Requests(pipe: requests), responses: Responses(pipe: responses, gate: responseGate),
            context: context)
        let responses = self.responses
        task = Task {
            // The transport finishes the response side when the handler ends, whatever the outcome.
            defer { responses.finish() }
            return try await router.handle(call, route: route)
        }
    }

    func send(_ request: Request) {
        requests.write(request.serializedBytes())
    }

    /// Half-closes: the handler's request stream ends.
    func finishSending() {
        requests.finish()
    }

    /// The next response, or nil once the handler has returned or thrown.
    func receive() async throws -> Response? {
        guard let bytes = try await responses.read() else { return nil }
        return try Response(serializedBytes: bytes)
    }

    /// Sends `request`, half-closes, and collects every response (for unary and server-streaming
    /// calls that end on their own).
    func exchange(_ request: Request) async throws -> [Response] {
        send(request)
        finishSending()
        var all: [Response] = []
        while let response = try await receive() { all.append(response) }
        _ = try await outcome.get()
        return all
    }

    /// The client cancels, as on RST_STREAM or a deadline: the transport cancels the handler.
    func cancel() {
        task.cancel()
    }

    /// How the handler ended: its trailing metadata, or the error that becomes the status.
    var outcome: Result<Metadata, any Error> {
        get async { await task.result }
    }
}
