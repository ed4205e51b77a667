// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import ProtoDynamic
import UsageFlowServer

/// The top level of `usageflow`: picks the subcommand, or the role, resource and verb of a
/// client command, and prints help at whichever level `--help` appears.
enum UsageFlowCommand {
    static func run(_ arguments: [String], environment: [String: String]) async throws(CommandFailure) -> Int32 {
        guard let first = arguments.first else {
            Console.error(HelpText.topLevel(try CommandCatalog()))
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "serve": return try await ServeCommand.run(rest, environment: environment)
        case "init": return try await InitCommand.run(rest, environment: environment)
        case "events": return try await EventsCommand.runTopLevel(rest, environment: environment)
        case "help", "--help", "-h":
            Console.out(HelpText.topLevel(try CommandCatalog()))
            return 0
        case "commands":
            let catalog = try CommandCatalog()
            for (path, method) in catalog.all { Console.out("usageflow \(path)\t\(method.path)\n") }
            return 0
        default:
            return try await client(first, rest, environment: environment)
        }
    }

    /// `usageflow <role> <resource> <verb> [flags]`, with help at each level.
    private static func client(
        _ role: String, _ arguments: [String], environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        let catalog = try CommandCatalog()
        guard catalog.roles.contains(role) else {
            throw .usage("unknown command \"\(role)\"; commands: serve, init, commands, \(catalog.roles.joined(separator: ", ")) (see --help)")
        }
        let wantsHelp = { (argument: String?) in argument == nil || argument == "--help" || argument == "-h" }
        let resource = arguments.first
        if wantsHelp(resource) {
            let text = HelpText.role(role, catalog)
            if resource == nil {
                Console.error(text)
                return 2
            }
            Console.out(text)
            return 0
        }
        if role == "distributor", resource == "reconcile-stream" {
            return try await ReconcileStreamCommand.run(Array(arguments.dropFirst()), environment: environment)
        }
        if role == "distributor", resource == "reconcile" {
            return try await ReconcileCommand.run(Array(arguments.dropFirst()), environment: environment)
        }
        if role == "reseller", resource == "records", arguments.dropFirst().first == MarkBilledCommand.path.verb,
            MarkBilledCommand.handles(Array(arguments.dropFirst(2)))
        {
            return try await MarkBilledCommand.run(Array(arguments.dropFirst(2)), catalog: catalog, environment: environment)
        }
        if resource == "events", EventsCommand.handles(role: role, verb: arguments.dropFirst().first) {
            return try await EventsCommand.run(
                role: role, verb: "watch", Array(arguments.dropFirst(2)), environment: environment)
        }
        if let resource, ExportCommand.handles(role: role, resource: resource, verb: arguments.dropFirst().first) {
            return try await ExportCommand.run(
                role: role, resource: resource, Array(arguments.dropFirst(2)), catalog: catalog,
                environment: environment)
        }
        if resource == "files", FileCommand.handles(role: role) {
            return try await FileCommand.run(
                role: role, Array(arguments.dropFirst()), catalog: catalog, environment: environment)
        }
        guard let resource, catalog.resources(of: role).contains(resource) else {
            throw .usage("`\(role)` has no resource \"\(resource ?? "")\"; resources: \(catalog.resources(of: role).joined(separator: ", "))")
        }
        let verb = arguments.dropFirst().first
        if wantsHelp(verb) {
            let text = HelpText.resource(role, resource, catalog)
            if verb == nil {
                Console.error(text)
                return 2
            }
            Console.out(text)
            return 0
        }
        let path = CommandPath(role: role, resource: resource, verb: verb ?? "")
        guard let method = catalog.methods[path] else {
            let verbs = catalog.commands(of: role, resource: resource).map(\.path.verb).joined(separator: ", ")
            throw .usage("`\(role) \(resource)` has no command \"\(verb ?? "")\"; commands: \(verbs)")
        }
        let flags = Array(arguments.dropFirst(2))
        if flags.contains("--help") || flags.contains("-h") {
            Console.out(HelpText.command(path, method))
            return 0
        }
        let invocation = try ClientInvocation.parse(flags, path: path, method: method, environment: environment)
        return await ClientRunner.run(invocation)
    }
}
