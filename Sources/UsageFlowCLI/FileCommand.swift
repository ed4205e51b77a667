// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import ProtoDynamic
import UsageFlowServer

/// `usageflow vendor files …` and `usageflow distributor files …`: the usage-file commands under
/// the names people use for them.
///
/// Most verbs are aliases of the generic command of one RPC (same flags, same output), with the
/// file id as the bare argument. Three move bytes and have their own shape: `upload FILE_ID PATH`
/// streams a spreadsheet with a progress display, `processed FILE_ID` and `template PRODUCT_ID`
/// write a downloaded file.
enum FileCommand {
    /// One verb: the RPC it calls and the request field its bare argument fills.
    struct Verb {
        let name: String
        let method: String
        let positional: String?
        let summary: String
        var transfer: Transfer = .none

        enum Transfer {
            case none, upload, download
        }
    }

    static let verbs: [String: [Verb]] = [
        "vendor": [
            Verb(name: "create", method: "CreateUsageFile", positional: nil,
                 summary: "create a draft file: --product-id --contract-id --name --period-from --period-to"),
            Verb(name: "upload", method: "UploadUsageFile", positional: nil,
                 summary: "FILE_ID PATH [--format xlsx|csv]: send a workbook or CSV, then show the result",
                 transfer: .upload),
            Verb(name: "status", method: "GetUsageFile", positional: "id",
                 summary: "FILE_ID: status, counts and error detail"),
            Verb(name: "list", method: "ListUsageFiles", positional: nil,
                 summary: "your files (--status, --product-id…)"),
            Verb(name: "update", method: "UpdateUsageFile", positional: "id",
                 summary: "FILE_ID: change name, description, note or external id"),
            Verb(name: "records", method: "ListRecords", positional: "file_id",
                 summary: "FILE_ID [--status invalid]: records with every error"),
            Verb(name: "processed", method: "DownloadProcessedFile", positional: "file_id",
                 summary: "FILE_ID [--out PATH] [--format xlsx|csv]: the upload with status and errors columns",
                 transfer: .download),
            Verb(name: "template", method: "DownloadTemplate", positional: "product_id",
                 summary: "PRODUCT_ID [--out PATH] [--format xlsx|csv]: an empty usage file for a product",
                 transfer: .download),
            Verb(name: "submit", method: "SubmitUsageFile", positional: "id", summary: "FILE_ID: ready → pending"),
            Verb(name: "delete", method: "DeleteUsageFile", positional: "id", summary: "FILE_ID: delete the file"),
        ],
        "distributor": [
            Verb(name: "list", method: "ListUsageFiles", positional: nil,
                 summary: "files submitted to you (--status pending…)"),
            Verb(name: "status", method: "GetUsageFile", positional: "id", summary: "FILE_ID: status and counts"),
            Verb(name: "records", method: "ListRecords", positional: "file_id",
                 summary: "FILE_ID [--status …]: a submitted file's records"),
            Verb(name: "accept", method: "AcceptUsageFile", positional: "id",
                 summary: "FILE_ID [--note TEXT]: pending → accepted"),
            Verb(name: "reject", method: "RejectUsageFile", positional: "id",
                 summary: "FILE_ID --note TEXT: pending → rejected"),
        ],
    ]

    /// Whether `usageflow <role> files` exists.
    static func handles(role: String) -> Bool { verbs[role] != nil }

    static func run(
        role: String, _ arguments: [String], catalog: CommandCatalog, environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        let roleVerbs = verbs[role] ?? []
        let verbName = arguments.first
        if verbName == nil || verbName == "--help" || verbName == "-h" {
            let text = help(role: role, catalog: catalog)
            if verbName == nil {
                Console.error(text)
                return 2
            }
            Console.out(text)
            return 0
        }
        guard let verb = roleVerbs.first(where: { $0.name == verbName }) else {
            throw .usage("`\(role) files` has no command \"\(verbName ?? "")\"; commands: "
                + roleVerbs.map(\.name).joined(separator: ", "))
        }
        guard let (genericPath, method) = self.method(verb, role: role, catalog: catalog) else {
            throw .failed("the server's API has no \(verb.method) for \(role)s")
        }
        let path = CommandPath(role: role, resource: "files", verb: verb.name)
        let flags = Array(arguments.dropFirst())
        if flags.contains("--help") || flags.contains("-h") {
            Console.out(commandHelp(verb, role: role, genericPath: genericPath, method: method))
            return 0
        }

        switch verb.transfer {
        case .none:
            let invocation = try ClientInvocation.parse(
                flags, path: path, method: method, environment: environment, positionalField: verb.positional)
            try requirePositional(verb, invocation, role: role)
            return await ClientRunner.run(invocation)

        case .upload:
            var invocation = try ClientInvocation.parse(
                flags, path: path, method: method, environment: environment, positionalField: nil,
                localFlags: ["--format"], localSwitches: ["--progress", "--no-progress"])
            guard invocation.positionals.count == 2 else {
                throw .usage("usage: usageflow \(role) files upload FILE_ID PATH [--format xlsx|csv] (see --help)")
            }
            let fileID = invocation.positionals[0]
            let file = invocation.positionals[1]
            let format = try FileTransfer.format(path: file, flag: invocation.localValues["--format"])
            guard file == "-" || Console.isReadableFile(file) else {
                throw .usage("cannot read \(file)")
            }
            if !flags.contains(where: { $0 == "--timeout" || $0.hasPrefix("--timeout=") }) {
                invocation.options.timeout = longTransferTimeout
            }
            let progress: Bool? = invocation.localValues["--no-progress"] != nil
                ? false : invocation.localValues["--progress"] != nil ? true : nil
            return await FileTransfer.upload(
                fileID: fileID, path: file == "-" ? "/dev/stdin" : file, format: format,
                invocation: invocation, showProgress: progress)

        case .download:
            var invocation = try ClientInvocation.parse(
                flags, path: path, method: method, environment: environment, positionalField: verb.positional,
                localFlags: ["--out"])
            if !flags.contains(where: { $0 == "--timeout" || $0.hasPrefix("--timeout=") }) {
                invocation.options.timeout = longTransferTimeout
            }
            try requirePositional(verb, invocation, role: role)
            if let out = invocation.localValues["--out"], out.isEmpty {
                throw .usage("--out: must not be empty")
            }
            return await FileTransfer.download(invocation, out: invocation.localValues["--out"])
        }
    }

    /// Refuses a verb whose id (bare or as its flag) is missing, rather than sending a request the
    /// server can only answer with a complaint about an empty id.
    private static func requirePositional(
        _ verb: Verb, _ invocation: ClientInvocation, role: String
    ) throws(CommandFailure) {
        guard let field = verb.positional else { return }
        if (invocation.request[field]?.stringValue ?? "").isEmpty {
            let name = field == "product_id" ? "PRODUCT_ID" : "FILE_ID"
            throw .usage("usage: usageflow \(role) files \(verb.name) \(name) … (see --help)")
        }
    }

    /// Transfers of large files take longer than the 30-second default for other calls.
    static let longTransferTimeout: Duration = .seconds(3600)

    /// The RPC of a verb, found by name in the role's service, with its generic command path.
    private static func method(
        _ verb: Verb, role: String, catalog: CommandCatalog
    ) -> (CommandPath, DynamicMethod)? {
        catalog.methods.first { $0.key.role == role && $0.value.name == verb.method }.map { ($0.key, $0.value) }
    }

    static func help(role: String, catalog: CommandCatalog) -> String {
        var text = "usage: usageflow \(role) files <verb> [FILE_ID] [--field value …] [--json]\n\n"
        for verb in verbs[role] ?? [] where method(verb, role: role, catalog: catalog) != nil {
            text += "  " + verb.name + String(repeating: " ", count: max(1, 11 - verb.name.count)) + verb.summary + "\n"
        }
        text += "\nAdd --help to a command for its flags.\n"
        return text
    }

    private static func commandHelp(
        _ verb: Verb, role: String, genericPath: CommandPath, method: DynamicMethod
    ) -> String {
        var text = "usageflow \(role) files \(verb.name) — \(verb.summary)\n"
        switch verb.transfer {
        case .upload:
            text += """

                Streams the file in chunks through \(method.service.name).\(method.name) and prints the
                processed file (ready or invalid, with counts). The format comes from the name (.xlsx,
                .csv) or --format; PATH - reads standard input. Progress goes to standard error: a bar
                on a terminal, plain lines otherwise (--progress or --no-progress to choose).
                The call may take up to an hour unless --timeout says otherwise.

                \(ClientOptions.help)

                """
            return text
        case .download:
            text += """

                Writes the file to --out PATH (- for standard output), or under the name the server
                suggests in the current directory; a failed download leaves no partial file.

                """
        case .none:
            break
        }
        if let positional = verb.positional {
            text += "\nThe bare argument sets --\(positional.replacing("_", with: "-")).\n"
        }
        text += "Same as `usageflow \(genericPath)`:\n\n"
        text += HelpText.command(genericPath, method)
        return text
    }
}
