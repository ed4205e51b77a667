// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Foundation
import Testing

/// `usageflow vendor files …` and `usageflow distributor files …` through the built executable:
/// which RPC each verb calls and with what request (`--dry-run`), where the bare argument goes,
/// and how bad command lines are refused. The calls themselves run against a server in the
/// Python end-to-end suite (Tests/UsageFlowE2E/test_usage_*.py).
@Suite("CLI usage-file commands")
struct CLIUsageFileCommandTests {
    static func dryRun(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await ServerFixtures.run(arguments + ["--dry-run"])
        #expect(result.status == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
        return try #require(object as? [String: Any], "\(result)")
    }

    @Test("create takes the file's fields as flags; enum values read as people type them")
    func create() async throws {
        let request = try await Self.dryRun([
            "vendor", "files", "create", "--product-id", "PRD-123-456-789", "--contract-id", "CRD-12345-12345-12345",
            "--name", "March", "--period-from", "2026-03-01", "--period-to", "2026-03-31", "--environment",
            "preview", "--external-id", "ext-1",
        ])
        #expect(request["productId"] as? String == "PRD-123-456-789")
        #expect(request["contractId"] as? String == "CRD-12345-12345-12345")
        #expect(request["periodFrom"] as? String == "2026-03-01")
        #expect(request["periodTo"] as? String == "2026-03-31")
        #expect(request["environment"] as? String == "USAGE_ENVIRONMENT_PREVIEW")
        #expect(request["externalId"] as? String == "ext-1")
    }

    struct PositionalCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let field: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let positionalCases: [PositionalCase] = [
        PositionalCase(arguments: ["vendor", "files", "status", "UF-2026-03-1234-5678"], field: "id"),
        PositionalCase(arguments: ["vendor", "files", "submit", "UF-2026-03-1234-5678"], field: "id"),
        PositionalCase(arguments: ["vendor", "files", "delete", "UF-2026-03-1234-5678"], field: "id"),
        PositionalCase(arguments: ["vendor", "files", "records", "UF-2026-03-1234-5678"], field: "fileId"),
        PositionalCase(arguments: ["vendor", "files", "processed", "UF-2026-03-1234-5678"], field: "fileId"),
        PositionalCase(arguments: ["vendor", "files", "template", "UF-2026-03-1234-5678"], field: "productId"),
        PositionalCase(arguments: ["distributor", "files", "status", "UF-2026-03-1234-5678"], field: "id"),
        PositionalCase(arguments: ["distributor", "files", "records", "UF-2026-03-1234-5678"], field: "fileId"),
        PositionalCase(arguments: ["distributor", "files", "accept", "UF-2026-03-1234-5678"], field: "id"),
        PositionalCase(arguments: ["distributor", "files", "reject", "UF-2026-03-1234-5678"], field: "id"),
    ]

    @Test("the bare argument fills the verb's id field", arguments: positionalCases)
    func positional(_ testCase: PositionalCase) async throws {
        let request = try await Self.dryRun(testCase.arguments)
        #expect(request[testCase.field] as? String == "UF-2026-03-1234-5678")
        #expect(request.count == 1)
    }

    @Test("records, accept, reject and processed take their request's flags beside the bare id")
    func flagsBesideTheID() async throws {
        let records = try await Self.dryRun(
            ["vendor", "files", "records", "UF-1", "--status", "invalid", "--page-size", "10"])
        #expect(records["status"] as? String == "USAGE_RECORD_STATUS_INVALID")
        #expect(records["pageSize"] as? Int == 10)
        let reject = try await Self.dryRun(["distributor", "files", "reject", "UF-1", "--note", "doubled"])
        #expect(reject["note"] as? String == "doubled")
        let processed = try await Self.dryRun(
            ["vendor", "files", "processed", "UF-1", "--format", "csv", "--out", "x.csv"])
        #expect(processed["format"] as? String == "USAGE_FILE_FORMAT_CSV")
        #expect(processed["out"] == nil)
    }

    @Test("upload names the file and the format in its header, the format from the extension or --format")
    func uploadHeader() async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let workbook = directory + "/March.XLSX"
            let csv = directory + "/march.data"
            try Data("PK".utf8).write(to: URL(fileURLWithPath: workbook))
            try Data("record_id\r\n".utf8).write(to: URL(fileURLWithPath: csv))

            let fromName = try await ServerFixtures.run(["vendor", "files", "upload", "UF-1", workbook, "--dry-run"])
            #expect(fromName.status == 0, "\(fromName)")
            #expect(fromName.standardOutput.contains(#""format": "USAGE_FILE_FORMAT_XLSX""#), "\(fromName)")
            #expect(fromName.standardOutput.contains(#""fileId": "UF-1""#), "\(fromName)")
            #expect(fromName.standardOutput.contains("then 2 B in chunks"), "\(fromName)")

            let fromFlag = try await ServerFixtures.run(
                ["vendor", "files", "upload", "UF-1", csv, "--format", "CSV", "--dry-run"])
            #expect(fromFlag.status == 0, "\(fromFlag)")
            #expect(fromFlag.standardOutput.contains(#""format": "USAGE_FILE_FORMAT_CSV""#), "\(fromFlag)")

            let unknown = try await ServerFixtures.run(["vendor", "files", "upload", "UF-1", csv, "--dry-run"])
            #expect(unknown.status == 2)
            #expect(unknown.standardError.contains("--format xlsx or --format csv"), "\(unknown)")
        }
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let mentions: String
        var testDescription: String { arguments.joined(separator: " ") }
        init(_ arguments: [String], _ mentions: String) {
            self.arguments = arguments
            self.mentions = mentions
        }
    }

    static let usageCases: [UsageCase] = [
        UsageCase(["vendor", "files", "upload"], "FILE_ID PATH"),
        UsageCase(["vendor", "files", "upload", "UF-1"], "FILE_ID PATH"),
        UsageCase(
            ["vendor", "files", "upload", "UF-1", "/nonexistent/usage.csv"], "cannot read /nonexistent/usage.csv"),
        UsageCase(
            ["vendor", "files", "upload", "UF-1", "/etc/hostname", "--format", "ods"], "--format: expected xlsx or csv"),
        UsageCase(["vendor", "files", "upload", "UF-1", "a.csv", "b.csv"], "FILE_ID PATH"),
        UsageCase(["vendor", "files", "upload", "UF-1", "a.csv", "--progress=yes"], "--progress"),
        UsageCase(["vendor", "files", "status"], "FILE_ID"),
        UsageCase(["vendor", "files", "template"], "PRODUCT_ID"),
        UsageCase(["vendor", "files", "status", "UF-1", "UF-2"], "unexpected argument"),
        UsageCase(["vendor", "files", "accept", "UF-1"], "no command \"accept\""),
        UsageCase(["distributor", "files", "upload", "UF-1", "a.csv"], "no command \"upload\""),
        UsageCase(["vendor", "files", "processed", "UF-1", "--out", ""], "--out: must not be empty"),
        UsageCase(["vendor", "files", "records", "UF-1", "--status", "sideways"], "--status"),
    ]

    @Test("bad command lines exit 2 with a message naming the problem", arguments: usageCases)
    func usageErrors(_ testCase: UsageCase) async throws {
        let result = try await ServerFixtures.run(testCase.arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.contains(testCase.mentions), "\(result)")
        #expect(result.standardOutput.isEmpty, "\(result)")
    }

    @Test("help lists every verb of both roles, and the role help mentions files")
    func help() async throws {
        let vendor = try await ServerFixtures.run(["vendor", "files", "--help"])
        #expect(vendor.status == 0)
        for verb in ["create", "upload", "status", "records", "processed", "template", "submit", "delete"] {
            #expect(vendor.standardOutput.contains("  \(verb) "), "\(verb): \(vendor)")
        }
        let distributor = try await ServerFixtures.run(["distributor", "files", "--help"])
        for verb in ["list", "accept", "reject"] {
            #expect(distributor.standardOutput.contains("  \(verb) "), "\(verb): \(distributor)")
        }
        let role = try await ServerFixtures.run(["vendor", "--help"])
        #expect(role.standardOutput.contains("files "), "\(role)")
        let command = try await ServerFixtures.run(["vendor", "files", "status", "--help"])
        #expect(command.status == 0)
        #expect(command.standardOutput.contains("VendorService/GetUsageFile"), "\(command)")
    }

    @Test("a call to a server that is not there exits 1 naming the address")
    func unreachable() async throws {
        let result = try await ServerFixtures.run(
            ["vendor", "files", "status", "UF-1", "--server", "127.0.0.1:1", "--h2c", "--timeout", "5"])
        #expect(result.status == 1, "\(result)")
        #expect(result.standardError.contains("UNAVAILABLE"), "\(result)")
    }
}
