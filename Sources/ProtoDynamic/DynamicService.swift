// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// A service of a `DescriptorPool` and its methods.
///
/// The CLI lists these to offer one subcommand per RPC without a line of code per RPC.
public struct DynamicService: Sendable, Hashable {
    let storage: PoolStorage
    let index: Int

    var record: PoolStorage.ServiceRecord { storage.services[index] }

    /// The fully-qualified name, such as `grpc.health.v1.Health`.
    public var fullName: String { record.fullName }

    /// The last component of the name, such as `Health`.
    public var name: String {
        let fullName = record.fullName
        guard let dot = fullName.lastIndex(of: ".") else { return fullName }
        return String(fullName[fullName.index(after: dot)...])
    }

    /// The methods in declaration order.
    public var methods: [DynamicMethod] {
        record.methods.indices.map { DynamicMethod(storage: storage, serviceIndex: index, methodIndex: $0) }
    }

    /// The method with a name, such as `Check`.
    public func method(named name: String) -> DynamicMethod? {
        record.methods.firstIndex { $0.name == name }.map {
            DynamicMethod(storage: storage, serviceIndex: index, methodIndex: $0)
        }
    }

    /// The service as the RPC layer describes it.
    public var schema: ServiceSchema { ServiceSchema(name: fullName, methods: methods.map(\.schema)) }

    public static func == (lhs: DynamicService, rhs: DynamicService) -> Bool {
        lhs.storage === rhs.storage && lhs.index == rhs.index
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(index)
    }
}
