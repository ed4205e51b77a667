// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

/// Everything needed to build a `TLSContext` for one role: certificates, trust and limits.
///
/// A plain value so it can be read from settings, compared and handed between tasks. The
/// security policy that does not vary (AEAD-only TLS 1.2 ciphers, X25519/P-256, no compression
/// or renegotiation, ALPN `h2` only) is fixed in `TLSContext`, not configurable here.
public struct TLSConfiguration: Hashable, Sendable {
    /// Which end of the connection this configuration is for.
    public enum Role: Hashable, Sendable {
        case server
        case client
    }

    /// PEM text, from a file or already in memory (tests and secret stores hand over bytes).
    ///
    /// Its descriptions name the file or count the bytes, never show them, so logging a
    /// configuration cannot leak a private key.
    public enum PEM: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        /// A path to read when the context is created.
        case file(String)
        /// PEM bytes held in memory.
        case bytes([UInt8])

        /// PEM text held in a string.
        public static func string(_ text: String) -> PEM { .bytes(Array(text.utf8)) }

        public var description: String {
            switch self {
            case .file(let path): "file '\(path)'"
            case .bytes(let bytes): "(\(bytes.count) bytes in memory)"
            }
        }

        public var debugDescription: String { description }
    }

    /// Whether a server asks for client certificates (mutual TLS) and which CAs it trusts.
    public enum ClientCertificateVerification: Hashable, Sendable {
        /// No client certificate is requested.
        case none
        /// A client certificate is requested; a client may omit it, but one it does present must
        /// verify against `trustRoots`.
        case optional(trustRoots: PEM)
        /// A client certificate that verifies against `trustRoots` is required; the handshake
        /// fails without one.
        case required(trustRoots: PEM)
    }

    /// Server or client.
    public let role: Role
    /// The leaf certificate followed by any intermediates. Required for servers; optional for
    /// clients, where it is presented for mutual TLS.
    public var certificateChain: PEM?
    /// The private key of the leaf certificate (unencrypted PEM; encrypted keys are refused).
    public var privateKey: PEM?
    /// Client only: the CAs that may sign the server's certificate; nil uses the system store.
    public var trustRoots: PEM?
    /// Client only: the name sent as SNI and checked against the server certificate's DNS or
    /// IP address names. A `TLSConnection` may override it per connection.
    public var serverName: String?
    /// Server only: mutual TLS.
    public var clientCertificateVerification: ClientCertificateVerification
    /// The oldest version to accept; never below TLS 1.2.
    public var minimumVersion: TLSVersion = .tls1_2
    /// The newest version to offer or accept. Lower it to `.tls1_2` only for peers that
    /// mishandle TLS 1.3.
    public var maximumVersion: TLSVersion = .tls1_3

    private init(
        role: Role,
        certificateChain: PEM?,
        privateKey: PEM?,
        trustRoots: PEM?,
        serverName: String?,
        clientCertificateVerification: ClientCertificateVerification
    ) {
        self.role = role
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
        self.serverName = serverName
        self.clientCertificateVerification = clientCertificateVerification
    }

    /// A server presenting `certificateChain`, optionally verifying client certificates.
    public static func server(
        certificateChain: PEM,
        privateKey: PEM,
        clientCertificateVerification: ClientCertificateVerification = .none
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .server,
            certificateChain: certificateChain,
            privateKey: privateKey,
            trustRoots: nil,
            serverName: nil,
            clientCertificateVerification: clientCertificateVerification
        )
    }

    /// A server whose certificate chain and key are PEM files.
    public static func server(
        certificateChainPEMFile: String,
        privateKeyPEMFile: String,
        clientCertificateVerification: ClientCertificateVerification = .none
    ) -> TLSConfiguration {
        .server(
            certificateChain: .file(certificateChainPEMFile),
            privateKey: .file(privateKeyPEMFile),
            clientCertificateVerification: clientCertificateVerification
        )
    }

    /// A client that verifies the server against `trustRoots` (nil: the system store) and
    /// `serverName`, presenting a certificate of its own when both chain and key are given.
    public static func client(
        trustRoots: PEM?,
        serverName: String,
        certificateChain: PEM? = nil,
        privateKey: PEM? = nil
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .client,
            certificateChain: certificateChain,
            privateKey: privateKey,
            trustRoots: trustRoots,
            serverName: serverName,
            clientCertificateVerification: .none
        )
    }

    /// A client whose trust roots, and optional certificate chain and key, are PEM files.
    public static func client(
        trustRootsPEMFile: String,
        serverName: String,
        certificateChainPEMFile: String? = nil,
        privateKeyPEMFile: String? = nil
    ) -> TLSConfiguration {
        .client(
            trustRoots: .file(trustRootsPEMFile),
            serverName: serverName,
            certificateChain: certificateChainPEMFile.map { .file($0) },
            privateKey: privateKeyPEMFile.map { .file($0) }
        )
    }
}
