// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Glibc
import ProtoDynamic
import RPCCore
import RPCHTTP2Transport
import UsageFlowServer

/// `usageflow distributor reconcile --file PATH --usage-file UF-…`: uploads a reconciliation file
/// (XLSX or CSV) with a progress display, prints the reconciliation and then every row that
/// failed, so one command answers "what did my billing file close, and what not?".
///
/// Exit status: 0 when every row closed its record (now or before); 1 when the server refused
/// the call, or the reconciliation is invalid, failed, or has failed rows; 2 for a usage error.
enum ReconcileCommand {
    static let uploadMethod = "UploadReconciliationFile"
    static let rowsMethod = "ListReconciliationRows"

    static let help = """
        usageflow distributor reconcile --file PATH --usage-file FILE_ID [--format xlsx|csv]

        Uploads a reconciliation file for one accepted usage file: a sheet (XLSX: the one named
        records, else the first) or CSV file with the columns record_id, external_billing_id and
        optionally external_billing_note. Each row closes one record of the usage file with its
        billing id; a row that cannot fails on its own. Prints the reconciliation (status and
        counts), then each failed row with its row number and why. The format comes from the name
        (.xlsx, .csv) or --format; --file - reads standard input. Progress goes to standard error:
        a bar on a terminal, plain lines otherwise (--progress or --no-progress to choose). With
        --json: one object, {"reconciliation": …, "failed_rows": […]}.
        Exit status 0 when every row closed its record, 1 otherwise.

        \(ClientOptions.help)

        """

    static func run(_ arguments: [String], environment: [String: String]) async throws(CommandFailure) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            Console.out(help)
            return 0
        }
        let catalog = try CommandCatalog()
        guard let upload = method(uploadMethod, in: catalog), let rows = method(rowsMethod, in: catalog) else {
            throw .failed("the server's API has no \(uploadMethod) for distributors")
        }
        var invocation = try ClientInvocation.parse(
            arguments, path: CommandPath(role: "distributor", resource: "reconcile", verb: ""), method: upload,
            environment: environment, positionalField: nil, localFlags: ["--file", "--usage-file", "--format"],
            localSwitches: ["--progress", "--no-progress"])
        guard invocation.positionals.isEmpty else {
            throw .usage("unexpected argument \"\(invocation.positionals[0])\"; usage: \(usage)")
        }
        guard let file = invocation.localValues["--file"], !file.isEmpty else { throw .usage("--file is required; usage: \(usage)") }
        guard let fileID = invocation.localValues["--usage-file"], !fileID.isEmpty else {
            throw .usage("--usage-file is required; usage: \(usage)")
        }
        let format = try FileTransfer.format(path: file, flag: invocation.localValues["--format"])
        guard file == "-" || Console.isReadableFile(file) else { throw .usage("cannot read \(file)") }
        if !arguments.contains(where: { $0 == "--timeout" || $0.hasPrefix("--timeout=") }) {
            invocation.options.timeout = FileCommand.longTransferTimeout
        }
        let progress: Bool? = invocation.localValues["--no-progress"] != nil
            ? false : invocation.localValues["--progress"] != nil ? true : nil
        return await reconcile(
            usageFileID: fileID, path: file == "-" ? "/dev/stdin" : file, format: format, invocation: invocation,
            rowsMethod: rows, showProgress: progress)
    }

    static let usage = "usageflow distributor reconcile --file PATH --usage-file FILE_ID (see --help)"

    private static func method(_ name: String, in catalog: CommandCatalog) -> DynamicMethod? {
        catalog.methods.first { $0.key.role == "distributor" && $0.value.name == name }?.value
    }

    /// Sends the file, prints the reconciliation and its failed rows; returns the exit status.
    private static func reconcile(
        usageFileID: String, path: String, format: String, invocation: ClientInvocation, rowsMethod: DynamicMethod,
        showProgress: Bool?
    ) async -> Int32 {
        let options = invocation.options
        return await FileTransfer.send(
            fileID: usageFileID, path: path, format: format, invocation: invocation, showProgress: showProgress
        ) { reconciliation, progress, transport in
            await report(reconciliation, progress: &progress, transport: transport, rowsMethod: rowsMethod, options: options)
        }
    }

    /// Prints the reconciliation and its failed rows; returns the exit status.
    private static func report(
        _ reconciliation: DynamicMessage, progress: inout UploadProgress, transport: HTTP2ClientTransport,
        rowsMethod: DynamicMethod, options: ClientOptions
    ) async -> Int32 {
        let counts = reconciliation["counts"]?.messageValue
        let failedCount = counts?["failed"]?.integerValue ?? 0
        let status = statusName(reconciliation) ?? "done"
        progress.finish(records: counts?["rows"]?.integerValue ?? 0, status: status)

        var failedRows: [DynamicMessage] = []
        if failedCount > 0, let id = reconciliation["id"]?.stringValue {
            do {
                failedRows = try await self.failedRows(id, method: rowsMethod, transport: transport, options: options)
            } catch {
                Console.out(ClientRunner.render(reconciliation, json: options.json))
                return ClientRunner.report(error, options: options)
            }
        }
        if options.json {
            Console.out(json(reconciliation, failedRows))
        } else {
            Console.out(ClientRunner.render(reconciliation, json: false))
            if !failedRows.isEmpty {
                Console.out("\nfailed rows (\(failedRows.count)):\n")
                for row in failedRows { Console.out(line(row)) }
            }
        }
        return status == "completed" ? 0 : 1
    }

    /// Every failed row, page by page.
    private static func failedRows(
        _ reconciliationID: String, method: DynamicMethod, transport: HTTP2ClientTransport, options: ClientOptions
    ) async throws -> [DynamicMessage] {
        var rows: [DynamicMessage] = []
        var token = ""
        repeat {
            var request = DynamicMessage(schema: method.input)
            try request.set(path: "reconciliation_id", text: reconciliationID)
            try request.set(path: "failed_only", text: "true")
            try request.set(path: "page_size", text: "1000")
            if !token.isEmpty { try request.set(path: "page_token", text: token) }
            let call = try await transport.openCall(
                path: method.path, metadata: ClientRunner.metadata(options), timeout: options.timeout)
            try await call.send(request.serializedBytes())
            try await call.finishSending()
            let page = try await reply(from: call, as: method)
            if let field = page.schema.field(named: "rows") {
                rows += page.values(field).compactMap(\.messageValue)
            }
            token = page["next_page_token"]?.stringValue ?? ""
        } while !token.isEmpty
        return rows
    }

    /// The call's one reply, or the status it failed with.
    private static func reply(from call: any ClientCall, as method: DynamicMethod) async throws -> DynamicMessage {
        var last: [UInt8]?
        while let message = try await call.receive() { last = message }
        let (status, trailers) = try await call.status()
        guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
        guard let last else {
            throw RPCError(code: .internal, message: "the server sent no \(method.output.fullName)")
        }
        return try DynamicMessage(schema: method.output, serializedBytes: last)
    }

    /// `row 7  R-0009  NOT_FOUND: record R-0009 of usage file … not found`
    private static func line(_ row: DynamicMessage) -> String {
        let position = row["position"]?.integerValue ?? 0
        let recordID = row["record_id"]?.stringValue ?? ""
        let status = row["status"]?.messageValue
        let code = Int(status?["code"]?.integerValue ?? 0)
        let name = "\(Status.Code(rawValue: code))"
        let message = status?["message"]?.stringValue ?? ""
        return "row \(position)  \(recordID.isEmpty ? "(no record_id)" : recordID)  \(name): \(message)\n"
    }

    private static func json(_ reconciliation: DynamicMessage, _ rows: [DynamicMessage]) -> String {
        let options = JSONEncodingOptions(pretty: false)
        let body = (try? reconciliation.jsonString(options: options)) ?? "{}"
        let list = rows.map { (try? $0.jsonString(options: options)) ?? "{}" }.joined(separator: ", ")
        return "{\"reconciliation\": \(body), \"failed_rows\": [\(list)]}\n"
    }

    private static func statusName(_ message: DynamicMessage) -> String? {
        guard let field = message.schema.field(named: "status"), case .enumeration(let schema) = field.kind,
            let number = message.valueIfPresent(field)?.integerValue, let name = schema.name(for: Int32(number))
        else { return nil }
        return HelpText.shortName(name, of: schema)
    }
}
