// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Foundation
import ProtoWire
import Testing
import UsageFlowServer

/// The `usageflow` client's command line, through the built executable: `--dry-run` prints the
/// request the flags built, as proto3 JSON, without connecting.
@Suite("CLI flags into requests")
struct CLIInvocationTests {
    static func dryRun(_ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil)
        async throws -> [String: Any]
    {
        let result = try await ServerFixtures.run(arguments + ["--dry-run"], environment: environment, standardInput: standardInput)
        #expect(result.status == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
        return try #require(object as? [String: Any], "\(result)")
    }

    @Test("scalar, enum and string flags, kebab-case, in both --flag value and --flag=value forms")
    func createItem() async throws {
        let request = try await Self.dryRun([
            "vendor", "items", "create", "--product-id", "PRD-123-456-789", "--name=Storage", "--mpn", "STOR-GB-H",
            "--type", "ppu", "--precision", "decimal-2", "--unit", "MB*h",
        ])
        #expect(request["productId"] as? String == "PRD-123-456-789")
        #expect(request["name"] as? String == "Storage")
        #expect(request["mpn"] as? String == "STOR-GB-H")
        #expect(request["type"] as? String == "ITEM_TYPE_PPU")
        #expect(request["precision"] as? String == "PRECISION_DECIMAL_2")
        #expect(request["unit"] as? String == "MB*h")
    }

    @Test("nested fields are dotted; a bare boolean flag means true")
    func nestedAndBareBooleans() async throws {
        let request = try await Self.dryRun([
            "vendor", "products", "create", "--name", "Cloud", "--capabilities.ppu", "--capabilities.schema", "QT",
            "--capabilities.late", "false", "--capabilities.tier-levels", "2", "--capabilities.dynamic",
        ])
        let capabilities = try #require(request["capabilities"] as? [String: Any])
        #expect(capabilities["ppu"] as? Bool == true)
        #expect(capabilities["dynamic"] as? Bool == true)
        #expect(capabilities["late"] == nil)  // false is the default, not printed
        #expect(capabilities["schema"] as? String == "PPU_SCHEMA_QT")
        #expect(capabilities["tierLevels"] as? Int == 2)
    }

    @Test("a repeated group starts a new element when a field of the last one comes again")
    func repeatedGroups() async throws {
        let request = try await Self.dryRun([
            "distributor", "subscriptions", "create", "--customer-id", "TA-1", "--product-id", "PRD-1",
            "--parameters.name", "billing_account", "--parameters.value", "BA-1", "--parameters.reconciliation",
            "--parameters.name", "region", "--parameters.value", "eu",
        ])
        let parameters = try #require(request["parameters"] as? [[String: Any]])
        #expect(parameters.count == 2)
        #expect(parameters.first?["name"] as? String == "billing_account")
        #expect(parameters.first?["reconciliation"] as? Bool == true)
        #expect(parameters.last?["name"] as? String == "region")
        #expect(parameters.last?["value"] as? String == "eu")
        #expect(parameters.last?["reconciliation"] == nil)
    }

    @Test("a single bare argument is the id")
    func positionalID() async throws {
        let request = try await Self.dryRun(["vendor", "items", "publish", "PRD-123-456-789-0001"])
        #expect(request["id"] as? String == "PRD-123-456-789-0001")
        let reason = try await Self.dryRun(["distributor", "subscriptions", "suspend", "AS-1", "--reason", "overdue"])
        #expect(reason["id"] as? String == "AS-1")
        #expect(reason["reason"] as? String == "overdue")
    }

    @Test("--data gives the body; flags after it refine it; @- reads standard input")
    func data() async throws {
        let request = try await Self.dryRun([
            "vendor", "items", "update", "--data", #"{"id": "PRD-1-0001", "name": "Old", "description": "kept"}"#,
            "--name", "New",
        ])
        #expect(request["id"] as? String == "PRD-1-0001")
        #expect(request["name"] as? String == "New")
        #expect(request["description"] as? String == "kept")

        let piped = try await Self.dryRun(
            ["admin", "accounts", "create", "--data", "@-"], standardInput: #"{"role": "ROLE_VENDOR", "name": "Piped"}"#)
        #expect(piped["role"] as? String == "ROLE_VENDOR")
        #expect(piped["name"] as? String == "Piped")
    }

    @Test("environment and flags do not leak into the request")
    func connectionFlagsAreNotFields() async throws {
        let request = try await Self.dryRun(
            ["admin", "accounts", "list", "--json", "--server", "localhost:1", "--timeout", "5", "--role", "vendor"],
            environment: ["USAGEFLOW_KEY": "KEY-0000-0000.x", "USAGEFLOW_SERVER": "127.0.0.1:9"])
        #expect(request.count == 1)
        #expect(request["role"] as? String == "ROLE_VENDOR")
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
        UsageCase(["vendor", "items", "create", "--nmae", "x"], "unknown flag --nmae"),
        UsageCase(["vendor", "items", "create", "--precision", "decimal-3"], "--precision"),
        UsageCase(["vendor", "items", "create", "--name"], "--name: needs a value"),
        UsageCase(["vendor", "products", "create", "--capabilities.ppu", "maybe"], "--capabilities.ppu"),
        UsageCase(["vendor", "products", "create", "--capabilities.tier-levels", "9999999999"], "--capabilities.tier-levels"),
        UsageCase(["vendor", "items", "get", "A", "B"], "unexpected argument"),
        UsageCase(["vendor", "items", "list", "PRD-1"], "unexpected argument"),  // ListItemsRequest has no id
        UsageCase(["vendor", "items", "create", "--data", "{not json"], "--data"),
        UsageCase(["vendor", "items", "create", "--data", "@/nonexistent/file.json"], "cannot read /nonexistent/file.json"),
        UsageCase(["vendor", "items", "create", "--server", "nowhere"], "--server"),
        UsageCase(["vendor", "items", "create", "--timeout", "0"], "--timeout"),
        UsageCase(["vendor", "items", "create", "--json=yes"], "--json: takes no value"),
        UsageCase(["vendor", "items", "create", "-x"], "unknown flag -x"),
        UsageCase(["vendor", "items", "sell"], "no command \"sell\""),
        UsageCase(["vendor", "gadgets", "list"], "no resource \"gadgets\""),
        UsageCase(["wholesaler", "items", "list"], "unknown command \"wholesaler\""),
        UsageCase(["vendor", "items", "list", "--ca", "/nonexistent/ca.pem"], "--ca: cannot read"),
    ]

    @Test("usage errors exit 2 and say what is wrong", arguments: usageCases)
    func usageErrors(_ usage: UsageCase) async throws {
        let result = try await ServerFixtures.run(usage.arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.contains(usage.mentions), "\(result)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("USAGEFLOW_SERVER that does not parse is a usage error naming it")
    func badServerVariable() async throws {
        let result = try await ServerFixtures.run(["vendor", "items", "list"], environment: ["USAGEFLOW_SERVER": "::1"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("USAGEFLOW_SERVER"))
    }

    @Test("an unreachable server is exit 1 with UNAVAILABLE")
    func unreachable() async throws {
        let result = try await ServerFixtures.run(
            ["vendor", "products", "list", "--server", "127.0.0.1:1", "--h2c"], environment: ["USAGEFLOW_KEY": "x"])
        #expect(result.status == 1, "\(result)")
        #expect(result.standardError.hasPrefix("error: UNAVAILABLE: cannot connect to 127.0.0.1:1"), "\(result)")
    }

    @Test("help at every level, exit 0 on standard output")
    func help() async throws {
        let top = try await ServerFixtures.run(["--help"])
        #expect(top.status == 0)
        for word in ["serve", "init", "admin", "vendor", "distributor", "reseller", "commands"] {
            #expect(top.standardOutput.contains(word))
        }
        let role = try await ServerFixtures.run(["vendor", "--help"])
        #expect(role.status == 0)
        #expect(role.standardOutput.contains("items"))
        #expect(role.standardOutput.contains("create, get, list, update, publish, end-sale, delete"))
        let resource = try await ServerFixtures.run(["distributor", "reseller-keys", "--help"])
        #expect(resource.status == 0)
        #expect(resource.standardOutput.contains("DistributorService.CreateResellerKey"))
        let command = try await ServerFixtures.run(["vendor", "items", "create", "--help"])
        #expect(command.status == 0)
        for text in [
            "--product-id", "string", "--precision", "one of integer, decimal-1, decimal-2, decimal-4, decimal-8",
            "--type", "one of ppu, reservation", "/usageflow.v1.VendorService/CreateItem", "USAGEFLOW_KEY",
        ] {
            #expect(command.standardOutput.contains(text), "missing \(text) in\n\(command.standardOutput)")
        }
        let nested = try await ServerFixtures.run(["distributor", "subscriptions", "create", "--help"])
        #expect(nested.standardOutput.contains("--parameters.reconciliation"))
        #expect(nested.standardOutput.contains("(repeated group)"))
        let serve = try await ServerFixtures.run(["serve", "--help"])
        #expect(serve.status == 0)
        #expect(serve.standardOutput.contains("--client-ca"))
    }

    @Test("a bare command or role prints its help on standard error and exits 2")
    func incomplete() async throws {
        for arguments in [[], ["vendor"], ["vendor", "items"]] {
            let result = try await ServerFixtures.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.contains("usage: usageflow"))
        }
    }

    @Test("`usageflow commands` lists one command per RPC of the four services, each once")
    func commandList() async throws {
        let result = try await ServerFixtures.run(["commands"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        var listed: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: "\t").map(String.init)
            #expect(parts.count == 2)
            #expect(listed[parts[1]] == nil, "\(parts[1]) listed twice")
            listed[parts[1]] = parts[0]
        }
        let expected = APIDescriptors.services.flatMap(\.methods).map(\.path)
        #expect(Set(listed.keys) == Set(expected))
        #expect(Set(listed.values).count == expected.count)
        for method in APIDescriptors.services.flatMap(\.methods) {
            let path = CommandPath(service: method.service, method: method.name)
            #expect(listed[method.path] == path.map { "usageflow \($0)" })
        }
    }
}
