// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler
import ProtoWire

/// Every message, enum and service of a set of `.proto` files, resolved and looked up by name.
///
/// The pool is what lets a client handle any RPC without generated code: it turns the file
/// descriptors a module already embeds (for server reflection) into schemas that
/// `DynamicMessage` encodes, decodes and renders. It is built once and is immutable, so one pool
/// can be shared by every task.
public struct DescriptorPool: Sendable {
    let storage: PoolStorage

    /// Builds a pool from serialized `FileDescriptorProto`s, such as a generated module's
    /// `…ProtoFiles.all`, and from already decoded descriptors (as `protoc` output decodes, or as
    /// a test writes them by hand). Pass the files of every module whose types are imported.
    ///
    /// Throws when a descriptor does not decode, a name is defined twice, or a field or method
    /// refers to a type that none of the files defines.
    public init(files: [FileDescriptorData] = [], descriptors: [FileDescriptor] = []) throws(DescriptorPoolError) {
        var decoded: [FileDescriptor] = []
        decoded.reserveCapacity(files.count + descriptors.count)
        for file in files {
            decoded.append(try PoolBuilder.decodeFile(file))
        }
        storage = try PoolBuilder.build(decoded + descriptors)
    }

    /// The names of the files in the pool, in the order given (duplicates dropped).
    public var fileNames: [String] { storage.fileNames }

    /// The message with a fully-qualified name, with or without the leading dot:
    /// `grpc.testing.SimpleRequest`, `.grpc.testing.LoadBalancerStatsResponse.RpcsByPeer`.
    public func message(named name: String) -> MessageSchema? {
        storage.messageIndexByName[Self.stripDot(name)].map { MessageSchema(storage: storage, index: $0) }
    }

    /// The enum with a fully-qualified name, with or without the leading dot.
    public func enumType(named name: String) -> EnumSchema? {
        storage.enumIndexByName[Self.stripDot(name)].map { EnumSchema(storage: storage, index: $0) }
    }

    /// Every message in the pool, sorted by full name.
    public var messages: [MessageSchema] {
        storage.messages.indices.map { MessageSchema(storage: storage, index: $0) }.sorted { $0.fullName < $1.fullName }
    }

    /// Every service in the pool, sorted by full name.
    public var services: [DynamicService] {
        storage.services.indices.map { DynamicService(storage: storage, index: $0) }.sorted {
            $0.fullName < $1.fullName
        }
    }

    /// The service with a fully-qualified name such as `grpc.health.v1.Health`.
    public func service(named name: String) -> DynamicService? {
        storage.serviceIndexByName[Self.stripDot(name)].map { DynamicService(storage: storage, index: $0) }
    }

    /// The method at a gRPC path: `grpc.health.v1.Health/Check`, with or without the leading
    /// slash (the HTTP/2 `:path` form), or `grpc.health.v1.Health.Check`.
    public func method(path: String) -> DynamicMethod? {
        var path = Substring(path)
        if path.first == "/" { path = path.dropFirst() }
        let separator = path.lastIndex(of: "/") ?? path.lastIndex(of: ".")
        guard let separator else { return nil }
        let serviceName = path[..<separator]
        let methodName = path[path.index(after: separator)...]
        guard !methodName.isEmpty, let service = service(named: String(serviceName)) else { return nil }
        return service.method(named: String(methodName))
    }

    static func stripDot(_ name: String) -> String {
        name.hasPrefix(".") ? String(name.dropFirst()) : name
    }
}
