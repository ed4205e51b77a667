// SPDX-License-Identifier: Apache-2.0
// Proves that the .proto files under Protos/ describe exactly the published gRPC and
// Google API definitions: our files and the official copies are both compiled with protoc,
// decoded to text format, normalized, and compared definition by definition.
//
// What is compared (for every message, nested message, enum and service in the file, plus the
// file header): names, field number/label/type/type_name/oneof_index (with the oneof's name)/
// proto3_optional/json_name/extendee/default_value, oneof names, nested types, enum values,
// reserved and extension ranges, methods (name, input/output type, client/server streaming),
// and the file's package, syntax and imports.
// Options are ignored except those that change meaning or wire format: deprecated, map_entry,
// packed and allow_alias. So java_*, go_package, csharp_namespace, objc_class_prefix and the like
// may differ; a missing or extra `[deprecated = true]` is reported. Comments and source info are
// never looked at (protoc is not asked for them).
// The match must be exact both ways: a definition only in our file or only in the official file
// is a difference.
//
// Needs protoc (Debian: protobuf-compiler) with its well-known types in the default include path,
// and the official gRPC protos (Debian: grpc-proto, /usr/share/grpc-proto). The environment
// variables PROTOC and GRPC_PROTO_INCLUDE override the two locations.

import Foundation
import Testing

// MARK: - Locations

/// Where the protos and tools used by these tests live.
enum ProtoLocations {
    /// Repository root, found from this file's path (Tests/ProtoDescriptorTests/<file>).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Our proto tree, used as protoc's -I for our files.
    static let ourProtos: URL = repositoryRoot.appendingPathComponent("Protos", isDirectory: true)

    /// The official gRPC proto tree shipped by Debian's grpc-proto package.
    static let officialGRPCProtos: URL = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["GRPC_PROTO_INCLUDE"] ?? "/usr/share/grpc-proto",
        isDirectory: true
    )

    /// Our gRPC files that have an official counterpart at the same path.
    static let grpcFiles: [String] = [
        "grpc/health/v1/health.proto",
        "grpc/reflection/v1/reflection.proto",
        "grpc/reflection/v1alpha/reflection.proto",
        "grpc/testing/empty.proto",
        "grpc/testing/messages.proto",
        "grpc/testing/test.proto",
        "grpc/testing/benchmark_service.proto",
    ]
}

// MARK: - protoc

/// Failure running protoc or reading its output.
struct ProtocError: Error, CustomStringConvertible {
    let description: String
}

/// Runs protoc to turn .proto files into text-format FileDescriptorSets.
enum Protoc {
    /// protoc from $PROTOC, else the first one on $PATH.
    static func executable() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PROTOC"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let searchPath = (environment["PATH"] ?? "") + ":/usr/bin:/usr/local/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("protoc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw ProtocError(description: "protoc not found on PATH; install it (apt-get install -y protobuf-compiler) or set PROTOC")
    }

    /// Runs protoc with `arguments` in `directory`, feeding `input` as stdin; returns stdout.
    /// stderr goes to a log in `scratch` (never into `directory`, which may be a proto tree).
    static func run(_ arguments: [String], in directory: URL, scratch: URL, input: URL? = nil) throws -> Data {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory

        let errorLog = scratch.appendingPathComponent("protoc-stderr-\(UUID().uuidString).txt")
        guard FileManager.default.createFile(atPath: errorLog.path, contents: nil) else {
            throw ProtocError(description: "cannot create \(errorLog.path)")
        }
        defer { try? FileManager.default.removeItem(at: errorLog) }
        let errorHandle = try FileHandle(forWritingTo: errorLog)
        defer { try? errorHandle.close() }

        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        if let input {
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }

        try process.run()
        // Drain stdout before waiting so a large descriptor dump cannot fill the pipe and stall protoc.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw ProtocError(
                description: "protoc \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(stderr)"
            )
        }
        return data
    }

    /// Compiles `file` (relative to `includeRoot`) with its imports and returns the set as text format.
    static func descriptorSetText(for file: String, includeRoot: URL) throws -> String {
        let workDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("proto-descriptor-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDirectory) }

        let binarySet = workDirectory.appendingPathComponent("set.pb")
        _ = try run(
            ["-I", includeRoot.path, "--include_imports", "--descriptor_set_out=\(binarySet.path)", file],
            in: includeRoot,
            scratch: workDirectory
        )
        let text = try run(
            ["--decode=google.protobuf.FileDescriptorSet", "google/protobuf/descriptor.proto"],
            in: workDirectory,
            scratch: workDirectory,
            input: binarySet
        )
        guard let decoded = String(data: text, encoding: .utf8) else {
            throw ProtocError(description: "protoc --decode output for \(file) is not UTF-8")
        }
        return decoded
    }
}

// MARK: - Text-format tree

/// One brace-delimited block of protobuf text format: an ordered list of `key: value` and `key { ... }` entries.
struct TextFormatNode: Sendable, Equatable {
    /// The value of one entry: a scalar token (strings keep their quotes) or a nested block.
    enum Value: Sendable, Equatable {
        case scalar(String)
        case message(TextFormatNode)
    }

    /// One `key: value` or `key { ... }` entry.
    struct Entry: Sendable, Equatable {
        let key: String
        let value: Value
    }

    var entries: [Entry] = []

    /// All nested blocks stored under `key`, in order.
    func messages(_ key: String) -> [TextFormatNode] {
        entries.compactMap { entry in
            guard entry.key == key, case .message(let node) = entry.value else { return nil }
            return node
        }
    }

    /// All scalars stored under `key`, in order.
    func scalars(_ key: String) -> [String] {
        entries.compactMap { entry in
            guard entry.key == key, case .scalar(let value) = entry.value else { return nil }
            return value
        }
    }

    /// The first scalar under `key`, without surrounding quotes.
    func string(_ key: String) -> String? {
        scalars(key).first.map(TextFormatNode.unquoted)
    }

    /// Removes the quotes protoc puts around string values (escapes are kept as written).
    static func unquoted(_ token: String) -> String {
        guard token.count >= 2, let first = token.first, first == "\"" || first == "'", token.last == first else {
            return token
        }
        return String(token.dropFirst().dropLast())
    }
}

/// Failure parsing protoc's text-format output.
struct TextFormatParseError: Error, CustomStringConvertible {
    let description: String
}

/// Parses protoc's text-format output into a `TextFormatNode` tree.
struct TextFormatParser {
    private let bytes: [UInt8]
    private var position = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses a whole text-format document.
    static func parse(_ text: String) throws -> TextFormatNode {
        var parser = TextFormatParser(text)
        let node = try parser.parseEntries(closer: nil)
        return node
    }

    private mutating func parseEntries(closer: UInt8?) throws -> TextFormatNode {
        var node = TextFormatNode()
        while true {
            skipTrivia()
            guard position < bytes.count else {
                if let closer {
                    throw TextFormatParseError(description: "missing '\(Character(Unicode.Scalar(closer)))' at end of input")
                }
                return node
            }
            if let closer, bytes[position] == closer {
                position += 1
                return node
            }
            let key = try readKey()
            skipTrivia()
            var sawColon = false
            if position < bytes.count, bytes[position] == UInt8(ascii: ":") {
                sawColon = true
                position += 1
                skipTrivia()
            }
            guard position < bytes.count else {
                throw TextFormatParseError(description: "missing value for '\(key)'")
            }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                node.entries.append(.init(key: key, value: .message(try parseEntries(closer: UInt8(ascii: "}")))))
            case UInt8(ascii: "<"):
                position += 1
                node.entries.append(.init(key: key, value: .message(try parseEntries(closer: UInt8(ascii: ">")))))
            default:
                guard sawColon else {
                    throw TextFormatParseError(description: "expected ':' or '{' after '\(key)' at byte \(position)")
                }
                node.entries.append(.init(key: key, value: .scalar(try readScalar())))
            }
            skipSeparators()
        }
    }

    private mutating func skipTrivia() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "#"):
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            default:
                return
            }
        }
    }

    private mutating func skipSeparators() {
        skipTrivia()
        while position < bytes.count, bytes[position] == UInt8(ascii: ",") || bytes[position] == UInt8(ascii: ";") {
            position += 1
            skipTrivia()
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "-"), UInt8(ascii: "+"):
            return true
        default:
            return false
        }
    }

    private mutating func readKey() throws -> String {
        // Extension keys look like [pkg.ext]; keep them whole.
        if bytes[position] == UInt8(ascii: "[") {
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "]") { position += 1 }
            guard position < bytes.count else {
                throw TextFormatParseError(description: "unterminated extension key at byte \(start)")
            }
            position += 1
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
        let start = position
        while position < bytes.count, Self.isWordByte(bytes[position]) { position += 1 }
        guard position > start else {
            throw TextFormatParseError(
                description: "unexpected '\(Character(Unicode.Scalar(bytes[start])))' at byte \(start)"
            )
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func readScalar() throws -> String {
        let start = position
        let first = bytes[position]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            position += 1
            while position < bytes.count, bytes[position] != first {
                position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard position < bytes.count else {
                throw TextFormatParseError(description: "unterminated string at byte \(start)")
            }
            position += 1
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
        while position < bytes.count, Self.isWordByte(bytes[position]) { position += 1 }
        guard position > start else {
            throw TextFormatParseError(description: "expected a value at byte \(start)")
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }
}

// MARK: - Normalized descriptors

/// The comparable content of one .proto file: every definition keyed by kind and full name,
/// each holding a sorted list of facts (one line per field, value, method, oneof, ...).
struct NormalizedProtoFile: Sendable, Equatable {
    /// File name as protoc reports it, e.g. "grpc/health/v1/health.proto".
    let name: String
    /// "file <name>", "message .pkg.Type", "enum .pkg.Type.Enum", "service .pkg.Service" → sorted facts.
    let definitions: [String: [String]]
}

/// Turns a decoded FileDescriptorSet into `NormalizedProtoFile`s.
enum DescriptorNormalizer {
    /// Options that change meaning or wire format; every other option is ignored.
    static let comparedOptions: Set<String> = ["deprecated", "map_entry", "packed", "allow_alias"]

    /// Normalizes the file called `fileName` inside a text-format FileDescriptorSet.
    static func normalize(descriptorSet text: String, fileName: String) throws -> NormalizedProtoFile {
        let set = try TextFormatParser.parse(text)
        guard let file = set.messages("file").first(where: { $0.string("name") == fileName }) else {
            let names = set.messages("file").compactMap { $0.string("name") }
            throw ProtocError(description: "\(fileName) not found in descriptor set (files: \(names))")
        }
        return normalize(file: file)
    }

    /// Normalizes one FileDescriptorProto block.
    static func normalize(file: TextFormatNode) -> NormalizedProtoFile {
        let name = file.string("name") ?? "<unnamed>"
        let package = file.string("package") ?? ""
        let scope = package.isEmpty ? "" : ".\(package)"
        var definitions: [String: [String]] = [:]
        var header: [String] = []

        for entry in file.entries {
            switch (entry.key, entry.value) {
            case ("name", _):
                continue
            // Top-level definitions get their own keys; listing them in the header too would only repeat that.
            case ("message_type", .message(let message)):
                addMessage(message, scope: scope, into: &definitions)
            case ("enum_type", .message(let enumeration)):
                addEnum(enumeration, scope: scope, into: &definitions)
            case ("service", .message(let service)):
                addService(service, scope: scope, into: &definitions)
            case ("extension", .message(let field)):
                header.append(fieldFact(field, keyword: "extension", oneofNames: []))
            case ("options", .message(let options)):
                header.append(contentsOf: optionFacts(options))
            case ("source_code_info", _):
                continue
            default:
                header.append(genericFact(entry))
            }
        }
        definitions["file \(name)"] = header.sorted()
        return NormalizedProtoFile(name: name, definitions: definitions)
    }

    private static func addMessage(_ message: TextFormatNode, scope: String, into definitions: inout [String: [String]]) {
        let fullName = "\(scope).\(message.string("name") ?? "?")"
        let oneofNames = message.messages("oneof_decl").map { $0.string("name") ?? "?" }
        var facts: [String] = []
        for entry in message.entries {
            switch (entry.key, entry.value) {
            case ("name", _):
                continue
            case ("field", .message(let field)):
                facts.append(fieldFact(field, keyword: "field", oneofNames: oneofNames))
            case ("extension", .message(let field)):
                facts.append(fieldFact(field, keyword: "extension", oneofNames: oneofNames))
            case ("nested_type", .message(let nested)):
                facts.append("nested_type \(nested.string("name") ?? "?")")
                addMessage(nested, scope: fullName, into: &definitions)
            case ("enum_type", .message(let nested)):
                facts.append("enum_type \(nested.string("name") ?? "?")")
                addEnum(nested, scope: fullName, into: &definitions)
            case ("oneof_decl", .message(let oneof)):
                var fact = "oneof \(oneof.string("name") ?? "?")"
                let options = oneof.messages("options").flatMap(optionFacts)
                if !options.isEmpty { fact += " [\(options.joined(separator: ", "))]" }
                facts.append(fact)
            case ("options", .message(let options)):
                facts.append(contentsOf: optionFacts(options))
            default:
                facts.append(genericFact(entry))
            }
        }
        definitions["message \(fullName)"] = facts.sorted()
    }

    private static func addEnum(_ enumeration: TextFormatNode, scope: String, into definitions: inout [String: [String]]) {
        let fullName = "\(scope).\(enumeration.string("name") ?? "?")"
        var facts: [String] = []
        for entry in enumeration.entries {
            switch (entry.key, entry.value) {
            case ("name", _):
                continue
            case ("value", .message(let value)):
                facts.append("value " + attributes(of: value, oneofNames: []))
            case ("options", .message(let options)):
                facts.append(contentsOf: optionFacts(options))
            default:
                facts.append(genericFact(entry))
            }
        }
        definitions["enum \(fullName)"] = facts.sorted()
    }

    private static func addService(_ service: TextFormatNode, scope: String, into definitions: inout [String: [String]]) {
        let fullName = "\(scope).\(service.string("name") ?? "?")"
        var facts: [String] = []
        for entry in service.entries {
            switch (entry.key, entry.value) {
            case ("name", _):
                continue
            case ("method", .message(let method)):
                facts.append("method " + attributes(of: method, oneofNames: []))
            case ("options", .message(let options)):
                facts.append(contentsOf: optionFacts(options))
            default:
                facts.append(genericFact(entry))
            }
        }
        definitions["service \(fullName)"] = facts.sorted()
    }

    /// "field <name>: json_name=..., label=..., number=..., ..." with every attribute protoc reported.
    private static func fieldFact(_ field: TextFormatNode, keyword: String, oneofNames: [String]) -> String {
        "\(keyword) " + attributes(of: field, oneofNames: oneofNames)
    }

    /// "<name>: key=value, ..." for a field, enum value or method: all scalars, compared options,
    /// oneof_index spelled with the oneof's name, and any other nested block flattened.
    private static func attributes(of node: TextFormatNode, oneofNames: [String]) -> String {
        var parts: [String] = []
        for entry in node.entries {
            switch (entry.key, entry.value) {
            case ("name", _):
                continue
            case ("oneof_index", .scalar(let index)):
                let oneofName = Int(index).flatMap { oneofNames.indices.contains($0) ? oneofNames[$0] : nil } ?? "?"
                parts.append("oneof_index=\(index)(\(oneofName))")
            case ("options", .message(let options)):
                parts.append(contentsOf: optionFacts(options))
            case (_, .scalar(let value)):
                parts.append("\(entry.key)=\(value)")
            case (_, .message(let nested)):
                parts.append("\(entry.key){\(flatten(nested))}")
            }
        }
        return "\(node.string("name") ?? "?"): " + parts.sorted().joined(separator: ", ")
    }

    /// Only the options in `comparedOptions`, as "option.<name>=<value>".
    private static func optionFacts(_ options: TextFormatNode) -> [String] {
        options.entries.compactMap { entry in
            guard comparedOptions.contains(entry.key), case .scalar(let value) = entry.value else { return nil }
            return "option.\(entry.key)=\(value)"
        }
    }

    /// Any entry the normalizer has no special rule for (reserved ranges, dependencies, syntax, ...).
    private static func genericFact(_ entry: TextFormatNode.Entry) -> String {
        switch entry.value {
        case .scalar(let value):
            return "\(entry.key)=\(value)"
        case .message(let node):
            return "\(entry.key){\(flatten(node))}"
        }
    }

    /// Compact one-line rendering of a block, options filtered like everywhere else.
    private static func flatten(_ node: TextFormatNode) -> String {
        node.entries.compactMap { entry -> String? in
            if entry.key == "options", case .message(let options) = entry.value {
                let kept = optionFacts(options)
                return kept.isEmpty ? nil : kept.joined(separator: " ")
            }
            return genericFact(entry)
        }.joined(separator: " ")
    }
}

// MARK: - Comparison

/// One way in which our file differs from the official one.
struct DescriptorDifference: Sendable, Equatable, CustomStringConvertible {
    enum Kind: String, Sendable {
        case onlyInOurs = "only in ours"
        case onlyInOfficial = "only in official"
        case changed = "differs"
    }

    let kind: Kind
    /// Definition key, e.g. "message .grpc.health.v1.HealthCheckRequest".
    let definition: String
    /// Facts present in our definition but not in the official one.
    let onlyInOurs: [String]
    /// Facts present in the official definition but not in ours.
    let onlyInOfficial: [String]

    var description: String {
        var text = "\(definition): \(kind.rawValue)"
        for fact in onlyInOurs { text += "\n    ours:     \(fact)" }
        for fact in onlyInOfficial { text += "\n    official: \(fact)" }
        return text
    }
}

/// Compares two normalized files; an empty result means they define exactly the same things.
enum DescriptorComparison {
    static func differences(ours: NormalizedProtoFile, official: NormalizedProtoFile) -> [DescriptorDifference] {
        var result: [DescriptorDifference] = []
        for key in Set(ours.definitions.keys).union(official.definitions.keys).sorted() {
            switch (ours.definitions[key], official.definitions[key]) {
            case (let mine?, nil):
                result.append(.init(kind: .onlyInOurs, definition: key, onlyInOurs: mine, onlyInOfficial: []))
            case (nil, let theirs?):
                result.append(.init(kind: .onlyInOfficial, definition: key, onlyInOurs: [], onlyInOfficial: theirs))
            case (let mine?, let theirs?) where mine != theirs:
                let mineSet = Set(mine)
                let theirSet = Set(theirs)
                result.append(
                    .init(
                        kind: .changed,
                        definition: key,
                        onlyInOurs: mine.filter { !theirSet.contains($0) },
                        onlyInOfficial: theirs.filter { !mineSet.contains($0) }
                    )
                )
            default:
                continue
            }
        }
        return result
    }

    /// Compiles `file` from both trees and compares the results.
    static func compare(file: String, oursRoot: URL, officialRoot: URL) throws -> [DescriptorDifference] {
        let ours = try DescriptorNormalizer.normalize(
            descriptorSet: Protoc.descriptorSetText(for: file, includeRoot: oursRoot),
            fileName: file
        )
        let official = try DescriptorNormalizer.normalize(
            descriptorSet: Protoc.descriptorSetText(for: file, includeRoot: officialRoot),
            fileName: file
        )
        return differences(ours: ours, official: official)
    }
}

// MARK: - Test helpers

/// A scratch copy of our Protos tree that a test may edit; call `remove()` when done.
struct ScratchProtoTree {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("proto-scratch-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.copyItem(at: ProtoLocations.ourProtos, to: root)
        } catch {
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    /// Replaces the single occurrence of `original` in `file` with `replacement`.
    func edit(_ file: String, replacing original: String, with replacement: String) throws {
        let url = root.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let occurrences = text.components(separatedBy: original).count - 1
        guard occurrences == 1 else {
            throw ProtocError(description: "expected exactly one '\(original)' in \(file), found \(occurrences)")
        }
        try text.replacingOccurrences(of: original, with: replacement).write(to: url, atomically: true, encoding: .utf8)
    }

    /// Deletes the scratch copy.
    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// Per-message field signatures ("label type name = number [...]") of one of our files, nested messages included.
func fieldSignatures(ofOurFile file: String, root: URL = ProtoLocations.ourProtos) throws -> [String: [String]] {
    let text = try Protoc.descriptorSetText(for: file, includeRoot: root)
    let set = try TextFormatParser.parse(text)
    guard let descriptor = set.messages("file").first(where: { $0.string("name") == file }) else {
        throw ProtocError(description: "\(file) not found in its own descriptor set")
    }
    var table: [String: [String]] = [:]
    func visit(_ message: TextFormatNode, scope: String) {
        let fullName = "\(scope).\(message.string("name") ?? "?")"
        let oneofs = message.messages("oneof_decl").map { $0.string("name") ?? "?" }
        table[fullName] = message.messages("field").map { field in
            let label = (field.string("label") ?? "?").replacingOccurrences(of: "LABEL_", with: "").lowercased()
            let type = field.string("type_name")
                ?? (field.string("type") ?? "?").replacingOccurrences(of: "TYPE_", with: "").lowercased()
            var signature = "\(label) \(type) \(field.string("name") ?? "?") = \(field.string("number") ?? "?")"
            var markers: [String] = []
            if field.string("proto3_optional") == "true" { markers.append("proto3_optional") }
            if let index = field.string("oneof_index").flatMap(Int.init), oneofs.indices.contains(index) {
                markers.append("oneof \(oneofs[index])")
            }
            if !markers.isEmpty { signature += " [\(markers.joined(separator: ", "))]" }
            return signature
        }
        for nested in message.messages("nested_type") {
            visit(nested, scope: fullName)
        }
    }
    let package = descriptor.string("package") ?? ""
    for message in descriptor.messages("message_type") {
        visit(message, scope: package.isEmpty ? "" : ".\(package)")
    }
    #expect(descriptor.messages("enum_type").isEmpty, "\(file) should define no top-level enums")
    #expect(descriptor.messages("service").isEmpty, "\(file) should define no services")
    return table
}

/// Field signatures of every message google/rpc/status.proto must define (googleapis google.rpc.Status).
let expectedStatusMessages: [String: [String]] = [
    ".google.rpc.Status": [
        "optional int32 code = 1",
        "optional string message = 2",
        "repeated .google.protobuf.Any details = 3",
    ]
]

/// Field signatures of every message google/rpc/error_details.proto must define (current googleapis revision).
let expectedErrorDetailsMessages: [String: [String]] = [
    ".google.rpc.ErrorInfo": [
        "optional string reason = 1",
        "optional string domain = 2",
        "repeated .google.rpc.ErrorInfo.MetadataEntry metadata = 3",
    ],
    ".google.rpc.ErrorInfo.MetadataEntry": [
        "optional string key = 1",
        "optional string value = 2",
    ],
    ".google.rpc.RetryInfo": [
        "optional .google.protobuf.Duration retry_delay = 1"
    ],
    ".google.rpc.DebugInfo": [
        "repeated string stack_entries = 1",
        "optional string detail = 2",
    ],
    ".google.rpc.QuotaFailure": [
        "repeated .google.rpc.QuotaFailure.Violation violations = 1"
    ],
    ".google.rpc.QuotaFailure.Violation": [
        "optional string subject = 1",
        "optional string description = 2",
        "optional string api_service = 3",
        "optional string quota_metric = 4",
        "optional string quota_id = 5",
        "repeated .google.rpc.QuotaFailure.Violation.QuotaDimensionsEntry quota_dimensions = 6",
        "optional int64 quota_value = 7",
        "optional int64 future_quota_value = 8 [proto3_optional, oneof _future_quota_value]",
    ],
    ".google.rpc.QuotaFailure.Violation.QuotaDimensionsEntry": [
        "optional string key = 1",
        "optional string value = 2",
    ],
    ".google.rpc.PreconditionFailure": [
        "repeated .google.rpc.PreconditionFailure.Violation violations = 1"
    ],
    ".google.rpc.PreconditionFailure.Violation": [
        "optional string type = 1",
        "optional string subject = 2",
        "optional string description = 3",
    ],
    ".google.rpc.BadRequest": [
        "repeated .google.rpc.BadRequest.FieldViolation field_violations = 1"
    ],
    ".google.rpc.BadRequest.FieldViolation": [
        "optional string field = 1",
        "optional string description = 2",
        "optional string reason = 3",
        "optional .google.rpc.LocalizedMessage localized_message = 4",
    ],
    ".google.rpc.RequestInfo": [
        "optional string request_id = 1",
        "optional string serving_data = 2",
    ],
    ".google.rpc.ResourceInfo": [
        "optional string resource_type = 1",
        "optional string resource_name = 2",
        "optional string owner = 3",
        "optional string description = 4",
    ],
    ".google.rpc.Help": [
        "repeated .google.rpc.Help.Link links = 1"
    ],
    ".google.rpc.Help.Link": [
        "optional string description = 1",
        "optional string url = 2",
    ],
    ".google.rpc.LocalizedMessage": [
        "optional string locale = 1",
        "optional string message = 2",
    ],
]

/// Lines of `actual` vs `expected` tables that differ, for readable failure messages.
func tableDifferences(actual: [String: [String]], expected: [String: [String]]) -> [String] {
    var lines: [String] = []
    for name in Set(actual.keys).union(expected.keys).sorted() {
        let mine = actual[name]
        let wanted = expected[name]
        if mine != wanted {
            lines.append("\(name): ours \(mine.map { "\($0)" } ?? "missing"), expected \(wanted.map { "\($0)" } ?? "missing")")
        }
    }
    return lines
}

// MARK: - Tests

@Suite("Our gRPC protos match the official definitions")
struct OfficialProtoComparisonTests {
    @Test("Definitions equal the official copy exactly", arguments: ProtoLocations.grpcFiles)
    func matchesOfficialDefinition(file: String) throws {
        let officialFile = ProtoLocations.officialGRPCProtos.appendingPathComponent(file)
        try #require(
            FileManager.default.fileExists(atPath: officialFile.path),
            "official copy \(officialFile.path) missing; apt-get install -y grpc-proto"
        )
        let ours = try DescriptorNormalizer.normalize(
            descriptorSet: Protoc.descriptorSetText(for: file, includeRoot: ProtoLocations.ourProtos),
            fileName: file
        )
        let official = try DescriptorNormalizer.normalize(
            descriptorSet: Protoc.descriptorSetText(for: file, includeRoot: ProtoLocations.officialGRPCProtos),
            fileName: file
        )
        // Guard against a vacuous pass: the file header plus at least one real definition.
        #expect(ours.definitions.count >= 2, "\(file) normalized to almost nothing: \(ours.definitions.keys.sorted())")
        let differences = DescriptorComparison.differences(ours: ours, official: official)
        #expect(
            differences.isEmpty,
            "\(file) differs from the official definition:\n\(differences.map(\.description).joined(separator: "\n"))"
        )
    }

    @Test("Every proto under Protos/grpc is covered by the comparison")
    func everyGRPCProtoIsCompared() throws {
        let grpcRoot = ProtoLocations.ourProtos.appendingPathComponent("grpc")
        let enumerator = try #require(FileManager.default.enumerator(atPath: grpcRoot.path))
        let found = enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".proto") }
            .map { "grpc/\($0)" }
            .sorted()
        #expect(found == ProtoLocations.grpcFiles.sorted())
    }

    @Test("Normalizer keeps the parts that are compared")
    func normalizerSeesDefinitions() throws {
        let health = try DescriptorNormalizer.normalize(
            descriptorSet: Protoc.descriptorSetText(for: "grpc/health/v1/health.proto", includeRoot: ProtoLocations.ourProtos),
            fileName: "grpc/health/v1/health.proto"
        )
        #expect(
            health.definitions.keys.sorted() == [
                "enum .grpc.health.v1.HealthCheckResponse.ServingStatus",
                "file grpc/health/v1/health.proto",
                "message .grpc.health.v1.HealthCheckRequest",
                "message .grpc.health.v1.HealthCheckResponse",
                "service .grpc.health.v1.Health",
            ]
        )
        #expect(
            health.definitions["message .grpc.health.v1.HealthCheckRequest"] == [
                "field service: json_name=\"service\", label=LABEL_OPTIONAL, number=1, type=TYPE_STRING"
            ]
        )
        #expect(
            health.definitions["service .grpc.health.v1.Health"] == [
                "method Check: input_type=\".grpc.health.v1.HealthCheckRequest\", output_type=\".grpc.health.v1.HealthCheckResponse\"",
                "method Watch: input_type=\".grpc.health.v1.HealthCheckRequest\", output_type=\".grpc.health.v1.HealthCheckResponse\", server_streaming=true",
            ]
        )
        #expect(
            health.definitions["enum .grpc.health.v1.HealthCheckResponse.ServingStatus"] == [
                "value NOT_SERVING: number=2",
                "value SERVICE_UNKNOWN: number=3",
                "value SERVING: number=1",
                "value UNKNOWN: number=0",
            ]
        )
    }

    @Test("Text-format parser handles nesting, quoting and both bracket styles")
    func parsesTextFormat() throws {
        let node = try TextFormatParser.parse(
            #"file { name: "a \"b\" {c}" options < deprecated: true > nested { x: -1, y: 2.5 } } tail: X"#
        )
        let file = try #require(node.messages("file").first)
        #expect(file.scalars("name") == [#""a \"b\" {c}""#])
        #expect(file.messages("options").first?.scalars("deprecated") == ["true"])
        #expect(file.messages("nested").first?.scalars("x") == ["-1"])
        #expect(file.messages("nested").first?.scalars("y") == ["2.5"])
        #expect(node.scalars("tail") == ["X"])
        #expect(throws: TextFormatParseError.self) { try TextFormatParser.parse("file { name: \"x\"") }
    }

    /// A deliberate edit to a scratch copy of our tree, and the definition the comparison must then flag.
    struct Mutation: Sendable, CustomTestStringConvertible {
        let file: String
        let original: String
        let replacement: String
        let expectedDefinition: String
        let expectedKind: DescriptorDifference.Kind
        var testDescription: String { "\(file): '\(original)' → '\(replacement)'" }
    }

    static let mutations: [Mutation] = [
        Mutation(
            file: "grpc/health/v1/health.proto", original: "string service = 1;", replacement: "string service = 2;",
            expectedDefinition: "message .grpc.health.v1.HealthCheckRequest", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/messages.proto", original: "int32 response_size = 2;",
            replacement: "int32 response_bytes = 2;",
            expectedDefinition: "message .grpc.testing.SimpleRequest", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/health/v1/health.proto", original: "SERVICE_UNKNOWN = 3;", replacement: "SERVICE_UNKNOWN = 4;",
            expectedDefinition: "enum .grpc.health.v1.HealthCheckResponse.ServingStatus", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/reflection/v1/reflection.proto", original: "string list_services = 7;",
            replacement: "bytes list_services = 7;",
            expectedDefinition: "message .grpc.reflection.v1.ServerReflectionRequest", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/messages.proto", original: "repeated int32 backoff_ms = 2;",
            replacement: "int32 backoff_ms = 2;",
            expectedDefinition: "message .grpc.testing.ReconnectInfo", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/messages.proto", original: "int32 timeout_sec = 2;",
            replacement: "int32 timeout_sec = 2 [json_name = \"timeout\"];",
            expectedDefinition: "message .grpc.testing.LoadBalancerStatsRequest", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/messages.proto", original: "map<string, int32> num_rpcs_started_by_method = 1 [deprecated = true];",
            replacement: "map<string, int32> num_rpcs_started_by_method = 1;",
            expectedDefinition: "message .grpc.testing.LoadBalancerAccumulatedStatsResponse", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/test.proto", original: "rpc FullDuplexCall(stream StreamingOutputCallRequest)",
            replacement: "rpc FullDuplexCall(StreamingOutputCallRequest)",
            expectedDefinition: "service .grpc.testing.TestService", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/benchmark_service.proto",
            original: "rpc StreamingFromServer(SimpleRequest) returns (stream SimpleResponse);",
            replacement: "rpc StreamingFromServer(SimpleRequest) returns (SimpleResponse);",
            expectedDefinition: "service .grpc.testing.BenchmarkService", expectedKind: .changed
        ),
        Mutation(
            file: "grpc/testing/messages.proto", original: "message LoadBalancerAccumulatedStatsRequest {}",
            replacement: "",
            expectedDefinition: "message .grpc.testing.LoadBalancerAccumulatedStatsRequest", expectedKind: .onlyInOfficial
        ),
        Mutation(
            file: "grpc/testing/empty.proto", original: "message Empty {}",
            replacement: "message Empty {}\nmessage Extra {}",
            expectedDefinition: "message .grpc.testing.Extra", expectedKind: .onlyInOurs
        ),
        Mutation(
            file: "grpc/reflection/v1alpha/reflection.proto", original: "option deprecated = true;", replacement: "",
            expectedDefinition: "file grpc/reflection/v1alpha/reflection.proto", expectedKind: .changed
        ),
    ]

    @Test("An altered copy is reported as different", arguments: OfficialProtoComparisonTests.mutations)
    func alteredCopyIsReported(mutation: Mutation) throws {
        let scratch = try ScratchProtoTree()
        defer { scratch.remove() }
        // The untouched scratch copy must still match, so the difference below comes from the edit alone.
        #expect(
            try DescriptorComparison.compare(
                file: mutation.file, oursRoot: scratch.root, officialRoot: ProtoLocations.officialGRPCProtos
            ).isEmpty
        )
        try scratch.edit(mutation.file, replacing: mutation.original, with: mutation.replacement)
        let differences = try DescriptorComparison.compare(
            file: mutation.file, oursRoot: scratch.root, officialRoot: ProtoLocations.officialGRPCProtos
        )
        #expect(!differences.isEmpty, "edit was not detected")
        let flagged = differences.first { $0.definition == mutation.expectedDefinition }
        #expect(flagged?.kind == mutation.expectedKind, "differences: \(differences)")
        #expect(differences.allSatisfy { $0.definition == mutation.expectedDefinition }, "unrelated differences: \(differences)")
    }
}

@Suite("google.rpc protos define exactly the googleapis messages")
struct GoogleRPCProtoTests {
    @Test("google/rpc/status.proto")
    func statusProto() throws {
        let table = try fieldSignatures(ofOurFile: "google/rpc/status.proto")
        let differences = tableDifferences(actual: table, expected: expectedStatusMessages)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test("google/rpc/error_details.proto")
    func errorDetailsProto() throws {
        let table = try fieldSignatures(ofOurFile: "google/rpc/error_details.proto")
        let differences = tableDifferences(actual: table, expected: expectedErrorDetailsMessages)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test("Package, imports and map entries")
    func fileHeaders() throws {
        for (file, dependency) in [
            ("google/rpc/status.proto", "google/protobuf/any.proto"),
            ("google/rpc/error_details.proto", "google/protobuf/duration.proto"),
        ] {
            let normalized = try DescriptorNormalizer.normalize(
                descriptorSet: Protoc.descriptorSetText(for: file, includeRoot: ProtoLocations.ourProtos),
                fileName: file
            )
            let header = try #require(normalized.definitions["file \(file)"])
            #expect(header.contains("package=\"google.rpc\""))
            #expect(header.contains("syntax=\"proto3\""))
            #expect(header.filter { $0.hasPrefix("dependency=") } == ["dependency=\"\(dependency)\""])
        }
        let details = try DescriptorNormalizer.normalize(
            descriptorSet: Protoc.descriptorSetText(for: "google/rpc/error_details.proto", includeRoot: ProtoLocations.ourProtos),
            fileName: "google/rpc/error_details.proto"
        )
        for entry in [".google.rpc.ErrorInfo.MetadataEntry", ".google.rpc.QuotaFailure.Violation.QuotaDimensionsEntry"] {
            #expect(details.definitions["message \(entry)"]?.contains("option.map_entry=true") == true, "\(entry)")
        }
    }

    @Test("A changed field number breaks the table")
    func alteredErrorDetailsIsReported() throws {
        let scratch = try ScratchProtoTree()
        defer { scratch.remove() }
        try scratch.edit("google/rpc/error_details.proto", replacing: "string reason = 3;", with: "string reason = 5;")
        let table = try fieldSignatures(ofOurFile: "google/rpc/error_details.proto", root: scratch.root)
        #expect(
            tableDifferences(actual: table, expected: expectedErrorDetailsMessages) == [
                ".google.rpc.BadRequest.FieldViolation: ours \(["optional string field = 1", "optional string description = 2", "optional string reason = 5", "optional .google.rpc.LocalizedMessage localized_message = 4"]), expected \(expectedErrorDetailsMessages[".google.rpc.BadRequest.FieldViolation"]!)"
            ]
        )
    }
}
