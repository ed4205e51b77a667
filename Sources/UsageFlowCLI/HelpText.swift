// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import ProtoDynamic
import UsageFlowServer

/// The `--help` texts of every level, generated from the command catalog and the request schemas.
enum HelpText {
    static func topLevel(_ catalog: CommandCatalog) -> String {
        var text = """
            usage: usageflow <command> [flags]

            server:
              serve [flags] [--demo]          run the API server (see `usageflow serve --help`)
              init [--db PATH]                create a database and print a new operator key, once

            client (one command per RPC; the API key comes from USAGEFLOW_KEY):

            """
        for role in catalog.roles {
            let resources = catalog.resources(of: role).joined(separator: ", ")
            text += "  " + pad("\(role) <resource> <verb>", 32) + resources + "\n"
        }
        text += """
              commands                        every client command with its RPC

            `usageflow <role> --help` lists a role's commands; add --help to a command for its flags.

            """
        return text
    }

    static func role(_ role: String, _ catalog: CommandCatalog) -> String {
        var text = "usage: usageflow \(role) <resource> <verb> [--field value …] [--json]\n\n"
        for resource in catalog.resources(of: role) {
            let verbs = catalog.commands(of: role, resource: resource).map(\.path.verb).joined(separator: ", ")
            text += "  " + pad(resource, 16) + verbs + "\n"
        }
        if let fileVerbs = FileCommand.verbs[role] {
            text += "  " + pad("files", 16) + fileVerbs.map(\.name).joined(separator: ", ")
                + " (usage files; see `usageflow \(role) files --help`)\n"
        }
        if role == "distributor" {
            text += "  " + pad("reconcile", 16) + "--file PATH --usage-file FILE_ID (a reconciliation file, with "
                + "progress and the failed rows; see `usageflow distributor reconcile --help`)\n"
        }
        text += "\n`usageflow \(role) <resource> --help` shows each command's RPC; add --help to a command for its flags.\n"
        return text
    }

    static func resource(_ role: String, _ resource: String, _ catalog: CommandCatalog) -> String {
        var text = "usage: usageflow \(role) \(resource) <verb> [--field value …] [--json]\n\n"
        for (path, method) in catalog.commands(of: role, resource: resource) {
            text += "  " + pad(path.verb, 12) + "\(method.service.name).\(method.name)"
                + " (\(method.input.name) → \(method.output.name))\n"
        }
        text += "\nAdd --help to a command for its flags.\n"
        return text
    }

    static func command(_ path: CommandPath, _ method: DynamicMethod) -> String {
        var text = "usage: usageflow \(path) [--field value …] [--data JSON|@FILE] [--json]\n\n"
        text += "RPC \(method.path) (\(method.input.fullName) → \(method.output.fullName))\n\n"
        var lines: [(String, String)] = []
        collectFlags(method.input, prefix: "", depth: 0, into: &lines)
        if lines.isEmpty {
            text += "request fields: none\n"
        } else {
            text += "request fields:\n"
            let width = min(34, (lines.map(\.0.count).max() ?? 0) + 2)
            for (flag, type) in lines { text += "  " + pad(flag, width) + type + "\n" }
        }
        if method.input.field(named: "id") != nil {
            text += "\nThe id may also be given as the only argument: usageflow \(path) <id>\n"
        }
        text += "\nBooleans may be given bare (--flag) or with true/false; repeated fields repeat the flag;\n"
        text += "a repeated group starts a new element when a field of the last one is given again.\n\n"
        text += ClientOptions.help + "\n"
        return text
    }

    private static func collectFlags(_ schema: MessageSchema, prefix: String, depth: Int, into lines: inout [(String, String)]) {
        for field in schema.fields {
            let name = prefix + field.name.replacing("_", with: "-")
            if !field.isMap, case .message(let inner) = field.kind, !inner.fullName.hasPrefix("google.protobuf."), depth < 4 {
                let before = lines.count
                collectFlags(inner, prefix: name + ".", depth: depth + 1, into: &lines)
                if field.isRepeated {
                    for index in before..<lines.count { lines[index].1 += " (repeated group)" }
                }
                continue
            }
            lines.append(("--" + name, typeText(field)))
        }
    }

    static func typeText(_ field: FieldSchema) -> String {
        if field.isMap, let key = field.mapKey, let value = field.mapValue {
            return "KEY=VALUE (map<\(singularType(key)), \(singularType(value))>, repeatable)"
        }
        let base = singularType(field)
        return field.isRepeated ? base + " (repeatable)" : base
    }

    private static func singularType(_ field: FieldSchema) -> String {
        switch field.kind {
        case .enumeration(let schema):
            let names = schema.values.filter { $0.number != 0 }.map { shortName($0.name, of: schema) }
            return "one of " + names.joined(separator: ", ")
        case .message(let schema):
            switch schema.fullName {
            case "google.protobuf.Timestamp": return "timestamp (RFC 3339)"
            case "google.protobuf.Duration": return "duration (such as 1.5s)"
            default: return "JSON object (\(schema.fullName))"
            }
        case .bool: return "bool"
        case .string: return "string"
        case .bytes: return "bytes (base64)"
        case .int32, .sint32, .sfixed32: return "int32"
        case .int64, .sint64, .sfixed64: return "int64"
        case .uint32, .fixed32: return "uint32"
        case .uint64, .fixed64: return "uint64"
        case .float, .double: return "number"
        }
    }

    /// `PRECISION_DECIMAL_2` of `Precision` → `decimal-2`, as a person types it.
    static func shortName(_ name: String, of schema: EnumSchema) -> String {
        var prefix = ""
        for (index, character) in schema.name.enumerated() {
            if character.isUppercase && index > 0 { prefix += "_" }
            prefix += character.uppercased()
        }
        prefix += "_"
        let short = name.hasPrefix(prefix) && name.count > prefix.count ? String(name.dropFirst(prefix.count)) : name
        return short.lowercased().replacing("_", with: "-")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
