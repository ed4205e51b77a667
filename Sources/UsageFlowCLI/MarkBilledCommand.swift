// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Contracts
import ProtoDynamic
import ProtoWire
import RPCCore
import RPCHTTP2Transport
import UsageFlowServer
import WellKnownTypes

/// `usageflow reseller records mark-billed`: marks records billed with the reseller's own billing
/// ids, one from flags (`--record FILE_ID/RECORD_ID --billing-id X [--note N]`) or many from a CSV
/// file (`--in marks.csv`), and prints one line per record with what became of it.
///
/// A list longer than one call takes (1,000 marks) goes in consecutive calls; each mark succeeds
/// or fails on its own, so the command reports every one and exits 1 when any failed. Without
/// these flags the command is the generic one (`--data`, field flags), which this one extends.
enum MarkBilledCommand {
    static let path = CommandPath(role: "reseller", resource: "records", verb: "mark-billed")
    /// The most marks one MarkRecordsBilled call takes.
    static let marksPerCall = 1000

    static let help = """
        usageflow reseller records mark-billed --record FILE_ID/RECORD_ID --billing-id ID [--note TEXT]
        usageflow reseller records mark-billed --in marks.csv

        Marks approved or closed records of your customers billed with your own billing id and
        note. The distributor's status of the record does not change; marking a record again with
        the same billing id changes nothing, another id is refused (ALREADY_EXISTS).

        --in reads a CSV file (--in - reads standard input) with a header row and the columns
        file_id, record_id (or one column record holding FILE_ID/RECORD_ID), external_billing_id
        and optionally external_billing_note; more than 1,000 rows go in several calls.

        Prints one line per record: FILE_ID/RECORD_ID, then OK and the billing id, or the status
        and why. With --json: the replies as proto3 JSON. Exit status 0 when every record is
        marked, 1 when any is not or the server refused the call.

        \(ClientOptions.help)

        """

    /// Whether `arguments` (after the verb) use this command's own flags or ask for its help.
    static func handles(_ arguments: [String]) -> Bool {
        arguments.contains { argument in
            ["--record", "--in", "--billing-id", "--help", "-h"].contains(argument) || argument.hasPrefix("--record=")
                || argument.hasPrefix("--in=") || argument.hasPrefix("--billing-id=")
        }
    }

    static func run(
        _ arguments: [String], catalog: CommandCatalog, environment: [String: String]
    ) async throws(CommandFailure) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            Console.out(help)
            return 0
        }
        guard let method = catalog.methods[path] else {
            throw .failed("the server's API has no MarkRecordsBilled for resellers")
        }
        let invocation = try ClientInvocation.parse(
            arguments, path: path, method: method, environment: environment, positionalField: nil,
            localFlags: ["--record", "--billing-id", "--note", "--in"])
        guard invocation.positionals.isEmpty else {
            throw .usage("unexpected argument \"\(invocation.positionals[0])\" (see --help)")
        }
        var marks: [Usageflow_V1_RecordBillingMark]
        do {
            marks = try Usageflow_V1_MarkRecordsBilledRequest(serializedBytes: invocation.request.serializedBytes()).records
        } catch {
            throw .usage("--data: \(error)")
        }
        marks += try self.marks(invocation.localValues)
        guard !marks.isEmpty else { throw .usage("name a record: --record FILE_ID/RECORD_ID --billing-id ID, or --in FILE") }

        let calls = stride(from: 0, to: marks.count, by: marksPerCall).map { start in
            var request = Usageflow_V1_MarkRecordsBilledRequest()
            request.records = Array(marks[start..<min(start + marksPerCall, marks.count)])
            return request
        }
        if invocation.options.dryRun {
            for request in calls {
                guard let message = try? DynamicMessage(schema: method.input, serializedBytes: request.serializedBytes()),
                    let json = try? message.jsonString(options: JSONEncodingOptions(pretty: true))
                else { return 2 }
                Console.out(json + "\n")
            }
            return 0
        }
        return await send(calls, method: method, options: invocation.options)
    }

    /// The marks the command's own flags name.
    static func marks(_ values: [String: String]) throws(CommandFailure) -> [Usageflow_V1_RecordBillingMark] {
        if let input = values["--in"] {
            if values["--record"] != nil || values["--billing-id"] != nil || values["--note"] != nil {
                throw .usage("--in takes the records, billing ids and notes from the file; drop --record, --billing-id and --note")
            }
            return try marks(csvAt: input)
        }
        guard let record = values["--record"] else {
            if values["--billing-id"] != nil || values["--note"] != nil {
                throw .usage("--billing-id and --note need --record FILE_ID/RECORD_ID")
            }
            return []
        }
        guard let billingID = values["--billing-id"] else { throw .usage("--record needs --billing-id") }
        return [try mark(record, billingID: billingID, note: values["--note"] ?? "", source: "--record")]
    }

    /// One mark from `FILE_ID/RECORD_ID`; the record id may hold slashes, a file id never does.
    static func mark(
        _ record: String, billingID: String, note: String, source: String
    ) throws(CommandFailure) -> Usageflow_V1_RecordBillingMark {
        guard let slash = record.firstIndex(of: "/"), slash != record.startIndex, record.index(after: slash) != record.endIndex
        else { throw .usage("\(source): expected FILE_ID/RECORD_ID, got \"\(record)\"") }
        var mark = Usageflow_V1_RecordBillingMark()
        mark.fileId = String(record[..<slash])
        mark.recordId = String(record[record.index(after: slash)...])
        mark.externalBillingId = billingID
        mark.externalBillingNote = note
        return mark
    }

    /// The marks of a CSV file with a header row.
    static func marks(csvAt path: String) throws(CommandFailure) -> [Usageflow_V1_RecordBillingMark] {
        let bytes: [UInt8]
        switch Console.readFile(path == "-" ? "/dev/stdin" : path) {
        case .success(let read): bytes = read
        case .failure(let failure): throw .usage("--in: cannot read \(path): \(failure.reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .usage("--in: \(path) is not UTF-8 text") }
        return try marks(csv: text, name: path)
    }

    static func marks(csv text: String, name: String) throws(CommandFailure) -> [Usageflow_V1_RecordBillingMark] {
        var rows = CSVRows.parse(text)
        guard !rows.isEmpty else { throw .usage("--in: \(name) is empty; expected a header row") }
        let header = rows.removeFirst().map { $0.trimmingSpaces.lowercased() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        let file = column("file_id")
        let record = column("record_id")
        let combined = column("record")
        guard let billing = column("external_billing_id"), (file != nil && record != nil) || combined != nil else {
            throw .usage(
                "--in: \(name) needs the columns file_id, record_id (or record) and external_billing_id; it has "
                    + header.joined(separator: ", "))
        }
        let note = column("external_billing_note")
        var marks: [Usageflow_V1_RecordBillingMark] = []
        for (index, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            func cell(_ column: Int?) -> String { column.flatMap { row.indices.contains($0) ? row[$0] : nil } ?? "" }
            if let file, let record {
                var mark = Usageflow_V1_RecordBillingMark()
                mark.fileId = cell(file)
                mark.recordId = cell(record)
                mark.externalBillingId = cell(billing)
                mark.externalBillingNote = cell(note)
                marks.append(mark)
            } else {
                marks.append(
                    try mark(cell(combined), billingID: cell(billing), note: cell(note), source: "--in: \(name) row \(index + 2)"))
            }
        }
        return marks
    }

    /// Sends each call in turn and prints every record's outcome; 0 when all were marked.
    static func send(
        _ calls: [Usageflow_V1_MarkRecordsBilledRequest], method: DynamicMethod, options: ClientOptions
    ) async -> Int32 {
        guard let transport = await ClientRunner.connect(options) else { return 1 }
        defer { transport.close() }
        var marked = 0
        var failed = 0
        for request in calls {
            let reply: [UInt8]
            do {
                let call = try await transport.openCall(
                    path: method.path, metadata: ClientRunner.metadata(options), timeout: options.timeout)
                try await call.send(request.serializedBytes())
                try await call.finishSending()
                var received: [UInt8]?
                while let message = try await call.receive() { received = message }
                let (status, trailers) = try await call.status()
                guard status.code == .ok, let received else { throw RPCError(status: status, trailers: trailers) }
                reply = received
            } catch {
                if marked + failed > 0 { Console.error("\(marked) marked billed, \(failed) not, before the call failed\n") }
                return ClientRunner.report(error, options: options)
            }
            if options.json {
                if let message = try? DynamicMessage(schema: method.output, serializedBytes: reply) {
                    Console.out(ClientRunner.render(message, json: true))
                }
            }
            guard let response = try? Usageflow_V1_MarkRecordsBilledResponse(serializedBytes: reply) else {
                Console.error("error: INTERNAL: cannot decode the reply as \(method.output.fullName)\n")
                return 1
            }
            for result in response.results {
                if result.status.code == 0 {
                    marked += 1
                } else {
                    failed += 1
                }
                if !options.json { Console.out(line(result)) }
            }
        }
        Console.error("\(marked) marked billed, \(failed) not\n")
        return failed == 0 ? 0 : 1
    }

    /// `FILE_ID/RECORD_ID  OK  billing-id (note)` or `FILE_ID/RECORD_ID  STATUS  message`.
    static func line(_ result: Usageflow_V1_RecordBillingResult) -> String {
        let record = "\(result.fileId)/\(result.recordId)"
        guard result.status.code != 0 else {
            let note = result.billing.externalBillingNote.isEmpty ? "" : " (\(result.billing.externalBillingNote))"
            return "\(record)\tOK\t\(result.billing.externalBillingId)\(note)\n"
        }
        return "\(record)\t\(Status.Code(rawValue: Int(result.status.code)))\t\(result.status.message)\n"
    }
}

/// RFC 4180 rows: fields separated by commas, quoted with double quotes (a doubled quote inside),
/// rows ended by CRLF or LF.
enum CSVRows {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\r": continue
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

extension String {
    /// Without leading and trailing spaces (a header written `file_id, record_id`).
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
