// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain
import Glibc

extension UsageFlowConfiguration {
    /// Reads `serve`'s flags (after the subcommand) and the `USAGEFLOW_*` environment.
    ///
    /// A flag wins over its environment variable; an invalid value in either is an error naming
    /// it, so a typo never silently falls back to a default.
    public static func parse(
        _ arguments: [String], environment: [String: String]
    ) throws(ConfigurationError) -> UsageFlowConfiguration {
        var addressText: (String, from: String)?
        var certificate: String?
        var key: String?
        var clientCA: String?
        var cleartext = false
        var database: String?
        var levelText: (String, from: String)?
        var loopsText: String?
        var demo = false
        var recordsText: (String, from: String)?
        var bytesText: (String, from: String)?
        var spoolDirectory: String?

        var cursor = ArgumentCursor(arguments)
        while let flag = cursor.nextFlag() {
            switch flag {
            case "--address": addressText = (try cursor.value(for: flag), flag)
            case "--tls-cert": certificate = try nonEmpty(cursor.value(for: flag), flag)
            case "--tls-key": key = try nonEmpty(cursor.value(for: flag), flag)
            case "--client-ca": clientCA = try nonEmpty(cursor.value(for: flag), flag)
            case "--h2c":
                try cursor.noValue(for: flag)
                cleartext = true
            case "--db": database = try nonEmpty(cursor.value(for: flag), flag)
            case "--log-level": levelText = (try cursor.value(for: flag), flag)
            case "--event-loops": loopsText = try cursor.value(for: flag)
            case "--max-file-records": recordsText = (try cursor.value(for: flag), flag)
            case "--max-upload-bytes": bytesText = (try cursor.value(for: flag), flag)
            case "--spool-dir": spoolDirectory = try nonEmpty(cursor.value(for: flag), flag)
            case "--demo":
                try cursor.noValue(for: flag)
                demo = true
            default:
                if flag.hasPrefix("-") {
                    throw ConfigurationError(.unknownFlag, flag: flag, "is not a flag of `usageflow serve` (see --help)")
                }
                throw ConfigurationError(.unknownFlag, flag: flag, "unexpected argument (`usageflow serve` takes only flags)")
            }
        }

        var configuration = UsageFlowConfiguration()
        configuration.demo = demo

        if addressText == nil, let value = environment["USAGEFLOW_ADDRESS"] { addressText = (value, "USAGEFLOW_ADDRESS") }
        if let (text, source) = addressText {
            guard let address = NetworkAddress(parsing: text) else {
                throw ConfigurationError(
                    .invalidValue, flag: source, "expected HOST:PORT such as 127.0.0.1:8443 or [::1]:8443, got \"\(text)\"")
            }
            configuration.address = address
        }

        if cleartext {
            if certificate != nil || key != nil {
                throw ConfigurationError(.conflict, flag: "--h2c", "cannot be combined with --tls-cert or --tls-key")
            }
            if clientCA != nil {
                throw ConfigurationError(.conflict, flag: "--h2c", "cannot be combined with --client-ca (mutual TLS needs TLS)")
            }
            configuration.security = .h2c
        } else {
            let certificatePath = try setting(certificate, orEnvironment: "USAGEFLOW_TLS_CERT", environment)
            let keyPath = try setting(key, orEnvironment: "USAGEFLOW_TLS_KEY", environment)
            let caPath = try setting(clientCA, orEnvironment: "USAGEFLOW_CLIENT_CA", environment)
            configuration.security = .tls(
                certificate: certificatePath ?? defaultCertificate, key: keyPath ?? defaultKey, clientCA: caPath)
        }

        if let path = try setting(database, orEnvironment: "USAGEFLOW_DB", environment) {
            configuration.databasePath = path
        }

        if levelText == nil, let value = environment["USAGEFLOW_LOG_LEVEL"] { levelText = (value, "USAGEFLOW_LOG_LEVEL") }
        if let (text, source) = levelText {
            guard let level = LogLevel(rawValue: text.lowercased()) else {
                throw ConfigurationError(.invalidValue, flag: source, "expected debug, info, warn or error, got \"\(text)\"")
            }
            configuration.logLevel = level
        }

        if let loopsText {
            guard let loops = Int(loopsText), (1...256).contains(loops) else {
                throw ConfigurationError(
                    .invalidValue, flag: "--event-loops", "expected a whole number from 1 to 256, got \"\(loopsText)\"")
            }
            configuration.eventLoops = loops
        }

        if recordsText == nil, let value = environment["USAGEFLOW_MAX_FILE_RECORDS"] {
            recordsText = (value, "USAGEFLOW_MAX_FILE_RECORDS")
        }
        if let (text, source) = recordsText {
            configuration.usageLimits.recordsPerFile = try positive(text, source, upTo: 100_000_000)
        }
        if bytesText == nil, let value = environment["USAGEFLOW_MAX_UPLOAD_BYTES"] {
            bytesText = (value, "USAGEFLOW_MAX_UPLOAD_BYTES")
        }
        if let (text, source) = bytesText {
            configuration.usageLimits.bytesPerUpload = try positive(text, source, upTo: 1 << 40)
        }
        configuration.spoolDirectory = try setting(spoolDirectory, orEnvironment: "USAGEFLOW_SPOOL_DIR", environment)
        return configuration
    }

    /// A whole number from 1 to `maximum`, or an error naming where it came from.
    private static func positive(_ text: String, _ source: String, upTo maximum: Int) throws(ConfigurationError) -> Int {
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw ConfigurationError(
                .invalidValue, flag: source, "expected a whole number from 1 to \(maximum), got \"\(text)\"")
        }
        return value
    }

    /// Checks that the certificate, key and CA files exist and can be read, naming the flag of
    /// the first that cannot, so a missing file is a usage error instead of a TLS error later.
    public func checkFiles() throws(ConfigurationError) {
        guard case .tls(let certificate, let key, let clientCA) = security else { return }
        let hint = certificate == Self.defaultCertificate ? " (run certs/generate-dev-certs.sh)" : ""
        try Self.checkReadable(certificate, flag: "--tls-cert", hint: hint)
        try Self.checkReadable(key, flag: "--tls-key", hint: hint)
        if let clientCA { try Self.checkReadable(clientCA, flag: "--client-ca", hint: "") }
    }

    private static func checkReadable(_ path: String, flag: String, hint: String) throws(ConfigurationError) {
        var status = stat()
        guard stat(path, &status) == 0, access(path, R_OK) == 0 else {
            throw ConfigurationError(.unreadableFile, flag: flag, "cannot read \(path)\(hint)")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigurationError(.unreadableFile, flag: flag, "\(path) is not a file")
        }
    }

    private static func nonEmpty(_ value: String, _ flag: String) throws(ConfigurationError) -> String {
        guard !value.isEmpty else { throw ConfigurationError(.invalidValue, flag: flag, "must not be empty") }
        return value
    }

    /// The flag's value when given, else the environment variable's (which must not be empty).
    private static func setting(
        _ flagValue: String?, orEnvironment name: String, _ environment: [String: String]
    ) throws(ConfigurationError) -> String? {
        if let flagValue { return flagValue }
        guard let value = environment[name] else { return nil }
        return try nonEmpty(value, name)
    }
}
