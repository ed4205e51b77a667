// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Contracts
import Domain
import ProtoDynamic
import ProtoWire
import RPCCore
import RPCHTTP2Transport
import UsageFlowServer
import WellKnownTypes

/// `usageflow <role> events watch` and `usageflow events watch|list --role ROLE`: a tenant's audit
/// trail, printed one line per event as each arrives.
///
/// The generic command of a server-streaming RPC prints the replies when the call ends, and gives
/// up after `--timeout`; a watch never ends by itself, so this one prints every event at once, has
/// no timeout unless one is given, and resumes after the last position it printed when the
/// connection drops (the server sends each event exactly once after a position, so nothing is
/// missed or repeated). `--after-position` resumes a watch an earlier run printed.
enum EventsCommand {
    static let roles = ["vendor", "distributor", "reseller"]

    static let help = """
        usageflow events watch --role ROLE [--after-position N] [--object-types TYPE]... [--max-events N]
        usageflow events list --role ROLE [--after-position N] [--object-types TYPE]... [--object-id ID] [--page-size N]
        usageflow ROLE events watch …   (the same, with the role first)

        Watch prints the caller's events after a position (0: from the oldest), then each new one as
        it commits, one line per event (with --json, one JSON object per line), until interrupted or
        --max-events have been printed; a dropped connection is resumed after the last event printed.
        ROLE is vendor, distributor or reseller, the role of the key. Object types: \(
            EventObjectType.allCases.map(\.rawValue).joined(separator: ", ")).

        """ + ClientOptions.help + "\n"

    /// `usageflow events …`: the verb, then flags with `--role`.
    static func runTopLevel(
        _ arguments: [String], environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        let verb = arguments.first
        if verb == nil || verb == "--help" || verb == "-h" {
            verb == nil ? Console.error(help) : Console.out(help)
            return verb == nil ? 2 : 0
        }
        var flags = Array(arguments.dropFirst())
        var role: String?
        if let index = flags.firstIndex(where: { $0 == "--role" || $0.hasPrefix("--role=") }) {
            if flags[index] == "--role" {
                guard index + 1 < flags.count else { throw .usage("--role: expected vendor, distributor or reseller") }
                role = flags[index + 1]
                flags.removeSubrange(index...(index + 1))
            } else {
                role = String(flags[index].dropFirst("--role=".count))
                flags.remove(at: index)
            }
        } else if let value = environment["USAGEFLOW_ROLE"], !value.isEmpty {
            role = value
        }
        guard let role else {
            if flags.contains("--help") || flags.contains("-h") {
                Console.out(help)
                return 0
            }
            throw .usage("events: --role vendor|distributor|reseller is required (or USAGEFLOW_ROLE)")
        }
        guard roles.contains(role) else {
            throw .usage("--role: expected vendor, distributor or reseller, got \"\(role)\"")
        }
        return try await run(role: role, verb: verb ?? "", flags, environment: environment)
    }

    /// Whether `usageflow <role> events <verb>` is this command's (only `watch`; `list` is generic).
    static func handles(role: String, verb: String?) -> Bool { roles.contains(role) && verb == "watch" }

    static func run(
        role: String, verb: String, _ flags: [String], environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        let catalog = try CommandCatalog()
        let path = CommandPath(role: role, resource: "events", verb: verb)
        guard verb == "watch" || verb == "list", let method = catalog.methods[path] else {
            throw .usage("events has no command \"\(verb)\"; commands: watch, list")
        }
        if flags.contains("--help") || flags.contains("-h") {
            Console.out(help)
            return 0
        }
        var invocation = try ClientInvocation.parse(
            flags, path: path, method: method, environment: environment, positionalField: nil,
            localFlags: verb == "watch" ? ["--max-events"] : [])
        guard invocation.positionals.isEmpty else {
            throw .usage("unexpected argument \"\(invocation.positionals[0])\" for `usageflow \(path)` (see --help)")
        }
        if verb == "list" { return await ClientRunner.run(invocation) }
        var maxEvents: Int?
        if let text = invocation.localValues["--max-events"] {
            guard let value = Int(text), value > 0 else {
                throw .usage("--max-events: expected a positive whole number, got \"\(text)\"")
            }
            maxEvents = value
        }
        let explicitTimeout = flags.contains { $0 == "--timeout" || $0.hasPrefix("--timeout=") }
        if invocation.options.dryRun { return await ClientRunner.run(invocation) }
        invocation.options.dryRun = false
        return await watch(
            invocation, timeout: explicitTimeout ? invocation.options.timeout : nil, maxEvents: maxEvents)
    }

    /// Streams and prints; returns the exit status.
    private static func watch(_ invocation: ClientInvocation, timeout: Duration?, maxEvents: Int?) async -> Int32 {
        let options = invocation.options
        var request: Usageflow_V1_WatchEventsRequest
        do {
            request = try Usageflow_V1_WatchEventsRequest(serializedBytes: invocation.request.serializedBytes())
        } catch {
            Console.error("usageflow: cannot build the request: \(error)\n")
            return 2
        }
        var printed = 0
        var everConnected = false
        while true {
            guard let transport = await ClientRunner.connect(options) else {
                // The first connection failing is an error; a lost one is retried.
                if !everConnected { return 1 }
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            everConnected = true
            do {
                defer { transport.close() }
                let call = try await transport.openCall(
                    path: invocation.method.path, metadata: ClientRunner.metadata(options), timeout: timeout)
                try await call.send(request.serializedBytes())
                try await call.finishSending()
                while let bytes = try await call.receive() {
                    let event = try Usageflow_V1_Event(serializedBytes: bytes)
                    Console.out(line(event, bytes: bytes, method: invocation.method, json: options.json))
                    request.afterPosition = event.position
                    printed += 1
                    if let maxEvents, printed >= maxEvents {
                        call.cancel()
                        return 0
                    }
                }
                let (status, trailers) = try await call.status()
                guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
                return 0
            } catch let error as RPCError where error.code != .unavailable {
                return ClientRunner.report(error, options: options)
            } catch {
                Console.error(
                    "usageflow: connection lost (\(error)); resuming after position \(request.afterPosition)\n")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// One event as one line: readable, or compact proto3 JSON.
    static func line(_ event: Usageflow_V1_Event, bytes: [UInt8], method: DynamicMethod, json: Bool) -> String {
        if json, let message = try? DynamicMessage(schema: method.output, serializedBytes: bytes),
            let text = try? message.jsonString(options: JSONEncodingOptions())
        {
            return text + "\n"
        }
        let at = Timestamp(microsecondsSinceEpoch: event.at.seconds * 1_000_000 + Int64(event.at.nanos / 1000))
        let from = event.from.isEmpty ? "(new)" : event.from
        let reason = event.reason.isEmpty ? "" : ": \(event.reason)"
        return "\(event.position)\t\(at)\t\(event.objectType)\t\(event.objectId)\t\(from) → \(event.to)\t"
            + "by \(event.actor)\(reason)\n"
    }
}
