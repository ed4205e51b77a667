// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Foundation
import Glibc
import Storage
import TestSupport
import Testing
import UsageFlowServer

/// The server over TLS on an ephemeral port with certificates made for this run, seeded with the
/// demo tenant set, driven by the built `usageflow` executable.
@Suite("Server and CLI end to end", .serialized)
struct ServerEndToEndTests {
    /// A running in-process server and what a CLI needs to reach it.
    struct Running {
        let demo: DemoTenantSet
        let port: Int
        let log: CollectedLog

        func cli(_ arguments: [String], key: String?) async throws -> CLIResult {
            var environment = [
                "USAGEFLOW_SERVER": "127.0.0.1:\(port)", "USAGEFLOW_CA": TestCertificates.shared.path("ca.pem"),
            ]
            if let key { environment["USAGEFLOW_KEY"] = key }
            return try await ServerFixtures.run(arguments, environment: environment)
        }
    }

    /// Seeds a fresh database, serves it over TLS (with a client CA, so certificates are
    /// requested but optional), runs `body`, then shuts down gracefully and closes the store.
    static func withDemoServer(_ body: (Running) async throws -> Void) async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let certificates = TestCertificates.shared
            let databasePath = directory + "/usageflow.db"
            let store = try await SQLiteDataStore(path: databasePath)
            let environment = DomainEnvironment(store: store)
            let demo = try await DemoData(environment: environment).seed(databasePath: databasePath)
            let configuration = UsageFlowConfiguration(
                address: NetworkAddress(host: "127.0.0.1", port: 0),
                security: .tls(
                    certificate: certificates.path("server.pem"), key: certificates.path("server.key"),
                    clientCA: certificates.path("ca.pem")),
                databasePath: databasePath)
            let log = CollectedLog()
            let server = try UsageFlowServer(configuration: configuration, environment: environment, log: log.log)
            let port = try server.start()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await server.run() }
                do {
                    try await body(Running(demo: demo, port: port, log: log))
                } catch {
                    Issue.record(error)
                }
                server.shutdown()
                await group.waitForAll()
            }
            await store.close()
            #expect(log.all.contains { $0.contains(#""msg":"stopped""#) })
        }
    }

    @Test("the vendor's catalogue through the CLI: readable and JSON output, errors with statuses and field violations")
    func vendorCatalogue() async throws {
        try await Self.withDemoServer { running in
            let demo = running.demo
            let key = demo.vendorKey
            let product = try await running.cli(["vendor", "products", "get", demo.product.id], key: key)
            #expect(product.status == 0, "\(product)")
            #expect(product.standardOutput.contains(#"name: "Demo Cloud Storage""#), "\(product)")
            #expect(product.standardOutput.contains("schema: PPU_SCHEMA_QT"), "\(product)")

            let listed = try await running.cli(["vendor", "items", "list", "--product-id", demo.product.id, "--json"], key: key)
            #expect(listed.status == 0, "\(listed)")
            let items = try #require(Self.json(listed)["items"] as? [[String: Any]])
            #expect(items.map { $0["precision"] as? String } == ["PRECISION_INTEGER", "PRECISION_DECIMAL_2"])
            #expect(items.allSatisfy { $0["status"] as? String == "ITEM_STATUS_PUBLISHED" })

            let create = [
                "vendor", "items", "create", "--product-id", demo.product.id, "--name", "Transfer", "--mpn", "XFER-GB",
                "--type", "ppu", "--precision", "decimal-4", "--unit", "MB*h",
            ]
            let created = try await running.cli(create + ["--json"], key: key)
            #expect(created.status == 0, "\(created)")
            let item = try Self.json(created)
            let itemID = try #require(item["id"] as? String)
            #expect(itemID.hasPrefix(demo.product.id + "-"))
            #expect(item["status"] as? String == "ITEM_STATUS_DRAFT")

            let duplicate = try await running.cli(create, key: key)
            #expect(duplicate.status == 1, "\(duplicate)")
            #expect(duplicate.standardError.hasPrefix("error: ALREADY_EXISTS: "), "\(duplicate)")
            #expect(duplicate.standardOutput.isEmpty)

            let invalid = try await running.cli(
                [
                    "vendor", "items", "create", "--product-id", demo.product.id, "--name", "", "--mpn", "",
                    "--type", "ppu", "--unit", "MB*h",
                ], key: key)
            #expect(invalid.status == 1, "\(invalid)")
            #expect(invalid.standardError.hasPrefix("error: INVALID_ARGUMENT: "), "\(invalid)")
            for field in ["name", "mpn", "precision"] {  // every violation, one line each
                #expect(invalid.standardError.contains("\n  \(field): "), "\(invalid)")
            }

            let published = try await running.cli(["vendor", "items", "publish", itemID], key: key)
            #expect(published.status == 0, "\(published)")
            #expect(published.standardOutput.contains("status: ITEM_STATUS_PUBLISHED"), "\(published)")
            let deletePublished = try await running.cli(["vendor", "items", "delete", itemID], key: key)
            #expect(deletePublished.status == 1)
            #expect(deletePublished.standardError.hasPrefix("error: FAILED_PRECONDITION: "), "\(deletePublished)")

            let draft = try await running.cli(
                [
                    "vendor", "items", "create", "--product-id", demo.product.id, "--name", "Scratch", "--mpn", "SCR",
                    "--type", "ppu", "--precision", "integer", "--unit", "unit*h", "--json",
                ], key: key)
            let draftID = try #require(try Self.json(draft)["id"] as? String)
            let deleted = try await running.cli(["vendor", "items", "delete", draftID], key: key)
            #expect(deleted.status == 0, "\(deleted)")
            #expect(deleted.standardOutput == "ok\n")

            let lines = try running.log.objects()
            let createLine = try #require(lines.first {
                $0["method"] as? String == "/usageflow.v1.VendorService/CreateItem" && $0["status"] as? String == "OK"
            })
            #expect((createLine["principal"] as? String)?.hasPrefix("vendor \(demo.vendor.id) (key KEY-") == true)
            #expect(lines.contains {
                $0["method"] as? String == "/usageflow.v1.VendorService/CreateItem" && $0["status"] as? String == "ALREADY_EXISTS"
            })
            // Never a secret in the log.
            for token in [demo.operatorKey, demo.vendorKey, demo.distributorKey, demo.resellerKey] {
                let secret = String(token.split(separator: ".")[1])
                #expect(!running.log.all.contains { $0.contains(secret) })
            }
        }
    }

    @Test("each role with its own key; wrong role, no key and an unknown key are refused")
    func rolesAndCredentials() async throws {
        try await Self.withDemoServer { running in
            let demo = running.demo
            let accounts = try await running.cli(["admin", "accounts", "list", "--json"], key: demo.operatorKey)
            #expect(accounts.status == 0, "\(accounts)")
            let ids = (try Self.json(accounts)["accounts"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == [demo.vendor.id, demo.distributor.id])

            let suspended = try await running.cli(
                ["distributor", "subscriptions", "suspend", demo.subscription.id, "--reason", "payment overdue"],
                key: demo.distributorKey)
            #expect(suspended.status == 0, "\(suspended)")
            #expect(suspended.standardOutput.contains("status: SUBSCRIPTION_STATUS_SUSPENDED"), "\(suspended)")
            #expect(suspended.standardOutput.contains(#"reason: "payment overdue""#), "\(suspended)")

            let resellers = try await running.cli(["reseller", "subscriptions", "list"], key: demo.resellerKey)
            #expect(resellers.status == 0, "\(resellers)")
            #expect(resellers.standardOutput.contains(demo.subscription.id))
            #expect(resellers.standardOutput.contains(#"name: "billing_account""#))

            let wrongRole = try await running.cli(["distributor", "listings", "list"], key: demo.vendorKey)
            #expect(wrongRole.status == 1)
            #expect(wrongRole.standardError.hasPrefix("error: PERMISSION_DENIED: "), "\(wrongRole)")

            let noKey = try await running.cli(["vendor", "products", "list"], key: nil)
            #expect(noKey.status == 1)
            #expect(noKey.standardError.hasPrefix("error: UNAUTHENTICATED: "), "\(noKey)")
            #expect(noKey.standardError.contains("hint: set USAGEFLOW_KEY"))

            let unknown = try await running.cli(
                ["vendor", "products", "list"], key: "KEY-0000-0000." + String(repeating: "A", count: 43))
            #expect(unknown.status == 1)
            #expect(unknown.standardError.hasPrefix("error: UNAUTHENTICATED: "), "\(unknown)")

            let otherTenant = try await running.cli(["vendor", "subscriptions", "get", "AS-0000-0000-0000"], key: demo.vendorKey)
            #expect(otherTenant.status == 1)
            #expect(otherTenant.standardError.hasPrefix("error: NOT_FOUND: "), "\(otherTenant)")

            let untrusted = try await ServerFixtures.run(
                ["vendor", "products", "list"],
                environment: [
                    "USAGEFLOW_SERVER": "127.0.0.1:\(running.port)", "USAGEFLOW_KEY": demo.vendorKey,
                    "USAGEFLOW_CA": TestCertificates.shared.path("other-ca.pem"),
                ])
            #expect(untrusted.status == 1)
            #expect(untrusted.standardError.hasPrefix("error: UNAVAILABLE: cannot connect"), "\(untrusted)")
        }
    }

    @Test("demo data needs an empty database")
    func demoNeedsAnEmptyDatabase() async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let path = directory + "/usageflow.db"
            let store = try await SQLiteDataStore(path: path)
            let environment = DomainEnvironment(store: store)
            _ = try await DatabaseSetup.issueOperatorKey(environment: environment, databasePath: path, evenIfOneExists: false)
            let demo = DemoData(environment: environment)
            #expect(try await !demo.isDatabaseEmpty())
            await #expect {
                _ = try await demo.seed(databasePath: path)
            } throws: { error in
                guard let error = error as? ConfigurationError else { return false }
                return error.flag == "--demo" && error.message.contains("empty database")
            }
            let accounts = try await store.read { try $0.accounts(role: nil, page: PageRequest()).items }
            #expect(accounts.isEmpty)
            await store.close()
        }
    }

    @Test("the operator key: issued once, refused again unless asked, never stored in clear")
    func operatorKey() async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let path = directory + "/usageflow.db"
            let first = try await ServerFixtures.run(["init", "--db", path])
            #expect(first.status == 0, "\(first)")
            let tokens = ServerFixtures.tokens(in: first.standardOutput)
            #expect(tokens.count == 1, "\(first)")
            #expect(first.standardOutput.contains("export USAGEFLOW_KEY=\(tokens.first ?? "-")"))

            let again = try await ServerFixtures.run(["init", "--db", path])
            #expect(again.status == 1, "\(again)")
            #expect(again.standardError.contains("already has an operator key"))
            #expect(again.standardError.contains("--new-operator-key"))
            #expect(ServerFixtures.tokens(in: again.standardOutput + again.standardError).isEmpty)

            let second = try await ServerFixtures.run(["init", "--new-operator-key"], environment: ["USAGEFLOW_DB": path])
            #expect(second.status == 0, "\(second)")
            let secondTokens = ServerFixtures.tokens(in: second.standardOutput)
            #expect(secondTokens.count == 1 && secondTokens != tokens)

            let database = try Data(contentsOf: URL(fileURLWithPath: path))
            for token in tokens + secondTokens {
                let secret = token.split(separator: ".")[1]
                #expect(database.range(of: Data(secret.utf8)) == nil)
            }
            let bad = try await ServerFixtures.run(["init", "--db"])
            #expect(bad.status == 2)
            #expect(bad.standardError.contains("--db: needs a value"))
        }
    }

    @Test("`usageflow serve --demo` prints the tenant set once, serves, and exits 0 on SIGTERM")
    func serveProcess() async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let certificates = TestCertificates.shared
            let path = directory + "/usageflow.db"
            let arguments = [
                "serve", "--demo", "--address", "127.0.0.1:0", "--db", path, "--tls-cert", certificates.path("server.pem"),
                "--tls-key", certificates.path("server.key"),
            ]
            let server = try ServerFixtures.start(arguments)
            let listening = try await server.waitForErrorLine(containing: #""msg":"listening""#)
            let address = try #require(listening.firstMatch(of: /"address":"127\.0\.0\.1:(\d+)"/))
            let port = String(address.output.1)
            _ = try await server.waitForOutputLine(containing: "Every command takes --help")  // the summary's last line
            let summary = server.output()
            let tokens = ServerFixtures.tokens(in: summary)
            #expect(tokens.count == 4, "\(summary)")
            #expect(Set(tokens).count == 4)
            #expect(summary.contains("export USAGEFLOW_SERVER=127.0.0.1:\(port)"))
            #expect(summary.components(separatedBy: "export USAGEFLOW_KEY=").count == 5)

            let products = try await ServerFixtures.run(
                ["vendor", "products", "list"],
                environment: [
                    "USAGEFLOW_SERVER": "127.0.0.1:\(port)", "USAGEFLOW_CA": certificates.path("ca.pem"),
                    "USAGEFLOW_KEY": tokens.count > 1 ? tokens[1] : "",
                ])
            #expect(products.status == 0, "\(products)")
            #expect(products.standardOutput.contains("Demo Cloud Storage"))

            server.signal(SIGTERM)
            let status = try await server.wait(timeout: .seconds(30))
            #expect(status == 0, "\(server.errors())")
            #expect(server.errors().contains(#""msg":"stopped""#))
            #expect(server.errors().contains(#""msg":"database closed""#))

            let again = try await ServerFixtures.run(arguments)
            #expect(again.status == 2, "\(again)")
            #expect(again.standardError.contains("--demo: needs an empty database"), "\(again)")
        }
    }

    @Test("serve refuses bad configuration with exit 2 before touching the database")
    func serveUsageErrors() async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let path = directory + "/usageflow.db"
            let cases: [([String], String)] = [
                (["serve", "--db", path, "--address", "nowhere"], "--address"),
                (["serve", "--db", path, "--tls-cert", directory + "/missing.pem", "--tls-key", directory + "/k"], "--tls-cert"),
                (["serve", "--db", path, "--log-level", "loud", "--h2c"], "--log-level"),
                (["serve", "--db", path, "--bogus"], "--bogus"),
            ]
            for (arguments, flag) in cases {
                let result = try await ServerFixtures.run(arguments)
                #expect(result.status == 2, "\(result)")
                #expect(result.standardError.hasPrefix("usageflow: \(flag): "), "\(result)")
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    static func json(_ result: CLIResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
        return try #require(object as? [String: Any], "\(result)")
    }
}
