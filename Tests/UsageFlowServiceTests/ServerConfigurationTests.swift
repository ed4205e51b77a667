// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Foundation
import RPCHTTP2Transport
import TLS
import Testing
import UsageFlowServer

@Suite("Server configuration from flags and environment")
struct ServerConfigurationTests {
    @Test("no flags and no environment give the documented defaults")
    func defaults() throws {
        let configuration = try UsageFlowConfiguration.parse([], environment: [:])
        #expect(configuration.address == NetworkAddress(host: "127.0.0.1", port: 8443))
        #expect(configuration.security == .tls(certificate: "certs/dev/server.pem", key: "certs/dev/server.key", clientCA: nil))
        #expect(configuration.databasePath == "./usageflow.db")
        #expect(configuration.logLevel == .info)
        #expect(configuration.eventLoops == nil)
        #expect(configuration.demo == false)
    }

    static let environment = [
        "USAGEFLOW_ADDRESS": "0.0.0.0:9000", "USAGEFLOW_TLS_CERT": "/env/cert.pem", "USAGEFLOW_TLS_KEY": "/env/key.pem",
        "USAGEFLOW_CLIENT_CA": "/env/ca.pem", "USAGEFLOW_DB": "/env/usageflow.db", "USAGEFLOW_LOG_LEVEL": "warn",
    ]

    @Test("environment variables apply when no flag is given")
    func environmentOnly() throws {
        let configuration = try UsageFlowConfiguration.parse([], environment: Self.environment)
        #expect(configuration.address == NetworkAddress(host: "0.0.0.0", port: 9000))
        #expect(configuration.security == .tls(certificate: "/env/cert.pem", key: "/env/key.pem", clientCA: "/env/ca.pem"))
        #expect(configuration.databasePath == "/env/usageflow.db")
        #expect(configuration.logLevel == .warn)
    }

    @Test("flags win over environment variables, in both --flag value and --flag=value forms")
    func flagsWin() throws {
        let configuration = try UsageFlowConfiguration.parse(
            [
                "--address", "[::1]:7000", "--tls-cert=/flag/cert.pem", "--tls-key", "/flag/key.pem",
                "--client-ca", "/flag/ca.pem", "--db=/flag/db", "--log-level", "DEBUG", "--event-loops", "3", "--demo",
            ],
            environment: Self.environment)
        #expect(configuration.address == NetworkAddress(host: "::1", port: 7000))
        #expect(configuration.security == .tls(certificate: "/flag/cert.pem", key: "/flag/key.pem", clientCA: "/flag/ca.pem"))
        #expect(configuration.databasePath == "/flag/db")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.eventLoops == 3)
        #expect(configuration.demo)
        #expect(configuration.serverConfiguration.host == "::1")
        #expect(configuration.serverConfiguration.port == 7000)
        #expect(configuration.serverConfiguration.eventLoopCount == 3)
    }

    @Test("--h2c serves cleartext and ignores TLS files from the environment")
    func cleartext() throws {
        let configuration = try UsageFlowConfiguration.parse(["--h2c"], environment: Self.environment)
        #expect(configuration.security == .h2c)
        guard case .plaintextHTTP2 = configuration.serverConfiguration.security else {
            Issue.record("expected cleartext HTTP/2")
            return
        }
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let environment: [String: String]
        let kind: ConfigurationError.Kind
        let flag: String
        let mentions: String
        var testDescription: String { (arguments + environment.map { "\($0)=\($1)" }).joined(separator: " ") }

        init(_ arguments: [String], env environment: [String: String] = [:], _ kind: ConfigurationError.Kind, _ flag: String, _ mentions: String) {
            self.arguments = arguments
            self.environment = environment
            self.kind = kind
            self.flag = flag
            self.mentions = mentions
        }
    }

    static let badCases: [BadCase] = [
        BadCase(["--port", "80"], .unknownFlag, "--port", "not a flag"),
        BadCase(["extra"], .unknownFlag, "extra", "unexpected argument"),
        BadCase(["--db"], .missingValue, "--db", "needs a value"),
        BadCase(["--db", ""], .invalidValue, "--db", "must not be empty"),
        BadCase(["--address", "8443"], .invalidValue, "--address", "HOST:PORT"),
        BadCase(["--address", "localhost:"], .invalidValue, "--address", "HOST:PORT"),
        BadCase(["--address", ":8443"], .invalidValue, "--address", "HOST:PORT"),
        BadCase(["--address", "localhost:65536"], .invalidValue, "--address", "65536"),
        BadCase(["--address", "localhost:-1"], .invalidValue, "--address", "HOST:PORT"),
        BadCase(["--address", "::1:8443"], .invalidValue, "--address", "[::1]:8443"),
        BadCase([], env: ["USAGEFLOW_ADDRESS": "nowhere"], .invalidValue, "USAGEFLOW_ADDRESS", "nowhere"),
        BadCase(["--log-level", "verbose"], .invalidValue, "--log-level", "debug, info, warn or error"),
        BadCase([], env: ["USAGEFLOW_LOG_LEVEL": "trace"], .invalidValue, "USAGEFLOW_LOG_LEVEL", "trace"),
        BadCase(["--event-loops", "0"], .invalidValue, "--event-loops", "1 to 256"),
        BadCase(["--event-loops", "257"], .invalidValue, "--event-loops", "1 to 256"),
        BadCase(["--event-loops", "two"], .invalidValue, "--event-loops", "two"),
        BadCase(["--h2c", "--tls-cert", "a.pem"], .conflict, "--h2c", "--tls-cert"),
        BadCase(["--h2c", "--client-ca", "ca.pem"], .conflict, "--h2c", "mutual TLS"),
        BadCase(["--h2c=yes"], .invalidValue, "--h2c", "takes no value"),
        BadCase(["--demo=true"], .invalidValue, "--demo", "takes no value"),
        BadCase([], env: ["USAGEFLOW_DB": ""], .invalidValue, "USAGEFLOW_DB", "must not be empty"),
    ]

    @Test("bad values are errors naming the flag or variable", arguments: badCases)
    func badValues(_ badCase: BadCase) {
        #expect {
            _ = try UsageFlowConfiguration.parse(badCase.arguments, environment: badCase.environment)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.kind == badCase.kind && error.flag == badCase.flag
                && error.message.hasPrefix(badCase.flag + ": ") && error.message.contains(badCase.mentions)
        }
    }

    @Test("missing or unreadable TLS files are caught before serving, naming the flag")
    func files() async throws {
        try await ServerFixtures.withTemporaryDirectory { directory in
            let certificate = directory + "/server.pem"
            let key = directory + "/server.key"
            _ = FileManager.default.createFile(atPath: certificate, contents: Data("x".utf8))
            _ = FileManager.default.createFile(atPath: key, contents: Data("x".utf8))
            let good = UsageFlowConfiguration(security: .tls(certificate: certificate, key: key, clientCA: nil))
            try good.checkFiles()
            try UsageFlowConfiguration(security: .h2c).checkFiles()

            let cases: [(UsageFlowConfiguration.Security, String)] = [
                (.tls(certificate: directory + "/missing.pem", key: key, clientCA: nil), "--tls-cert"),
                (.tls(certificate: certificate, key: directory + "/missing.key", clientCA: nil), "--tls-key"),
                (.tls(certificate: certificate, key: key, clientCA: directory), "--client-ca"),
            ]
            for (security, flag) in cases {
                #expect {
                    try UsageFlowConfiguration(security: security).checkFiles()
                } throws: { error in
                    (error as? ConfigurationError).map { $0.kind == .unreadableFile && $0.flag == flag } ?? false
                }
            }
        }
    }

    @Test("the default certificate's error says how to make development certificates")
    func defaultCertificateHint() {
        #expect {
            try UsageFlowConfiguration(
                security: .tls(certificate: UsageFlowConfiguration.defaultCertificate, key: "/nonexistent/key", clientCA: nil)
            ).checkFiles()
        } throws: { error in
            // Passes whether or not certs/dev exists in the working directory: either the certificate
            // is missing (with the hint) or the key is.
            guard let error = error as? ConfigurationError else { return false }
            return error.flag == "--tls-key" || error.message.contains("generate-dev-certs.sh")
        }
    }

    @Test("a client CA asks for optional client certificates, never required ones")
    func clientCAIsOptional() throws {
        let configuration = try UsageFlowConfiguration.parse(["--client-ca", "/ca.pem"], environment: [:])
        guard case .tls(let tls) = configuration.serverConfiguration.security else {
            Issue.record("expected TLS")
            return
        }
        #expect(tls.clientCertificateVerification == .optional(trustRoots: .file("/ca.pem")))
        let withoutCA = try UsageFlowConfiguration.parse([], environment: [:])
        guard case .tls(let plain) = withoutCA.serverConfiguration.security else {
            Issue.record("expected TLS")
            return
        }
        #expect(plain.clientCertificateVerification == .none)
    }

    @Test(
        "addresses parse as host:port with brackets for IPv6",
        arguments: [
            ("127.0.0.1:8443", NetworkAddress(host: "127.0.0.1", port: 8443)),
            ("localhost:0", NetworkAddress(host: "localhost", port: 0)),
            ("[::1]:443", NetworkAddress(host: "::1", port: 443)),
            ("example.com:65535", NetworkAddress(host: "example.com", port: 65535)),
        ])
    func addresses(_ text: String, _ expected: NetworkAddress) {
        #expect(NetworkAddress(parsing: text) == expected)
        #expect(NetworkAddress(parsing: expected.description) == expected)
    }

    @Test(
        "malformed addresses are refused",
        arguments: ["", "8443", "host", "host:", ":1", "[::1]", "[::1]8443", "::1:80", "host:80x", "host:123456", "a b:1", "[]:1"])
    func malformedAddresses(_ text: String) {
        #expect(NetworkAddress(parsing: text) == nil)
    }

    @Test("the usage text names every flag")
    func usageText() {
        for flag in ["--address", "--tls-cert", "--tls-key", "--client-ca", "--h2c", "--db", "--log-level", "--event-loops", "--demo"] {
            #expect(UsageFlowConfiguration.usage.contains(flag))
        }
    }
}
