// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Every message and enum of a descriptor set, by fully-qualified name, with the Swift facts the
/// generator needs about each: its Swift name, its module, and whether it needs boxed storage.
struct SchemaIndex {
    struct MessageInfo {
        let descriptor: MessageDescriptor
        let fullName: String  // without the leading dot
        let swiftName: String  // fully qualified Swift name
        let file: FileDescriptor
        var usesStorage = false
    }

    struct EnumInfo {
        let descriptor: EnumDescriptor
        let fullName: String
        let swiftName: String
        let file: FileDescriptor
        /// proto2 enums are closed: values the schema does not name are kept as unknown fields.
        var isClosed: Bool { !file.isProto3 }
    }

    /// Messages with more fields than this get copy-on-write storage so copies stay cheap.
    static let storageFieldThreshold = 32

    private(set) var messages: [String: MessageInfo] = [:]
    private(set) var enums: [String: EnumInfo] = [:]
    /// Module that holds the generated code for each proto file.
    let moduleOfFile: [String: String]

    init(files: [FileDescriptor], moduleOfFile: [String: String]) {
        self.moduleOfFile = moduleOfFile
        for file in files {
            let prefix = SwiftNaming.packagePrefix(file.package)
            let protoPrefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messages {
                register(message, fullName: protoPrefix + message.name, swiftName: prefix + message.name, file: file)
            }
            for enumDescriptor in file.enums {
                let fullName = protoPrefix + enumDescriptor.name
                enums[fullName] = EnumInfo(
                    descriptor: enumDescriptor, fullName: fullName, swiftName: prefix + enumDescriptor.name, file: file)
            }
        }
        decideStorage()
    }

    private mutating func register(_ message: MessageDescriptor, fullName: String, swiftName: String, file: FileDescriptor) {
        messages[fullName] = MessageInfo(descriptor: message, fullName: fullName, swiftName: swiftName, file: file)
        for nested in message.nestedMessages {
            register(
                nested, fullName: fullName + "." + nested.name,
                swiftName: swiftName + "." + SwiftNaming.typeName(nested.name), file: file)
        }
        for nested in message.enums {
            let nestedName = fullName + "." + nested.name
            enums[nestedName] = EnumInfo(
                descriptor: nested, fullName: nestedName,
                swiftName: swiftName + "." + SwiftNaming.typeName(nested.name), file: file)
        }
    }

    func message(_ typeName: String) -> MessageInfo? { messages[Self.strip(typeName)] }
    func enumInfo(_ typeName: String) -> EnumInfo? { enums[Self.strip(typeName)] }

    static func strip(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    /// Messages that hold another message inline (singular or oneof, not behind an array or a
    /// dictionary) form a graph; every message on a cycle of it, and every large message, gets a
    /// copy-on-write storage class so the value type has a finite size and cheap copies.
    private mutating func decideStorage() {
        var edges: [String: [String]] = [:]
        for (name, info) in messages {
            edges[name] = info.descriptor.fields.compactMap { field in
                guard field.label != .repeated, field.type == .message || field.type == .group else { return nil }
                return Self.strip(field.typeName)
            }
        }
        for name in Self.namesOnCycles(edges) { messages[name]?.usesStorage = true }
        for (name, info) in messages where info.descriptor.fields.count > Self.storageFieldThreshold {
            messages[name]?.usesStorage = true
        }
    }

    /// Tarjan's strongly connected components; returns the nodes of non-trivial components and
    /// self-loops.
    static func namesOnCycles(_ edges: [String: [String]]) -> Set<String> {
        var index = 0
        var indices: [String: Int] = [:]
        var lowlink: [String: Int] = [:]
        var stack: [String] = []
        var onStack: Set<String> = []
        var result: Set<String> = []

        func connect(_ node: String) {
            indices[node] = index
            lowlink[node] = index
            index += 1
            stack.append(node)
            onStack.insert(node)
            for next in edges[node] ?? [] where edges[next] != nil {
                if indices[next] == nil {
                    connect(next)
                    lowlink[node] = min(lowlink[node]!, lowlink[next]!)
                } else if onStack.contains(next) {
                    lowlink[node] = min(lowlink[node]!, indices[next]!)
                }
            }
            if lowlink[node] == indices[node] {
                var component: [String] = []
                while true {
                    let member = stack.removeLast()
                    onStack.remove(member)
                    component.append(member)
                    if member == node { break }
                }
                if component.count > 1 || (edges[node] ?? []).contains(node) {
                    result.formUnion(component)
                }
            }
        }
        for node in edges.keys.sorted() where indices[node] == nil { connect(node) }
        return result
    }
}
