// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

import ProtoWire

/// The request messages of one call, as the transport receives them.
///
/// `next()` returns each message's bytes in order and nil once the client has finished sending.
/// Consuming a message is what returns flow-control credit to the client, so a handler that reads
/// slowly slows its client down instead of making the server buffer.
///
/// The per-message calls here and in `ServerResponseSink` are `nonisolated(nonsending)`: they run
/// on the caller's executor, so a handler streaming thousands of messages does not switch
/// executors twice per message (a transport that runs handlers on its event loop would otherwise
/// pay for each switch). A conformer may still implement them as plain `async` functions.
public protocol ServerRequestSource: Sendable {
    nonisolated(nonsending) func next() async throws -> [UInt8]?
}

/// Where a call's responses go.
///
/// `send` suspends while the client is not reading (the transport's buffer for the stream is above
/// its high-water mark), so a fast handler never makes the server buffer without bound.
public protocol ServerResponseSink: Sendable {
    /// Sends response headers with `metadata` now; otherwise they go with the first message.
    nonisolated(nonsending) func sendInitialMetadata(_ metadata: Metadata) async throws
    nonisolated(nonsending) func send(_ message: [UInt8]) async throws
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
        @usableFromInline let source: any ServerRequestSource

        @inlinable
        public nonisolated(nonsending) mutating func next() async throws -> Message? {
            guard let bytes = try await source.next() else { return nil }
            return try decodeRequest(Message.self, bytes)
        }

        /// What `for try await` calls: the same as `next()`, on the caller's isolation (the
        /// default implementation would hop to `next()`'s executor and back for every message).
        /// Inlinable, so the caller's compiler can see that no hop is needed at all.
        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> Message? {
            guard let bytes = try await source.next() else { return nil }
            return try decodeRequest(Message.self, bytes)
        }

        /// The next message as it arrived, undecoded, or nil once the client has finished sending.
        ///
        /// For a handler that reads a large message's fields straight from the wire (a batch of a
        /// thousand records) instead of building it; `RequestStream.decode(_:)` decodes one
        /// it cannot, with the error `next()` would have thrown.
        @inlinable
        public nonisolated(nonsending) mutating func nextEncoded() async throws -> [UInt8]? {
            try await source.next()
        }
    }

    /// Decodes one message of the stream as `next()` does, refusing bytes that do not decode the
    /// same way.
    @inlinable
    public static func decode(_ bytes: [UInt8]) throws -> Message {
        try decodeRequest(Message.self, bytes)
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }
}

/// Writes typed response messages.
public struct ResponseWriter<Message: ProtoMessage>: Sendable {
    let sink: any ServerResponseSink

    public init(sink: any ServerResponseSink) { self.sink = sink }

    public nonisolated(nonsending) func write(_ message: Message) async throws {
        try await sink.send(message.serializedBytes())
    }

    /// Writes a message its handler encoded itself: `bytes` must be a valid encoding of `Message`.
    ///
    /// For large messages built straight as wire bytes (an export batch of a megabyte), which
    /// `write` would copy once more through the message's serializer.
    public nonisolated(nonsending) func write(encoded bytes: [UInt8]) async throws {
        try await sink.send(bytes)
    }

    public nonisolated(nonsending) func sendInitialMetadata(_ metadata: Metadata) async throws {
        try await sink.sendInitialMetadata(metadata)
    }
}

/// Request bytes that do not decode are the client's fault; stock gRPC servers answer INTERNAL.
@usableFromInline
func decodeRequest<Message: ProtoMessage>(_ type: Message.Type, _ bytes: [UInt8]) throws -> Message {
    do {
        return try Message(serializedBytes: bytes)
    } catch {
        throw RPCError(code: .internal, message: "cannot decode \(Message.protoMessageName): \(error)")
    }
}
