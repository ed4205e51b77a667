// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

import ProtoWire

/// Maps request paths to handlers. Built once at start-up, then frozen: the server holds it as an
/// immutable value, so dispatch needs no locks.
public struct RPCRouter: Sendable {
    /// A handler at the byte level: reads requests, writes responses, returns trailing metadata,
    /// throws to end the call with a status.
    public typealias Handler = @Sendable (ServerCall) async throws -> Metadata

    public struct Route: Sendable {
        public let schema: MethodSchema
        public let handler: Handler
    }

    public private(set) var routes: [String: Route] = [:]
    private(set) var interceptors: [any ServerInterceptor] = []

    public init() {}

    /// The route for an HTTP/2 `:path`, such as `/grpc.health.v1.Health/Check`.
    public func route(forPath path: String) -> Route? { routes[path] }

    /// Fully-qualified names of every service with at least one method.
    public var serviceNames: [String] { Array(Set(routes.values.map(\.schema.service))).sorted() }

    /// Whether a service of this name is registered (UNIMPLEMENTED names the service or the method).
    public func hasService(_ name: String) -> Bool { routes.values.contains { $0.schema.service == name } }

    /// Registers a byte-level handler; a second registration of the same path replaces the first.
    public mutating func register(_ schema: MethodSchema, handler: @escaping Handler) {
        routes[schema.path] = Route(schema: schema, handler: handler)
    }

    /// Adds an interceptor; interceptors run in the order they were added, around every route.
    public mutating func intercept(with interceptor: any ServerInterceptor) {
        interceptors.append(interceptor)
    }

    /// Runs `route` for `call` through every interceptor (on the caller's executor).
    public nonisolated(nonsending) func handle(_ call: ServerCall, route: Route) async throws -> Metadata {
        if interceptors.isEmpty { return try await route.handler(call) }
        return try await Self.chain(interceptors[...], call: call, handler: route.handler)
    }

    private static func chain(
        _ interceptors: ArraySlice<any ServerInterceptor>, call: ServerCall, handler: @escaping Handler
    ) async throws -> Metadata {
        guard let first = interceptors.first else { return try await handler(call) }
        let rest = interceptors.dropFirst()
        return try await first.intercept(call) { next in
            try await chain(rest, call: next, handler: handler)
        }
    }
}

extension RPCRouter {
    /// One request, one response.
    public mutating func registerUnary<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, input: Input.Type, output: Output.Type,
        _ body: @escaping @Sendable (Input, ServerContext) async throws -> Output
    ) {
        register(schema) { call in
            let request = try await Self.singleRequest(Input.self, call)
            let response = try await body(request, call.context)
            try await call.responses.send(response.serializedBytes())
            return [:]
        }
    }

    /// One request, a stream of responses.
    public mutating func registerServerStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, input: Input.Type, output: Output.Type,
        _ body: @escaping @Sendable (Input, ResponseWriter<Output>, ServerContext) async throws -> Void
    ) {
        register(schema) { call in
            let request = try await Self.singleRequest(Input.self, call)
            try await body(request, ResponseWriter(sink: call.responses), call.context)
            return [:]
        }
    }

    /// A stream of requests, one response.
    public mutating func registerClientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, input: Input.Type, output: Output.Type,
        _ body: @escaping @Sendable (RequestStream<Input>, ServerContext) async throws -> Output
    ) {
        register(schema) { call in
            let response = try await body(RequestStream(source: call.requests), call.context)
            try await call.responses.send(response.serializedBytes())
            return [:]
        }
    }

    /// Streams both ways (also the shape of the streaming service tier for every call kind).
    public mutating func registerStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ schema: MethodSchema, input: Input.Type, output: Output.Type,
        _ body: @escaping @Sendable (RequestStream<Input>, ResponseWriter<Output>, ServerContext) async throws -> Void
    ) {
        register(schema) { call in
            try await body(RequestStream(source: call.requests), ResponseWriter(sink: call.responses), call.context)
            return [:]
        }
    }

    /// Reads the one request of a unary or server-streaming call; zero or two are a protocol error.
    nonisolated(nonsending) static func singleRequest<Input: ProtoMessage>(_ type: Input.Type, _ call: ServerCall) async throws -> Input {
        guard let bytes = try await call.requests.next() else {
            throw RPCError(code: .unimplemented, message: "expected one request message, received none")
        }
        guard try await call.requests.next() == nil else {
            throw RPCError(code: .unimplemented, message: "expected one request message, received more")
        }
        return try decodeRequest(Input.self, bytes)
    }
}
