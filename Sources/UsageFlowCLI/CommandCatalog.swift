// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import ProtoDynamic
import ProtoWire
import UsageFlowServer

/// Every client command, derived from the embedded descriptors: one per RPC of the role services.
///
/// Nothing here names an RPC: a method added to a `.proto` file becomes a command with flags
/// for its request fields as soon as the descriptors are regenerated.
struct CommandCatalog {
    let pool: DescriptorPool
    /// Command → method, for every RPC of the role services.
    let methods: [CommandPath: DynamicMethod]
    /// Declaration order of each command's RPC, for listings that read like the `.proto` files.
    private let order: [CommandPath: Int]

    init() throws(CommandFailure) {
        let pool: DescriptorPool
        do {
            pool = try DescriptorPool(files: APIDescriptors.files)
        } catch {
            throw CommandFailure.failed("the embedded API descriptors do not load: \(error)")
        }
        var methods: [CommandPath: DynamicMethod] = [:]
        var order: [CommandPath: Int] = [:]
        for serviceSchema in APIDescriptors.services {
            guard let service = pool.service(named: serviceSchema.name) else {
                throw CommandFailure.failed("the embedded descriptors lack \(serviceSchema.name)")
            }
            for method in service.methods {
                guard let path = CommandPath(service: service.fullName, method: method.name) else {
                    throw CommandFailure.failed("\(method.path) has no command name")
                }
                if let other = methods[path] {
                    throw CommandFailure.failed("\(method.path) and \(other.path) both map to `\(path)`")
                }
                methods[path] = method
                order[path] = order.count
            }
        }
        self.pool = pool
        self.methods = methods
        self.order = order
    }

    /// The roles, in the order of `APIDescriptors.services`.
    var roles: [String] {
        APIDescriptors.services.compactMap { CommandPath.role(forService: $0.name) }
    }

    /// The resources of a role, sorted.
    func resources(of role: String) -> [String] {
        Array(Set(methods.keys.filter { $0.role == role }.map(\.resource))).sorted()
    }

    /// The commands of a role's resource, in declaration order.
    func commands(of role: String, resource: String) -> [(path: CommandPath, method: DynamicMethod)] {
        methods.filter { $0.key.role == role && $0.key.resource == resource }
            .map { (path: $0.key, method: $0.value) }
            .sorted { (order[$0.path] ?? 0) < (order[$1.path] ?? 0) }
    }

    /// Every command, sorted.
    var all: [(path: CommandPath, method: DynamicMethod)] {
        methods.map { (path: $0.key, method: $0.value) }.sorted { $0.path < $1.path }
    }
}
