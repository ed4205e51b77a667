// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

import ProtoWire

/// Opens calls to a server. The HTTP/2 transport implements it; so can an in-process one.
public protocol ClientTransport: Sendable {
    func openCall(path: String, metadata: Metadata, timeout: Duration?) async throws -> any ClientCall
}

/// One call from the client's side.
public protocol ClientCall: Sendable {
    /// Sends one request message; suspends while the server's flow-control window is closed.
    func send(_ message: [UInt8]) async throws
    /// Half-closes: the server sees the end of the request stream.
    func finishSending() async throws
    /// The next response message, or nil once the server has finished; then `status()` is ready.
    func receive() async throws -> [UInt8]?
    /// Response headers (initial metadata).
    func responseMetadata() async throws -> Metadata
    /// The final status and trailing metadata; waits for the call to end.
    func status() async throws -> (Status, Metadata)
    /// Cancels the call (RST_STREAM CANCEL).
    func cancel()
}

/// Options for one call.
public struct CallOptions: Sendable {
    public var metadata: Metadata
    public var timeout: Duration?

    public init(metadata: Metadata = [:], timeout: Duration? = nil) {
        self.metadata = metadata
        self.timeout = timeout
    }
}

/// Typed calls over a `ClientTransport`; generated clients are thin wrappers around it.
public struct RPCClient: Sendable {
    public let transport: any ClientTransport

    public init(transport: any ClientTransport) { self.transport = transport }

    public func unary<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, request: Input, options: CallOptions = CallOptions(), output: Output.Type = Output.self
    ) async throws -> Output {
        let call = try await transport.openCall(path: schema.path, metadata: options.metadata, timeout: options.timeout)
        try await call.send(request.serializedBytes())
        try await call.finishSending()
        return try await Self.singleResponse(call, Output.self)
    }

    public func clientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, requests: some Sequence<Input>, options: CallOptions = CallOptions(),
        output: Output.Type = Output.self
    ) async throws -> Output {
        let call = try await transport.openCall(path: schema.path, metadata: options.metadata, timeout: options.timeout)
        for request in requests { try await call.send(request.serializedBytes()) }
        try await call.finishSending()
        return try await Self.singleResponse(call, Output.self)
    }

    public func serverStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, request: Input, options: CallOptions = CallOptions(), output: Output.Type = Output.self
    ) async throws -> ResponseStream<Output> {
        let call = try await transport.openCall(path: schema.path, metadata: options.metadata, timeout: options.timeout)
        try await call.send(request.serializedBytes())
        try await call.finishSending()
        return ResponseStream(call: call)
    }

    /// Opens a bidirectional (or any) streaming call and hands back both directions.
    public func streaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, options: CallOptions = CallOptions(), input: Input.Type = Input.self,
        output: Output.Type = Output.self
    ) async throws -> (RequestWriter<Input>, ResponseStream<Output>) {
        let call = try await transport.openCall(path: schema.path, metadata: options.metadata, timeout: options.timeout)
        return (RequestWriter(call: call), ResponseStream(call: call))
    }

    static func singleResponse<Output: ProtoMessage>(_ call: any ClientCall, _ type: Output.Type) async throws -> Output {
        var response: [UInt8]?
        while let message = try await call.receive() {
            if response == nil { response = message }
        }
        let (status, trailers) = try await call.status()
        guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
        guard let response else {
            throw RPCError(code: .internal, message: "the server ended a unary call without a response")
        }
        do {
            return try Output(serializedBytes: response)
        } catch {
            throw RPCError(code: .internal, message: "cannot decode \(Output.protoMessageName): \(error)")
        }
    }
}

/// Request messages of a streaming call, from the client's side.
public struct RequestWriter<Message: ProtoMessage>: Sendable {
    public let call: any ClientCall

    public func write(_ message: Message) async throws { try await call.send(message.serializedBytes()) }
    public func finish() async throws { try await call.finishSending() }
}

/// Response messages of a streaming call; iteration throws the call's error status at the end.
public struct ResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    public let call: any ClientCall

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: any ClientCall

        public mutating func next() async throws -> Message? {
            if let bytes = try await call.receive() {
                do {
                    return try Message(serializedBytes: bytes)
                } catch {
                    throw RPCError(code: .internal, message: "cannot decode \(Message.protoMessageName): \(error)")
                }
            }
            let (status, trailers) = try await call.status()
            guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }
}

extension RPCError {
    /// The error a client sees for a non-OK status: rich details (`grpc-status-details-bin`) move
    /// from the trailers into `statusDetails`.
    public init(status: Status, trailers: Metadata) {
        var trailers = trailers
        var details: [UInt8]?
        if let bytes = trailers.binaryValues("grpc-status-details-bin").first {
            details = bytes
            trailers.removeAll("grpc-status-details-bin")
        }
        self.init(code: status.code, message: status.message, metadata: trailers, statusDetails: details)
    }
}
