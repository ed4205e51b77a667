// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// How many messages each side of a call sends.
public enum CallKind: String, Sendable, Hashable {
    case unary
    case clientStreaming
    case serverStreaming
    case bidirectionalStreaming

    public init(clientStreaming: Bool, serverStreaming: Bool) {
        switch (clientStreaming, serverStreaming) {
        case (false, false): self = .unary
        case (true, false): self = .clientStreaming
        case (false, true): self = .serverStreaming
        case (true, true): self = .bidirectionalStreaming
        }
    }
}

/// One RPC method as the schema declares it; generated per service for the RPC layer.
public struct MethodSchema: Sendable, Hashable {
    /// The fully-qualified service name, such as `grpc.health.v1.Health`.
    public let service: String
    /// The method name, such as `Check`.
    public let name: String
    public let kind: CallKind
    /// Fully-qualified protobuf names of the request and response messages.
    public let inputType: String
    public let outputType: String

    public init(service: String, name: String, kind: CallKind, inputType: String, outputType: String) {
        self.service = service
        self.name = name
        self.kind = kind
        self.inputType = inputType
        self.outputType = outputType
    }

    /// The HTTP/2 `:path` of the method: `/package.Service/Method`.
    public var path: String { "/\(service)/\(name)" }
}

/// A service as the schema declares it.
public struct ServiceSchema: Sendable, Hashable {
    public let name: String
    public let methods: [MethodSchema]

    public init(name: String, methods: [MethodSchema]) {
        self.name = name
        self.methods = methods
    }
}

/// One `.proto` file's serialized `FileDescriptorProto` (without source info), for server reflection.
public struct FileDescriptorData: Sendable, Hashable {
    public let name: String
    public let dependencies: [String]
    public let serializedDescriptor: [UInt8]

    public init(name: String, dependencies: [String], serializedDescriptor: [UInt8]) {
        self.name = name
        self.dependencies = dependencies
        self.serializedDescriptor = serializedDescriptor
    }
}
