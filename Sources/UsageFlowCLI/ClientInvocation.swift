// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import ProtoDynamic
import UsageFlowServer

/// One client command line, read: which RPC, the request built from `--data` and field flags,
/// and the connection and output options.
struct ClientInvocation {
    let path: CommandPath
    let method: DynamicMethod
    var request: DynamicMessage
    var options: ClientOptions
    /// Bare arguments, when the command reads them itself (`positionalField` nil).
    var positionals: [String] = []
    /// Values of the command's own flags (`localFlags`; a switch of `localSwitches` reads "true").
    var localValues: [String: String] = [:]

    /// Reads the arguments after `usageflow <role> <resource> <verb>`.
    ///
    /// `--data` is applied first, then the field flags in order, so flags refine a JSON body.
    /// A single bare argument sets the request's `id` field when it has one
    /// (`usageflow vendor items publish PRD-…-0001`); `positionalField` names another field for it,
    /// or nil to hand every bare argument to the caller. `localFlags` (taking a value) and
    /// `localSwitches` (taking none) are a command's own flags, beside the request's fields.
    static func parse(
        _ arguments: [String], path: CommandPath, method: DynamicMethod, environment: [String: String],
        positionalField: String? = "id", localFlags: Set<String> = [], localSwitches: Set<String> = []
    ) throws(CommandFailure) -> ClientInvocation {
        var options = ClientOptions()
        var serverText: (String, source: String)?
        var caPath: String?
        var data: String?
        var fieldFlags: [(flag: String, path: String, text: String)] = []
        var positionals: [String] = []
        var localValues: [String: String] = [:]

        var cursor = ArgumentCursor(arguments)
        do {
            while let argument = cursor.nextFlag() {
                switch argument {
                case "--server": serverText = (try cursor.value(for: argument), argument)
                case "--ca": caPath = try cursor.value(for: argument)
                case "--cert": options.certificatePath = try cursor.value(for: argument)
                case "--client-key": options.clientKeyPath = try cursor.value(for: argument)
                case "--h2c":
                    try cursor.noValue(for: argument)
                    options.cleartext = true
                case "--key":
                    options.key = try cursor.value(for: argument)
                    options.keyFromFlag = true
                case "--timeout":
                    let text = try cursor.value(for: argument)
                    guard let seconds = Int(text), seconds > 0, seconds <= 86_400 else {
                        throw CommandFailure.usage("--timeout: expected whole seconds from 1 to 86400, got \"\(text)\"")
                    }
                    options.timeout = .seconds(seconds)
                case "--json":
                    try cursor.noValue(for: argument)
                    options.json = true
                case "--dry-run":
                    try cursor.noValue(for: argument)
                    options.dryRun = true
                case "--data": data = try cursor.value(for: argument)
                case _ where localFlags.contains(argument): localValues[argument] = try cursor.value(for: argument)
                case _ where localSwitches.contains(argument):
                    try cursor.noValue(for: argument)
                    localValues[argument] = "true"
                default:
                    if argument.hasPrefix("--"), argument.count > 2 {
                        let fieldPath = String(argument.dropFirst(2))
                        let leaf = Self.leafField(fieldPath, in: method.input)
                        guard leaf != nil || Self.isMapEntryPath(fieldPath, in: method.input) else {
                            throw CommandFailure.usage("unknown flag \(argument) for `usageflow \(path)` (see --help)")
                        }
                        let text: String
                        if let leaf, case .bool = leaf.kind, !leaf.isRepeated, !cursor.hasInlineValue,
                            cursor.peek.map({ $0.hasPrefix("--") }) ?? true
                        {
                            text = "true"  // a bare boolean flag
                        } else {
                            text = try cursor.value(for: argument)
                        }
                        fieldFlags.append((argument, fieldPath, text))
                    } else if argument.hasPrefix("-"), argument != "-", Int(argument) == nil {
                        throw CommandFailure.usage("unknown flag \(argument) for `usageflow \(path)` (see --help)")
                    } else {
                        positionals.append(argument)
                    }
                }
            }
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw .usage("\(error)")
        }

        if serverText == nil, let value = environment["USAGEFLOW_SERVER"] { serverText = (value, "USAGEFLOW_SERVER") }
        if let (text, source) = serverText {
            guard let address = NetworkAddress(parsing: text) else {
                throw .usage("\(source): expected HOST:PORT such as 127.0.0.1:8443, got \"\(text)\"")
            }
            options.server = address
        }
        if options.key == nil, let key = environment["USAGEFLOW_KEY"], !key.isEmpty { options.key = key }
        if options.certificatePath == nil, let path = environment["USAGEFLOW_CERT"], !path.isEmpty {
            options.certificatePath = path
        }
        if options.clientKeyPath == nil, let path = environment["USAGEFLOW_CLIENT_KEY"], !path.isEmpty {
            options.clientKeyPath = path
        }
        switch (options.certificatePath, options.clientKeyPath) {
        case (nil, nil): break
        case (let certificate?, let key?):
            for (flag, path) in [("--cert", certificate), ("--client-key", key)] where !Console.isReadableFile(path) {
                throw .usage("\(flag): cannot read \(path)")
            }
        default: throw .usage("--cert and --client-key go together: a client certificate needs its key")
        }
        if !options.cleartext {
            if let explicit = caPath ?? environment["USAGEFLOW_CA"].flatMap({ $0.isEmpty ? nil : $0 }) {
                guard Console.isReadableFile(explicit) else {
                    let source = caPath != nil ? "--ca" : "USAGEFLOW_CA"
                    throw .usage("\(source): cannot read \(explicit)")
                }
                options.caPath = explicit
            } else if Console.isReadableFile(ClientOptions.defaultCA) {
                options.caPath = ClientOptions.defaultCA
            }
        }

        var request = DynamicMessage(schema: method.input)
        if let data {
            let json: String
            if data.hasPrefix("@") {
                json = try readText(String(data.dropFirst()), flag: "--data")
            } else {
                json = data
            }
            do {
                try request.merge(jsonString: json)
            } catch {
                throw .usage("--data: \(error.message)")
            }
        }
        if let positionalField, !positionals.isEmpty {
            guard positionals.count == 1, let idField = method.input.field(named: positionalField),
                case .string = idField.kind,
                !fieldFlags.contains(where: { leafField($0.path, in: method.input) == idField })
            else {
                throw .usage("unexpected argument \"\(positionals[0])\" for `usageflow \(path)` (see --help)")
            }
            fieldFlags.insert((positionalField, positionalField, positionals[0]), at: 0)
        }
        for (flag, fieldPath, text) in fieldFlags {
            do {
                try request.set(path: fieldPath, text: text)
            } catch {
                let problem = error.path.isEmpty ? error.message : String(error.message.dropFirst(error.path.count + 2))
                throw .usage("\(flag.hasPrefix("--") ? flag : "<\(flag)>"): \(problem)")
            }
        }
        return ClientInvocation(
            path: path, method: method, request: request, options: options,
            positionals: positionalField == nil ? positionals : [], localValues: localValues)
    }

    /// The field a flag path ends on (`capabilities.ppu` → `Capabilities.ppu`), for deciding
    /// whether a bare flag is a boolean; nil when a segment names no field.
    static func leafField(_ path: String, in schema: MessageSchema) -> FieldSchema? {
        var current = schema
        var field: FieldSchema?
        for rawSegment in path.split(separator: ".", omittingEmptySubsequences: false) {
            var segment = String(rawSegment)
            if let bracket = segment.firstIndex(of: "[") { segment = String(segment[..<bracket]) }
            if field != nil {
                guard let previous = field else { return nil }
                let valueKind = previous.isMap ? previous.mapValue?.kind : previous.kind
                guard case .message(let next) = valueKind else { return nil }
                current = next
            }
            guard let found = current.field(named: segment)
                ?? current.field(named: segment.replacing("-", with: "_"))
                ?? current.fields.first(where: { $0.name.lowercased() == segment.replacing("-", with: "_").lowercased() })
            else { return nil }
            field = found
        }
        return field
    }

    /// Whether the path names a map entry by key (`labels[env]`), whose leaf is the map itself.
    private static func isMapEntryPath(_ path: String, in schema: MessageSchema) -> Bool {
        guard path.hasSuffix("]"), let open = path.lastIndex(of: "[") else { return false }
        return leafField(String(path[..<open]), in: schema)?.isMap ?? false
    }

    private static func readText(_ file: String, flag: String) throws(CommandFailure) -> String {
        switch Console.readFile(file) {
        case .success(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw .usage("\(flag): \(file) is not UTF-8 text")
            }
            return text
        case .failure(let failure):
            throw .usage("\(flag): cannot read \(file): \(failure.reason)")
        }
    }
}
