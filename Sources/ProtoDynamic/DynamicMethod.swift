// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// One RPC method: its name, its request and response types, and how many messages each side sends.
public struct DynamicMethod: Sendable, Hashable, CustomStringConvertible {
    let storage: PoolStorage
    let serviceIndex: Int
    let methodIndex: Int

    var record: PoolStorage.MethodRecord { storage.services[serviceIndex].methods[methodIndex] }

    /// The method name, such as `Check`.
    public var name: String { record.name }

    /// The service the method belongs to.
    public var service: DynamicService { DynamicService(storage: storage, index: serviceIndex) }

    /// The request message type.
    public var input: MessageSchema { MessageSchema(storage: storage, index: record.inputIndex) }

    /// The response message type.
    public var output: MessageSchema { MessageSchema(storage: storage, index: record.outputIndex) }

    public var clientStreaming: Bool { record.clientStreaming }
    public var serverStreaming: Bool { record.serverStreaming }

    public var kind: CallKind { CallKind(clientStreaming: clientStreaming, serverStreaming: serverStreaming) }

    /// The HTTP/2 `:path`: `/grpc.health.v1.Health/Check`.
    public var path: String { "/\(storage.services[serviceIndex].fullName)/\(name)" }

    /// The method as the RPC layer describes it, so a call can be made with the ordinary client.
    public var schema: MethodSchema {
        MethodSchema(
            service: storage.services[serviceIndex].fullName, name: name, kind: kind,
            inputType: input.fullName, outputType: output.fullName)
    }

    public var description: String { path }

    public static func == (lhs: DynamicMethod, rhs: DynamicMethod) -> Bool {
        lhs.storage === rhs.storage && lhs.serviceIndex == rhs.serviceIndex && lhs.methodIndex == rhs.methodIndex
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(serviceIndex)
        hasher.combine(methodIndex)
    }
}
