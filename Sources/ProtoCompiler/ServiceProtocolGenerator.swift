// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Writes the RPC side of a service (`*.rpc.swift`): the simple and streaming service protocols,
/// their router registration, and a typed client.
///
/// The simple tier gives each call kind its natural shape (a unary method takes a request and
/// returns a response); the streaming tier gives every method the request stream, the response
/// writer and the context, for services that need full control of a call.
struct ServiceProtocolGenerator {
    let service: ServiceDescriptor
    let file: FileDescriptor
    let index: SchemaIndex
    let comments: CommentTable
    let path: [Int32]

    private struct Method {
        let descriptor: ServiceDescriptor.Method
        let namespace: String
        let function: String
        let input: String
        let output: String
        let comment: String
    }

    private var namespace: String { SwiftNaming.packagePrefix(file.package) + service.name }

    private var methods: [Method] {
        var typeScope = IdentifierScope(reserved: ["name", "schema", "methods"])
        var functionScope = IdentifierScope(reserved: ["registerMethods", "client", "init"])
        return service.methods.enumerated().map { offset, method in
            Method(
                descriptor: method,
                namespace: typeScope.claim(SwiftNaming.typeName(method.name)),
                function: functionScope.claim(SwiftNaming.lowerCamel(method.name)),
                input: index.message(method.inputType)!.swiftName,
                output: index.message(method.outputType)!.swiftName,
                comment: comments.text(for: path + [2, Int32(offset)]))
        }
    }

    func generate(into printer: inout CodePrinter) {
        let methods = self.methods
        let serviceComment = comments.text(for: path)

        printer.docComment(serviceComment)
        printer.line("///")
        printer.line("/// Simple tier: each method has the natural shape of its call kind.")
        printer.block("public protocol \(namespace)_SimpleServiceProtocol: RPCCore.RegistrableRPCService") { p in
            for method in methods {
                p.docComment(method.comment)
                p.line(simpleRequirement(method))
            }
        }
        printer.line()
        printer.block("extension \(namespace)_SimpleServiceProtocol") { p in
            p.block("public func registerMethods(with router: inout RPCCore.RPCRouter)") { p in
                for method in methods { simpleRegistration(method, into: &p) }
            }
        }
        printer.line()
        printer.docComment(serviceComment)
        printer.line("///")
        printer.line("/// Streaming tier: every method sees the request stream, the response writer and the context.")
        printer.block("public protocol \(namespace)_StreamingServiceProtocol: RPCCore.RegistrableRPCService") { p in
            for method in methods {
                p.docComment(method.comment)
                p.line(
                    "func \(method.function)(requests: RPCCore.RequestStream<\(method.input)>, response: RPCCore.ResponseWriter<\(method.output)>, context: RPCCore.ServerContext) async throws"
                )
            }
        }
        printer.line()
        printer.block("extension \(namespace)_StreamingServiceProtocol") { p in
            p.block("public func registerMethods(with router: inout RPCCore.RPCRouter)") { p in
                for method in methods {
                    p.line(
                        "router.registerStreaming(\(namespace).\(method.namespace).schema, input: \(method.input).self, output: \(method.output).self) { requests, response, context in"
                    )
                    p.line("    try await self.\(method.function)(requests: requests, response: response, context: context)")
                    p.line("}")
                }
            }
        }
        printer.line()
        printer.docComment(serviceComment)
        printer.line("///")
        printer.line("/// Client: one method per RPC over any `ClientTransport`.")
        printer.block("public struct \(namespace)_Client: Swift.Sendable") { p in
            p.line("public let client: RPCCore.RPCClient")
            p.line()
            p.line("public init(transport: any RPCCore.ClientTransport) { self.client = RPCCore.RPCClient(transport: transport) }")
            p.line()
            p.line("public init(client: RPCCore.RPCClient) { self.client = client }")
            for method in methods {
                p.line()
                p.docComment(method.comment)
                clientMethod(method, into: &p)
            }
        }
    }

    private func simpleRequirement(_ method: Method) -> String {
        let context = "context: RPCCore.ServerContext"
        switch (method.descriptor.clientStreaming, method.descriptor.serverStreaming) {
        case (false, false):
            return "func \(method.function)(request: \(method.input), \(context)) async throws -> \(method.output)"
        case (false, true):
            return
                "func \(method.function)(request: \(method.input), response: RPCCore.ResponseWriter<\(method.output)>, \(context)) async throws"
        case (true, false):
            return
                "func \(method.function)(requests: RPCCore.RequestStream<\(method.input)>, \(context)) async throws -> \(method.output)"
        case (true, true):
            return
                "func \(method.function)(requests: RPCCore.RequestStream<\(method.input)>, response: RPCCore.ResponseWriter<\(method.output)>, \(context)) async throws"
        }
    }

    private func simpleRegistration(_ method: Method, into p: inout CodePrinter) {
        let types = "\(namespace).\(method.namespace).schema, input: \(method.input).self, output: \(method.output).self"
        switch (method.descriptor.clientStreaming, method.descriptor.serverStreaming) {
        case (false, false):
            p.line("router.registerUnary(\(types)) { request, context in")
            p.line("    try await self.\(method.function)(request: request, context: context)")
        case (false, true):
            p.line("router.registerServerStreaming(\(types)) { request, response, context in")
            p.line("    try await self.\(method.function)(request: request, response: response, context: context)")
        case (true, false):
            p.line("router.registerClientStreaming(\(types)) { requests, context in")
            p.line("    try await self.\(method.function)(requests: requests, context: context)")
        case (true, true):
            p.line("router.registerStreaming(\(types)) { requests, response, context in")
            p.line("    try await self.\(method.function)(requests: requests, response: response, context: context)")
        }
        p.line("}")
    }

    private func clientMethod(_ method: Method, into p: inout CodePrinter) {
        let schema = "\(namespace).\(method.namespace).schema"
        let options = "options: RPCCore.CallOptions = RPCCore.CallOptions()"
        switch (method.descriptor.clientStreaming, method.descriptor.serverStreaming) {
        case (false, false):
            p.block("public func \(method.function)(_ request: \(method.input), \(options)) async throws -> \(method.output)") { p in
                p.line("try await client.unary(\(schema), request: request, options: options)")
            }
        case (false, true):
            p.block(
                "public func \(method.function)(_ request: \(method.input), \(options)) async throws -> RPCCore.ResponseStream<\(method.output)>"
            ) { p in
                p.line("try await client.serverStreaming(\(schema), request: request, options: options)")
            }
        case (true, false):
            p.block(
                "public func \(method.function)(_ requests: some Swift.Sequence<\(method.input)>, \(options)) async throws -> \(method.output)"
            ) { p in
                p.line("try await client.clientStreaming(\(schema), requests: requests, options: options)")
            }
        case (true, true):
            p.block(
                "public func \(method.function)(\(options)) async throws -> (RPCCore.RequestWriter<\(method.input)>, RPCCore.ResponseStream<\(method.output)>)"
            ) { p in
                p.line("try await client.streaming(\(schema), options: options)")
            }
        }
    }
}
