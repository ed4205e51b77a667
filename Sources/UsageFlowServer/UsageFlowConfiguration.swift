// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain
import RPCHTTP2Transport
import TLS

/// Everything `usageflow serve` is told: where to listen, how to secure connections, where the
/// database is, how large usage uploads may be and how much to log.
///
/// Read from flags and `USAGEFLOW_*` environment variables (a flag wins over its variable) by
/// `parse(_:environment:)`, which is pure so every rule is testable without a process.
public struct UsageFlowConfiguration: Sendable, Hashable {
    /// How connections are secured.
    public enum Security: Sendable, Hashable {
        /// TLS with this certificate chain and key; with a client CA, client certificates are
        /// requested (not required) and must verify, for distributor service identities.
        case tls(certificate: String, key: String, clientCA: String?)
        /// Cleartext HTTP/2, for local use behind a TLS-terminating proxy.
        case h2c
    }

    public static let defaultAddress = NetworkAddress(host: "127.0.0.1", port: 8443)
    public static let defaultCertificate = "certs/dev/server.pem"
    public static let defaultKey = "certs/dev/server.key"
    public static let defaultDatabase = "./usageflow.db"

    public var address: NetworkAddress
    public var security: Security
    public var databasePath: String
    public var logLevel: LogLevel
    /// Event-loop threads; nil for one per core.
    public var eventLoops: Int?
    /// Seed the demo tenant set (`serve --demo`); only on an empty database.
    public var demo: Bool
    /// Records per usage file and bytes per upload.
    public var usageLimits: UsageLimits
    /// Where uploads wait between the network and processing; nil for `TMPDIR` or `/tmp`.
    public var spoolDirectory: String?

    public init(
        address: NetworkAddress = Self.defaultAddress,
        security: Security = .tls(certificate: Self.defaultCertificate, key: Self.defaultKey, clientCA: nil),
        databasePath: String = Self.defaultDatabase, logLevel: LogLevel = .info, eventLoops: Int? = nil,
        demo: Bool = false, usageLimits: UsageLimits = .default, spoolDirectory: String? = nil
    ) {
        self.address = address
        self.security = security
        self.databasePath = databasePath
        self.logLevel = logLevel
        self.eventLoops = eventLoops
        self.demo = demo
        self.usageLimits = usageLimits
        self.spoolDirectory = spoolDirectory
    }

    /// The transport's configuration for these settings.
    public var serverConfiguration: ServerConfiguration {
        let transportSecurity: ServerConfiguration.Security
        switch security {
        case .tls(let certificate, let key, let clientCA):
            transportSecurity = .tls(.server(
                certificateChain: .file(certificate), privateKey: .file(key),
                clientCertificateVerification: clientCA.map { .optional(trustRoots: .file($0)) } ?? .none))
        case .h2c:
            transportSecurity = .plaintextHTTP2
        }
        return ServerConfiguration(
            host: address.host, port: address.port, security: transportSecurity, eventLoopCount: eventLoops)
    }

    /// The help text of `usageflow serve`.
    public static let usage = """
        usage: usageflow serve [flags] [--demo]

        Serves the UsageFlow API (gRPC over HTTP/2, TLS by default) until SIGTERM or SIGINT, then
        drains in-flight calls and exits 0. A flag wins over its environment variable.

          --address HOST:PORT   where to listen (USAGEFLOW_ADDRESS; default 127.0.0.1:8443)
          --tls-cert FILE       server certificate chain, PEM (USAGEFLOW_TLS_CERT; default certs/dev/server.pem)
          --tls-key FILE        its private key, PEM (USAGEFLOW_TLS_KEY; default certs/dev/server.key)
          --client-ca FILE      CA whose client certificates authenticate distributor service
                                identities over mutual TLS (USAGEFLOW_CLIENT_CA; optional)
          --h2c                 cleartext HTTP/2 instead of TLS, for local use behind a TLS proxy
          --db PATH             SQLite database (USAGEFLOW_DB; default ./usageflow.db)
          --log-level LEVEL     debug, info, warn or error (USAGEFLOW_LOG_LEVEL; default info)
          --event-loops N       event-loop threads, 1-256 (default: one per core)
          --max-file-records N  records one usage file may hold (USAGEFLOW_MAX_FILE_RECORDS;
                                default 1000000); a larger upload makes the file invalid
          --max-upload-bytes N  bytes one usage upload may have (USAGEFLOW_MAX_UPLOAD_BYTES;
                                default 268435456, 256 MiB); a larger upload makes the file invalid
          --spool-dir DIR       where uploads wait before processing (USAGEFLOW_SPOOL_DIR;
                                default $TMPDIR or /tmp)
          --demo                on an empty database, create a demo operator, vendor, distributor,
                                reseller, customer, product, listing and subscription, and print
                                their ids and keys once
        """
}
