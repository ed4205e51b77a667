// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Contracts
import Glibc
import ProtoWire
import ProtoDynamic
import RPCCore
import RPCHTTP2Transport
import UsageFlowServer

/// `usageflow distributor reconcile-stream --in closes.jsonl|.csv --cert client.pem --client-key
/// client.key`: streams closes through ReconciliationService.Reconcile as the distributor's
/// service identity and prints what became of them.
///
/// The closes go out while the results come back, so a large file runs at the stream's speed;
/// progress goes to standard error. The summary counts closes sent, closed now, unchanged
/// (replays) and failed by status, then lists the failed closes.
///
/// Exit status: 0 when every close succeeded (closed now or before); 1 when a close failed, the
/// stream ended with an error, or the connection failed; 2 for a usage error.
enum ReconcileStreamCommand {
    static let methodPath = "/usageflow.v1.ReconciliationService/Reconcile"

    static let help = """
        usageflow distributor reconcile-stream --in PATH --cert FILE --client-key FILE [--format jsonl|csv]

        Streams closes to ReconciliationService.Reconcile, authenticated by a service identity's
        client certificate (register it with `usageflow distributor identities create`). Each
        close names a record of any accepted usage file of the distributor and the billing id it
        was billed with. The input is JSON lines, one ReconcileRequest per line
        ({"file_id": …, "record_id": …, "external_billing_id": …, "external_billing_note": …}),
        or CSV with the columns file_id, record_id, external_billing_id and optionally
        external_billing_note; the format comes from the name (.jsonl, .json, .csv) or --format,
        and --in - reads standard input. Progress goes to standard error (--progress or
        --no-progress to choose). Prints how many closes were sent, closed, unchanged (closed
        before with the same id) and failed by status, then each failed close; with --json, one
        object with those counts and the failures.
        Exit status 0 when every close succeeded, 1 otherwise.

        \(ClientOptions.help)

        """

    static let usage = "usageflow distributor reconcile-stream --in PATH --cert FILE --client-key FILE (see --help)"

    static func run(_ arguments: [String], environment: [String: String]) async throws(CommandFailure) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            Console.out(help)
            return 0
        }
        let catalog = try CommandCatalog()
        guard let method = catalog.pool.method(path: methodPath) else {
            throw .failed("the embedded API descriptors lack \(methodPath)")
        }
        var invocation = try ClientInvocation.parse(
            arguments, path: CommandPath(role: "distributor", resource: "reconcile-stream", verb: ""), method: method,
            environment: environment, positionalField: nil, localFlags: ["--in", "--format"],
            localSwitches: ["--progress", "--no-progress"])
        guard invocation.positionals.isEmpty else {
            throw .usage("unexpected argument \"\(invocation.positionals[0])\"; usage: \(usage)")
        }
        guard let input = invocation.localValues["--in"], !input.isEmpty else {
            throw .usage("--in is required; usage: \(usage)")
        }
        let format = try Self.format(path: input, flag: invocation.localValues["--format"])
        let bytes: [UInt8]
        switch Console.readFile(input == "-" ? "/dev/stdin" : input) {
        case .success(let read): bytes = read
        case .failure(let failure): throw .usage("--in: cannot read \(input): \(failure.reason)")
        }
        let requests = try format == "csv" ? Self.csvRequests(bytes) : Self.jsonRequests(bytes, method: method)
        if !arguments.contains(where: { $0 == "--timeout" || $0.hasPrefix("--timeout=") }) {
            invocation.options.timeout = FileCommand.longTransferTimeout
        }
        if invocation.options.dryRun {
            Console.out("\(requests.count) close\(requests.count == 1 ? "" : "s") read from \(input); nothing sent\n")
            return 0
        }
        if invocation.options.certificatePath == nil && invocation.options.key == nil {
            Console.error("warning: no --cert/--client-key: the stream admits only a service identity's certificate\n")
        }
        let progress: Bool? = invocation.localValues["--no-progress"] != nil
            ? false : invocation.localValues["--progress"] != nil ? true : nil
        return await stream(requests, options: invocation.options, showProgress: progress ?? (isatty(2) == 1))
    }

    // MARK: Input

    /// `jsonl` or `csv`, from `--format` or the file name.
    static func format(path: String, flag: String?) throws(CommandFailure) -> String {
        if let flag {
            guard ["jsonl", "csv"].contains(flag.lowercased()) else {
                throw .usage("--format: expected jsonl or csv, got \"\(flag)\"")
            }
            return flag.lowercased()
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return "csv" }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") || lower.hasSuffix(".ndjson") { return "jsonl" }
        throw .usage("--in: cannot tell the format of \(path); name it .jsonl or .csv, or pass --format")
    }

    /// One request per non-blank line, each a ReconcileRequest in proto3 JSON, encoded.
    static func jsonRequests(_ bytes: [UInt8], method: DynamicMethod) throws(CommandFailure) -> [[UInt8]] {
        var requests: [[UInt8]] = []
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            guard let text = String(validating: line, as: UTF8.self) else {
                throw .usage("--in: line \(number + 1) is not UTF-8 text")
            }
            if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            var request = DynamicMessage(schema: method.input)
            do {
                try request.merge(jsonString: text)
            } catch {
                throw .usage("--in: line \(number + 1): \(error.message)")
            }
            requests.append(request.serializedBytes())
        }
        return requests
    }

    /// One request per data row of an RFC 4180 file whose header names the request's fields.
    static func csvRequests(_ bytes: [UInt8]) throws(CommandFailure) -> [[UInt8]] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .usage("--in: the CSV is not UTF-8") }
        var rows = StreamCSVRows(text)
        guard let header = rows.next() else { return [] }
        let names = header.map { $0.trimmingSpaces().lowercased() }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        guard let file = column("file_id"), let record = column("record_id"), let billing = column("external_billing_id")
        else {
            throw .usage("--in: the CSV header must name file_id, record_id and external_billing_id")
        }
        let note = column("external_billing_note")
        var requests: [[UInt8]] = []
        while let row = rows.next() {
            if row.count == 1 && row[0].isEmpty { continue }
            func cell(_ index: Int?) -> String { index.flatMap { $0 < row.count ? row[$0] : nil } ?? "" }
            var request = Usageflow_V1_ReconcileRequest()
            request.fileId = cell(file)
            request.recordId = cell(record)
            request.externalBillingId = cell(billing)
            request.externalBillingNote = cell(note)
            requests.append(request.serializedBytes())
        }
        return requests
    }

    // MARK: The stream

    /// Sends every request while reading the results; prints the summary and returns the status.
    static func stream(_ requests: [[UInt8]], options: ClientOptions, showProgress: Bool) async -> Int32 {
        guard let transport = await ClientRunner.connect(options) else { return 1 }
        defer { transport.close() }
        var tally = Tally(sent: requests.count)
        var progress = StreamProgress(total: requests.count, interactive: showProgress)
        do {
            let call = try await transport.openCall(
                path: methodPath, metadata: ClientRunner.metadata(options), timeout: options.timeout)
            // The sender is a child task: it ends once everything is sent, or when the call has
            // ended (a send waiting for room returns as soon as the call has a status).
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for request in requests { try await call.send(request) }
                        try await call.finishSending()
                    } catch {
                        // The call's status tells the reader what went wrong.
                        call.cancel()
                    }
                }
                do {
                    while let bytes = try await call.receive() {
                        tally.count(try Usageflow_V1_ReconcileResponse(serializedBytes: bytes))
                        progress.advance(answered: tally.answered)
                    }
                } catch {
                    call.cancel()
                    throw error
                }
            }
            let (status, trailers) = try await call.status()
            progress.finish(answered: tally.answered)
            guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
        } catch {
            progress.finish(answered: tally.answered)
            Console.out(tally.render(json: options.json))
            return ClientRunner.report(error, options: options)
        }
        Console.out(tally.render(json: options.json))
        if tally.answered != requests.count {
            Console.error("error: the server answered \(tally.answered) of \(requests.count) closes\n")
            return 1
        }
        return tally.failed.isEmpty ? 0 : 1
    }

    /// What the results said, close by close.
    struct Tally {
        let sent: Int
        var answered = 0
        var closed = 0
        var unchanged = 0
        /// Failed closes by status name.
        var failed: [String: Int] = [:]
        /// The failed closes themselves, in order, up to `failuresKept`.
        var failures: [(file: String, record: String, code: String, message: String)] = []

        static let failuresKept = 1000

        mutating func count(_ response: Usageflow_V1_ReconcileResponse) {
            answered += 1
            let code = Status.Code(rawValue: Int(response.status.code))
            if code == .ok {
                if response.changed { closed += 1 } else { unchanged += 1 }
                return
            }
            failed[code.description, default: 0] += 1
            if failures.count < Self.failuresKept {
                failures.append((response.fileId, response.recordId, code.description, response.status.message))
            }
        }

        func render(json: Bool) -> String {
            let failedTotal = failed.values.reduce(0, +)
            if json {
                let byStatus = failed.sorted { $0.key < $1.key }.map { "\(Self.quoted($0.key)): \($0.value)" }
                let list = failures.map { failure in
                    "{\"file_id\": \(Self.quoted(failure.file)), \"record_id\": \(Self.quoted(failure.record)), "
                        + "\"status\": \(Self.quoted(failure.code)), \"message\": \(Self.quoted(failure.message))}"
                }
                return "{\"sent\": \(sent), \"answered\": \(answered), \"closed\": \(closed), "
                    + "\"unchanged\": \(unchanged), \"failed\": \(failedTotal), "
                    + "\"failed_by_status\": {\(byStatus.joined(separator: ", "))}, "
                    + "\"failures\": [\(list.joined(separator: ", "))]}\n"
            }
            var text = "sent \(sent)\nclosed \(closed)\nunchanged \(unchanged)\nfailed \(failedTotal)\n"
            for (name, count) in failed.sorted(by: { $0.key < $1.key }) { text += "  \(name) \(count)\n" }
            if !failures.isEmpty {
                text += "\nfailed closes\(failedTotal > failures.count ? " (the first \(failures.count))" : ""):\n"
                for failure in failures {
                    text += "  \(failure.file) \(failure.record): \(failure.code): \(failure.message)\n"
                }
            }
            return text
        }

        /// A JSON string literal, escaped as the server's log lines are.
        static func quoted(_ text: String) -> String { JSONLine.quoted(text) }
    }

    /// Answered closes on standard error: redrawn in place on a terminal, a line a second else.
    ///
    /// Rates are for people to read, so they are binary floating point; counts are exact.
    struct StreamProgress {
        let total: Int
        let interactive: Bool
        private let clock = ContinuousClock()
        private let started: ContinuousClock.Instant
        private var lastDrawn: ContinuousClock.Instant?

        init(total: Int, interactive: Bool) {
            self.total = total
            self.interactive = interactive
            started = clock.now
        }

        mutating func advance(answered: Int) {
            let now = clock.now
            if let lastDrawn, now - lastDrawn < (interactive ? .milliseconds(100) : .seconds(1)) { return }
            lastDrawn = now
            draw(answered: answered, now: now, final: false)
        }

        func finish(answered: Int) {
            draw(answered: answered, now: clock.now, final: true)
        }

        private func draw(answered: Int, now: ContinuousClock.Instant, final: Bool) {
            let elapsed = now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Int(Double(answered) / seconds) : 0
            let line = "reconcile: \(answered) of \(total) closes answered (\(rate) closes/s)"
            if interactive {
                Console.error("\r\(line)" + (final ? "\n" : ""))
            } else if final || answered < total {
                Console.error(line + "\n")
            }
        }
    }
}

/// The rows of RFC 4180 text: fields split on commas, quoted fields with doubled quotes and line
/// breaks inside, CRLF or LF line ends.
private struct StreamCSVRows: IteratorProtocol {
    private var scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { index = 1 }
    }

    mutating func next() -> [String]? {
        guard index < scalars.count else { return nil }
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if quoted {
                if scalar == "\"" {
                    if index < scalars.count && scalars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                row.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where index < scalars.count && scalars[index] == "\n":
                break
            case "\n":
                row.append(String(field))
                return row
            default: field.append(scalar)
            }
        }
        row.append(String(field))
        return row
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
