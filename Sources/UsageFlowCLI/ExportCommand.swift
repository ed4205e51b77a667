// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Contracts
import Domain
import Glibc
import ProtoDynamic
import ProtoWire
import RPCCore
import UsageFlowServer
import UsageIngest
import WellKnownTypes

/// `usageflow distributor|reseller records export --format csv|xlsx|jsonl [--out FILE] [filters…]
/// [--resume]`: streams an export to a file batch by batch with progress on standard error, and
/// `usageflow distributor usage-files export FILE_ID --format xlsx|csv --out FILE` for a whole file.
///
/// Resuming: after each batch is written, the server's cursor and the output's length are saved
/// beside the output (`FILE.cursor`). `--resume` cuts the output back to that length (a batch
/// written but not yet recorded is dropped, never duplicated) and continues from the cursor. XLSX
/// cannot be appended to, so an XLSX export spools its rows (`FILE.rows`) and writes the workbook
/// from the spool once the export is complete; the spool is what resumes.
enum ExportCommand {
    static let recordsMethod = "ExportRecords"
    static let fileMethod = "ExportUsageFile"

    /// The flags that fill the request's filter, and the field each sets.
    static let filterFlags: [String: String] = [
        "--file-id": "file_id", "--product-id": "product_id", "--marketplace-id": "marketplace_id",
        "--period-from": "period_from", "--period-to": "period_to", "--reseller-id": "reseller_id",
        "--customer-id": "customer_id", "--subscription-id": "subscription_id", "--item-id": "item_id",
    ]

    static func help(role: String) -> String {
        """
        usageflow \(role) records export --format csv|xlsx|jsonl [--out FILE] [filters] [--resume]

        Exports usage records for billing, \(role == "reseller" ? "your customers' accepted records" : "accepted records of your files"),
        batch by batch: CSV and XLSX with one column per field, JSONL with one proto3 JSON
        ExportedRecord per line. Without --out, CSV and JSONL go to standard output.
        Progress (records, records/s) goes to standard error: one updating line on a terminal,
        plain lines otherwise (--progress or --no-progress to choose).

        filters (all optional, combined):
          --file-id UF-…  --product-id PRD-…  --marketplace-id MP-…  --item-id PRD-…-0001
          --subscription-id AS-…  --customer-id …  --reseller-id TA-…
          --period-from YYYY-MM-DD  --period-to YYYY-MM-DD   (record start times, inclusive)
          --status approved,closed\(role == "reseller" ? "" : ",rejected")   (default approved,closed)
          --batch-size N   records per streamed batch (1–1000, default 500)

        --resume continues an interrupted export into the same --out file from the cursor saved
        beside it (FILE.cursor), with the same filters; nothing is written twice.

        \(ClientOptions.help)

        """
    }

    /// Whether the command line is one of this command's.
    static func handles(role: String, resource: String?, verb: String?) -> Bool {
        guard verb == "export" else { return false }
        return (resource == "records" && (role == "distributor" || role == "reseller"))
            || (resource == "usage-files" && role == "distributor")
    }

    static func run(
        role: String, resource: String, _ arguments: [String], catalog: CommandCatalog, environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        let name = resource == "records" ? recordsMethod : fileMethod
        guard let method = catalog.methods.first(where: { $0.key.role == role && $0.value.name == name })?.value else {
            throw .failed("the server's API has no \(name) for \(role)s")
        }
        let path = CommandPath(role: role, resource: resource, verb: "export")
        if resource == "usage-files" {
            return try await usageFile(arguments, path: path, method: method, environment: environment)
        }
        if arguments.contains("--help") || arguments.contains("-h") {
            Console.out(help(role: role))
            return 0
        }
        var invocation = try ClientInvocation.parse(
            arguments, path: path, method: method, environment: environment, positionalField: nil,
            localFlags: Set(filterFlags.keys).union(["--format", "--out", "--status", "--batch-size"]),
            localSwitches: ["--resume", "--progress", "--no-progress"])
        guard invocation.positionals.isEmpty else {
            throw .usage("unexpected argument \"\(invocation.positionals[0])\" (see --help)")
        }
        let values = invocation.localValues
        guard let formatName = values["--format"], let format = Format(rawValue: formatName.lowercased()) else {
            throw .usage("--format is required: csv, xlsx or jsonl")
        }
        let out = values["--out"]
        if out?.isEmpty == true { throw .usage("--out: must not be empty") }
        let resume = values["--resume"] != nil
        if (format == .xlsx || resume) && out == nil {
            throw .usage(format == .xlsx ? "--out is required for xlsx" : "--resume needs the --out of the export")
        }
        var request = Usageflow_V1_ExportRecordsRequest()
        var filter = Usageflow_V1_RecordFilter()
        for (flag, field) in filterFlags {
            guard let value = values[flag] else { continue }
            switch field {
            case "file_id": filter.fileId = value
            case "product_id": filter.productId = value
            case "marketplace_id": filter.marketplaceId = value
            case "period_from": filter.periodFrom = value
            case "period_to": filter.periodTo = value
            case "reseller_id": filter.resellerId = value
            case "customer_id": filter.customerId = value
            case "subscription_id": filter.subscriptionId = value
            default: filter.itemId = value
            }
        }
        if let statuses = values["--status"] {
            for name in statuses.split(separator: ",").map({ $0.trimmingPrefix(" ").lowercased() }) {
                guard let status = statusNames[name] else {
                    throw .usage("--status: unknown status \"\(name)\"; statuses: approved, closed, rejected")
                }
                filter.statuses.append(status)
            }
        }
        request.filter = filter
        if let text = values["--batch-size"] {
            guard let size = Int32(text), size >= 1, size <= 1000 else {
                throw .usage("--batch-size: expected 1 to 1000, got \"\(text)\"")
            }
            request.batchSize = size
        }
        if invocation.options.dryRun {
            let message = try? DynamicMessage(schema: method.input, serializedBytes: request.serializedBytes())
            Console.out((try? message?.jsonString(options: JSONEncodingOptions(pretty: true))) ?? "{}")
            Console.out("\n")
            return 0
        }
        if !arguments.contains(where: { $0 == "--timeout" || $0.hasPrefix("--timeout=") }) {
            invocation.options.timeout = .seconds(86_400)
        }
        let progress: Bool? = values["--no-progress"] != nil ? false : values["--progress"] != nil ? true : nil
        let export = RecordsExport(
            role: role, format: format, out: out, resume: resume, request: request, method: method,
            options: invocation.options, interactive: progress ?? (isatty(2) == 1))
        return await export.run()
    }

    enum Format: String {
        case csv, xlsx, jsonl
    }

    static let statusNames: [String: Usageflow_V1_UsageRecordStatus] = [
        "approved": .approved, "closed": .closed, "rejected": .rejected, "valid": .valid, "invalid": .invalid,
    ]

    /// `usageflow distributor usage-files export FILE_ID --format xlsx|csv [--out FILE]`.
    private static func usageFile(
        _ arguments: [String], path: CommandPath, method: DynamicMethod, environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            Console.out(
                """
                usageflow distributor usage-files export FILE_ID [--format xlsx|csv] [--out FILE]

                Downloads a whole accepted or closed usage file: the upload's columns followed by
                item, subscription, customer, status and billing columns. XLSX unless --format csv;
                without --out, the file is saved under the server's name in the current directory.

                \(ClientOptions.help)

                """)
            return 0
        }
        var invocation = try ClientInvocation.parse(
            arguments, path: path, method: method, environment: environment, positionalField: "file_id",
            localFlags: ["--out"])
        if invocation.request["format"] == nil || invocation.request["format"]?.integerValue == 0 {
            try? invocation.request.set(path: "format", text: "xlsx")
        }
        if (invocation.request["file_id"]?.stringValue ?? "").isEmpty {
            throw .usage("usage: usageflow distributor usage-files export FILE_ID [--format xlsx|csv] [--out FILE]")
        }
        if !arguments.contains(where: { $0 == "--timeout" || $0.hasPrefix("--timeout=") }) {
            invocation.options.timeout = FileCommand.longTransferTimeout
        }
        if let out = invocation.localValues["--out"], out.isEmpty { throw .usage("--out: must not be empty") }
        return await FileTransfer.download(invocation, out: invocation.localValues["--out"])
    }
}
