// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/RPCCore/RPCRouter.swift, Metadata.swift and RPCError.swift

import ProtoWire
import RPCCore
import Synchronization
import Testing

/// Request bytes handed over in advance.
final class ScriptedRequests: ServerRequestSource {
    let remaining: Mutex<[[UInt8]]>
    init(_ messages: [[UInt8]]) { remaining = Mutex(messages) }
    func next() async throws -> [UInt8]? {
        remaining.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

/// Records what a handler sends.
final class RecordingResponses: ServerResponseSink {
    let sent = Mutex<[[UInt8]]>([])
    let initialMetadata = Mutex<Metadata?>(nil)
    func sendInitialMetadata(_ metadata: Metadata) async throws { initialMetadata.withLock { $0 = metadata } }
    func send(_ message: [UInt8]) async throws { sent.withLock { $0.append(message) } }
}

struct RequestIDKey: ContextKey { typealias Value = String }

final class Log: Sendable {
    let entries = Mutex<[String]>([])
}

/// Tags every call and records the order interceptors run in.
struct TaggingInterceptor: ServerInterceptor {
    let tag: String
    let log: Log

    func intercept(_ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata) async throws -> Metadata {
        log.entries.withLock { $0.append(tag) }
        var call = call
        call.context.values[RequestIDKey.self] = (call.context.values[RequestIDKey.self] ?? "") + tag
        var trailers = try await next(call)
        trailers.add("x-seen-by", tag)
        return trailers
    }
}

@Suite("RPCRouter")
struct RPCRouterTests {
    static let echo = MethodSchema(service: "test.Echo", name: "Echo", kind: .unary, inputType: "x", outputType: "x")

    func context(_ schema: MethodSchema) -> ServerContext {
        ServerContext(method: schema, requestMetadata: [:], peer: Peer(address: "in-process"), deadline: nil)
    }

    @Test func routesByPathAndRunsInterceptorsInOrder() async throws {
        let log = Log()
        var router = RPCRouter()
        router.register(Self.echo) { call in
            var trailers = Metadata()
            trailers.add("x-request-id", call.context.values[RequestIDKey.self] ?? "")
            while let message = try await call.requests.next() { try await call.responses.send(message.reversed()) }
            return trailers
        }
        router.intercept(with: TaggingInterceptor(tag: "a", log: log))
        router.intercept(with: TaggingInterceptor(tag: "b", log: log))
        #expect(router.route(forPath: "/test.Echo/Missing") == nil)
        #expect(router.hasService("test.Echo"))
        #expect(!router.hasService("test.Other"))
        let route = try #require(router.route(forPath: "/test.Echo/Echo"))
        let responses = RecordingResponses()
        let call = ServerCall(requests: ScriptedRequests([[1, 2, 3]]), responses: responses, context: context(Self.echo))
        let trailers = try await router.handle(call, route: route)
        #expect(responses.sent.withLock { $0 } == [[3, 2, 1]])
        #expect(trailers["x-request-id"] == "ab")
        #expect(trailers.entries.map(\.key) == ["x-request-id", "x-seen-by", "x-seen-by"])
        #expect(log.entries.withLock { $0 } == ["a", "b"])
    }

    @Test func unaryHandlersRejectZeroOrTwoRequests() async throws {
        var router = RPCRouter()
        router.registerUnary(Self.echo, input: UnknownOnly.self, output: UnknownOnly.self) { request, _ in request }
        let route = try #require(router.route(forPath: Self.echo.path))
        for messages in [[], [[], []]] as [[[UInt8]]] {
            let call = ServerCall(requests: ScriptedRequests(messages), responses: RecordingResponses(), context: context(Self.echo))
            await #expect(throws: RPCError.self) { _ = try await router.handle(call, route: route) }
        }
        let responses = RecordingResponses()
        let call = ServerCall(requests: ScriptedRequests([[0x08, 0x01]]), responses: responses, context: context(Self.echo))
        _ = try await router.handle(call, route: route)
        #expect(responses.sent.withLock { $0 } == [[0x08, 0x01]])  // unknown field kept and echoed
    }

    @Test func undecodableRequestsAreInternalErrors() async throws {
        var router = RPCRouter()
        router.registerUnary(Self.echo, input: UnknownOnly.self, output: UnknownOnly.self) { request, _ in request }
        let route = try #require(router.route(forPath: Self.echo.path))
        let call = ServerCall(requests: ScriptedRequests([[0x08]]), responses: RecordingResponses(), context: context(Self.echo))
        do {
            _ = try await router.handle(call, route: route)
            Issue.record("expected an error")
        } catch let error as RPCError {
            #expect(error.code == .internal)
        }
    }

    @Test func unexpectedErrorsBecomeUnknownWithAGenericMessage() {
        struct Secret: Error {}
        let error = RPCError.from(Secret())
        #expect(error.code == .unknown)
        #expect(error.message == "the server failed to handle the call")
        #expect(RPCError.from(CancellationError()).code == .cancelled)
        #expect(RPCError.from(RPCError(code: .notFound, message: "no such item")).code == .notFound)
    }

    @Test func metadataKeysAndValuesAreValidated() {
        #expect(Metadata.isValidKey("x-tenant.id_1"))
        #expect(!Metadata.isValidKey("X-Upper"))
        #expect(!Metadata.isValidKey(":path"))
        #expect(!Metadata.isValidKey("content-type"))
        #expect(!Metadata.isValidKey("grpc-status"))
        #expect(Metadata.isValidValue("Bearer abc.def"))
        #expect(!Metadata.isValidValue("line\nbreak"))
        #expect(!Metadata.isValidValue(" leading"))
        #expect(!Metadata.isValidValue("trailing "))
        #expect(Metadata.isValidValue("inner space"))
        var metadata: Metadata = ["A-Key": "1"]
        metadata.add("a-key", "2")
        metadata.add("blob-bin", binary: [0, 255])
        #expect(metadata["a-key"] == "1")
        #expect(metadata.binaryValues("blob-bin") == [[0, 255]])
        metadata.removeAll("A-KEY")
        #expect(metadata.count == 1)
    }
}

/// A message with no fields: everything it reads is kept as unknown fields.
struct UnknownOnly: ProtoMessage {
    static let protoMessageName = "test.UnknownOnly"
    var unknownFields = UnknownFields()
    init() {}
    mutating func decodeFields(from reader: inout WireReader) throws(WireError) {
        while let tag = try reader.nextTag() { try reader.skipField(tag, into: &unknownFields) }
    }
    func serializedSize() -> Int { unknownFields.bytes.count }
    func encodeFields(to writer: inout WireWriter) { writer.writeUnknownFields(unknownFields) }
}
