// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Writes a namespace per service: its schema, and one nested enum per method naming the method's
/// input and output types, for the RPC layer to build typed handlers and clients on.
struct ServiceGenerator {
    let service: ServiceDescriptor
    let file: FileDescriptor
    let index: SchemaIndex
    let comments: CommentTable
    let path: [Int32]

    func generate(into printer: inout CodePrinter) {
        let fullName = file.package.isEmpty ? service.name : file.package + "." + service.name
        let swiftName = SwiftNaming.packagePrefix(file.package) + service.name
        var scope = IdentifierScope(reserved: ["name", "schema", "methods"])
        let methodNames = service.methods.map { scope.claim(SwiftNaming.typeName($0.name)) }
        printer.docComment(comments.text(for: path))
        printer.block("public enum \(swiftName)") { p in
            p.line("/// The fully-qualified service name used in request paths.")
            p.line("public static let name: Swift.String = \(SwiftNaming.stringLiteral(fullName))")
            p.line()
            for (offset, method) in service.methods.enumerated() {
                let input = index.message(method.inputType)!.swiftName
                let output = index.message(method.outputType)!.swiftName
                let kind = ProtoWireCallKind(client: method.clientStreaming, server: method.serverStreaming)
                p.docComment(comments.text(for: path + [2, Int32(offset)]))
                p.block("public enum \(methodNames[offset])") { p in
                    p.line("public typealias Input = \(input)")
                    p.line("public typealias Output = \(output)")
                    p.line("public static let schema = ProtoWire.MethodSchema(")
                    p.line("    service: \(SwiftNaming.stringLiteral(fullName)),")
                    p.line("    name: \(SwiftNaming.stringLiteral(method.name)),")
                    p.line("    kind: .\(kind),")
                    p.line("    inputType: \(SwiftNaming.stringLiteral(SchemaIndex.strip(method.inputType))),")
                    p.line("    outputType: \(SwiftNaming.stringLiteral(SchemaIndex.strip(method.outputType)))")
                    p.line(")")
                }
                p.line()
            }
            p.line("/// The service and every method it declares, in declaration order.")
            p.line("public static let schema = ProtoWire.ServiceSchema(")
            p.line("    name: \(SwiftNaming.stringLiteral(fullName)),")
            p.line("    methods: [\(methodNames.map { "\($0).schema" }.joined(separator: ", "))]")
            p.line(")")
        }
    }
}

private func ProtoWireCallKind(client: Bool, server: Bool) -> String {
    switch (client, server) {
    case (false, false): "unary"
    case (true, false): "clientStreaming"
    case (false, true): "serverStreaming"
    case (true, true): "bidirectionalStreaming"
    }
}

/// Comments from `SourceCodeInfo`, looked up by descriptor path.
struct CommentTable {
    private var byPath: [[Int32]: String] = [:]

    init(file: FileDescriptor) {
        for location in file.locations {
            var text = location.leadingComments
            if !location.trailingComments.isEmpty {
                text += (text.isEmpty ? "" : "\n") + location.trailingComments
            }
            if !text.isEmpty { byPath[location.path] = text }
        }
    }

    func text(for path: [Int32]) -> String { byPath[path] ?? "" }
}
