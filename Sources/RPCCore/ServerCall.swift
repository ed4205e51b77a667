// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

import ProtoWire

/// The request messages of one call, as the transport receives them.
///
/// `next()` returns each message's bytes in order and nil once the client has finished sending.
/// Consuming a message is what returns flow-control credit to the client, so a handler that reads
/// slowly slows its client down instead of making the server buffer.
public protocol ServerRequestSource: Sendable {
    func next() async throws -> [UInt8]?
}

/// Where a call's responses go.
///
/// `send` suspends while the client is not reading (the transport's buffer for the stream is above
/// its high-water mark), so a fast handler never makes the server buffer without bound.
public protocol ServerResponseSink: Sendable {
    /// Sends response headers with `metadata` now; otherwise they go with the first message.
    func sendInitialMetadata(_ metadata: Metadata) async throws
    func send(_ message: [UInt8]) async throws
}

/// One call as a handler (or an interceptor) sees it.
public struct ServerCall: Sendable {
    public var requests: any ServerRequestSource
    public var responses: any ServerResponseSink
    public var context: ServerContext

    public init(requests: any ServerRequestSource, responses: any ServerResponseSink, context: ServerContext) {
        self.requests = requests
        self.responses = responses
        self.context = context
    }
}

/// Decoded request messages, as an async sequence.
public struct RequestStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let source: any ServerRequestSource

    public init(source: any ServerRequestSource) { self.source = source }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: any ServerRequestSource

        public mutating func next() async throws -> Message? {
            guard let bytes = try await source.next() else { return nil }
            return try decodeRequest(Message.self, bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }
}

/// Writes typed response messages.
public struct ResponseWriter<Message: ProtoMessage>: Sendable {
    let sink: any ServerResponseSink

    public init(sink: any ServerResponseSink) { self.sink = sink }

    public func write(_ message: Message) async throws {
        try await sink.send(message.serializedBytes())
    }

    public func sendInitialMetadata(_ metadata: Metadata) async throws {
        try await sink.sendInitialMetadata(metadata)
    }
}

/// Request bytes that do not decode are the client's fault; stock gRPC servers answer INTERNAL.
func decodeRequest<Message: ProtoMessage>(_ type: Message.Type, _ bytes: [UInt8]) throws -> Message {
    do {
        return try Message(serializedBytes: bytes)
    } catch {
        throw RPCError(code: .internal, message: "cannot decode \(Message.protoMessageName): \(error)")
    }
}
