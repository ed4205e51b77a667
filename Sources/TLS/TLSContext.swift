// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// A loaded TLS configuration: the one `SSL_CTX` that every connection of a listener (or client)
/// is created from.
///
/// Loading certificates, keys and trust roots once per listener keeps handshakes cheap and turns a
/// bad file or a key that does not match its certificate into an error at startup rather than at
/// the first connection. The policy HTTP/2 needs is fixed here rather than configurable:
/// - TLS 1.2 and 1.3 only;
/// - TLS 1.2 ciphers limited to ECDHE with AEAD (RFC 9113 §9.2.2); TLS 1.3 suites as OpenSSL ships;
/// - key exchange groups X25519 and P-256;
/// - no compression, no renegotiation, the server's cipher preference;
/// - ALPN `h2` only: a server fails the handshake with a `no_application_protocol` alert when the
///   client does not offer `h2`, and a client fails when the server does not select it;
/// - `SSL_MODE_RELEASE_BUFFERS`, so idle connections give back their 2 × ~17 KiB record buffers;
/// - the certificate chain is sent exactly as configured (`SSL_MODE_NO_AUTO_CHAIN`).
///
/// `Sendable` (checked by hand, hence `@unchecked`): the `SSL_CTX` is fully configured in `init`
/// and never changed afterwards, and OpenSSL documents `SSL_new` on a shared, unmodified
/// `SSL_CTX` as safe from any thread (its reference count and session cache are locked inside
/// OpenSSL).
public final class TLSContext: @unchecked Sendable {
    /// The configuration the context was built from.
    public let configuration: TLSConfiguration

    /// The owned `SSL_CTX`, freed in `deinit`; connections take their own reference via `SSL_new`.
    let handle: OpaquePointer

    /// The TLS 1.2 cipher list: ECDHE key exchange with AEAD ciphers only.
    static let tls12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// Key exchange groups, preferred first.
    static let groups = "X25519:P-256"

    /// The only application protocol, in ALPN wire form (length-prefixed).
    static let alpnWire: [UInt8] = [2] + Array("h2".utf8)

    /// Loads `configuration`, failing if any file, certificate or key cannot be used.
    public init(configuration: TLSConfiguration) throws(TLSError) {
        try TLSContext.validate(configuration)
        OpenSSLErrorQueue.clear()
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let context = SSL_CTX_new(method) else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot create an SSL_CTX")
        }
        do throws(TLSError) {
            try TLSContext.applyPolicy(context, configuration)
            try TLSContext.loadIdentity(context, configuration)
            switch configuration.role {
            case .server: try TLSContext.configureServer(context, configuration)
            case .client: try TLSContext.configureClient(context, configuration)
            }
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        self.configuration = configuration
        self.handle = context
    }

    deinit {
        SSL_CTX_free(handle)
    }

    // MARK: - Steps of init

    private static func validate(_ configuration: TLSConfiguration) throws(TLSError) {
        guard configuration.minimumVersion <= configuration.maximumVersion else {
            throw TLSError(
                code: .invalidConfiguration,
                reason: "minimum version \(configuration.minimumVersion) is above maximum \(configuration.maximumVersion)"
            )
        }
        switch configuration.role {
        case .server:
            guard configuration.certificateChain != nil, configuration.privateKey != nil else {
                throw TLSError(code: .invalidConfiguration, reason: "a server needs a certificate chain and a private key")
            }
        case .client:
            guard (configuration.certificateChain == nil) == (configuration.privateKey == nil) else {
                throw TLSError(
                    code: .invalidConfiguration,
                    reason: "a client certificate chain and private key must be given together"
                )
            }
            guard let name = configuration.serverName, !name.isEmpty else {
                throw TLSError(code: .invalidConfiguration, reason: "a client needs a server name to verify")
            }
        }
    }

    private static func applyPolicy(_ context: OpaquePointer, _ configuration: TLSConfiguration) throws(TLSError) {
        guard copenssl_ctx_set_min_proto_version(context, configuration.minimumVersion.rawValue) == 1,
              copenssl_ctx_set_max_proto_version(context, configuration.maximumVersion.rawValue) == 1
        else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot set the protocol version range")
        }
        _ = SSL_CTX_set_options(
            context,
            copenssl_op_no_compression() | copenssl_op_no_renegotiation() | copenssl_op_cipher_server_preference()
        )
        // NO_AUTO_CHAIN: send exactly the configured chain. Otherwise OpenSSL completes it from the
        // trust store when one is loaded (mTLS) and sends the root as well, wasting handshake bytes.
        _ = copenssl_ctx_set_mode(
            context,
            Int(
                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS
                    | SSL_MODE_NO_AUTO_CHAIN
            )
        )
        guard SSL_CTX_set_cipher_list(context, tls12Ciphers) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot set the TLS 1.2 cipher list")
        }
        guard copenssl_ctx_set1_groups_list(context, groups) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot set the key exchange groups \(groups)")
        }
    }

    /// Installs the certificate chain and key, and proves they belong together.
    private static func loadIdentity(_ context: OpaquePointer, _ configuration: TLSConfiguration) throws(TLSError) {
        guard let chainPEM = configuration.certificateChain, let keyPEM = configuration.privateKey else { return }
        let chain = try PEMReader.certificates(from: chainPEM, what: "certificate chain")
        let key = try PEMReader.privateKey(from: keyPEM, what: "private key")
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_certificate(context, chain[0].pointer) == 1 else {
            throw OpenSSLErrorQueue.error(
                .invalidConfiguration,
                "cannot use the leaf certificate from \(PEMReader.describe(chainPEM))"
            )
        }
        for intermediate in chain.dropFirst() {
            guard copenssl_ctx_add1_chain_cert(context, intermediate.pointer) == 1 else {
                throw OpenSSLErrorQueue.error(
                    .invalidConfiguration,
                    "cannot add an intermediate certificate from \(PEMReader.describe(chainPEM))"
                )
            }
        }
        let mismatch = TLSError.Code.privateKeyMismatch
        let mismatchReason = "the private key in \(PEMReader.describe(keyPEM)) does not match the leaf certificate "
            + "in \(PEMReader.describe(chainPEM))"
        guard SSL_CTX_use_PrivateKey(context, key.pointer) == 1 else {
            let entries = OpenSSLErrorQueue.drain()
            let isMismatch = entries.contains { $0.library == ERR_LIB_X509 && $0.reason == X509_R_KEY_VALUES_MISMATCH }
            throw TLSError(
                code: isMismatch ? mismatch : .invalidConfiguration,
                reason: isMismatch ? mismatchReason : "cannot use the private key in \(PEMReader.describe(keyPEM))",
                openSSLErrors: entries.map(\.text)
            )
        }
        // A key of a different type than the certificate lands in another slot without the check
        // above; this catches that case too.
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw OpenSSLErrorQueue.error(mismatch, mismatchReason)
        }
    }

    private static func configureServer(_ context: OpaquePointer, _ configuration: TLSConfiguration) throws(TLSError) {
        SSL_CTX_set_alpn_select_cb(context, selectApplicationProtocol, nil)
        SSL_CTX_set_client_hello_cb(context, inspectClientHello, nil)
        // Sessions must carry a context id once client certificates are requested, or resumption
        // fails; set it always so enabling mTLS later changes nothing else.
        let sessionContext = Array("usageflow".utf8)
        guard SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count)) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot set the session id context")
        }
        let roots: TLSConfiguration.PEM
        let mode: Int32
        switch configuration.clientCertificateVerification {
        case .none:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            return
        case .optional(let trustRoots):
            (roots, mode) = (trustRoots, SSL_VERIFY_PEER)
        case .required(let trustRoots):
            (roots, mode) = (trustRoots, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
        }
        try addTrustRoots(context, roots, advertiseToClients: true)
        SSL_CTX_set_verify(context, mode, nil)
    }

    private static func configureClient(_ context: OpaquePointer, _ configuration: TLSConfiguration) throws(TLSError) {
        // SSL_CTX_set_alpn_protos returns 0 on success.
        let status = alpnWire.withUnsafeBufferPointer {
            SSL_CTX_set_alpn_protos(context, $0.baseAddress, UInt32($0.count))
        }
        guard status == 0 else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot set the ALPN protocol list")
        }
        if let trustRoots = configuration.trustRoots {
            try addTrustRoots(context, trustRoots, advertiseToClients: false)
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot load the system trust store")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
    }

    /// Adds every certificate in `pem` to the verification store; a server also names them in its
    /// certificate request so clients pick a matching certificate.
    private static func addTrustRoots(
        _ context: OpaquePointer,
        _ pem: TLSConfiguration.PEM,
        advertiseToClients: Bool
    ) throws(TLSError) {
        let roots = try PEMReader.certificates(from: pem, what: "trust roots")
        guard let store = SSL_CTX_get_cert_store(context) else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "the context has no certificate store")
        }
        for root in roots {
            guard X509_STORE_add_cert(store, root.pointer) == 1 else {
                throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot add a trust root from \(PEMReader.describe(pem))")
            }
            if advertiseToClients, SSL_CTX_add_client_CA(context, root.pointer) != 1 {
                throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot name a trust root from \(PEMReader.describe(pem))")
            }
        }
    }
}
