// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// One TLS connection as a sans-I/O engine: ciphertext in, plaintext out, and back again.
///
/// The connection never touches a socket. The transport feeds it what the socket read
/// (`receiveCiphertext`), reads decrypted bytes (`readPlaintext`), hands it bytes to encrypt
/// (`writePlaintext`) and sends whatever it produced (`takeCiphertext`). The handshake runs by
/// itself as ciphertext arrives, so a test can complete one by pumping bytes between a client and a
/// server connection in memory.
///
/// The driving loop, for each socket read:
/// 1. `receiveCiphertext(bytes)`;
/// 2. `readPlaintext(into:maxBytes:)` until it returns 0 (or the fairness budget runs out — then
///    check `hasPendingPlaintext` and come back without waiting for the socket);
/// 3. `takeCiphertext(into:)` and write the result, since reading can produce bytes too
///    (handshake messages, alerts, key updates).
///
/// After any call throws, write out `takeCiphertext` once more (it may hold the alert that tells
/// the peer why) and close the socket; every later call throws the same error.
///
/// Ownership: the connection owns its `SSL`, freed once in `deinit`; `SSL_set_bio` hands the
/// ciphertext BIO (both directions, see `CiphertextChannel`) to that `SSL`, so `SSL_free` frees it
/// before the channel it points at goes. The `SSL` holds its own reference on the context's `SSL_CTX`.
///
/// Not `Sendable`: an `SSL` is not thread-safe, so a connection belongs to one event-loop thread
/// for its whole life.
public final class TLSConnection {
    /// Server or client, from the context.
    public let role: TLSConfiguration.Role

    private let ssl: OpaquePointer
    /// Received ciphertext not read by OpenSSL yet, and ciphertext not taken by the transport yet.
    let channel = CiphertextChannel()
    private var state: State = .handshaking
    /// Plaintext written before the handshake finished, sent as soon as it does.
    private var heldPlaintext: [UInt8] = []
    private var cachedPeerCertificates: [TLSCertificate]?
    /// An error a C callback recorded during the current OpenSSL call.
    private var stashedError: TLSError?

    private enum State {
        case handshaking
        case established
        case failed(TLSError)
    }

    /// Starts a connection from `context`. A client sends its ClientHello at once (read it with
    /// `takeCiphertext`); `serverName` overrides the configuration's server name for this
    /// connection (SNI and certificate host name check) and must be nil for a server.
    public init(context: TLSContext, serverName: String? = nil) throws(TLSError) {
        let role = context.configuration.role
        let expectedName = serverName ?? context.configuration.serverName
        if role == .server, serverName != nil {
            throw TLSError(code: .invalidConfiguration, reason: "a server connection takes no server name")
        }
        if role == .client, expectedName?.isEmpty ?? true {
            throw TLSError(code: .invalidConfiguration, reason: "a client connection needs a server name")
        }
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.handle) else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot create an SSL object")
        }
        guard let bio = channel.makeBIO() else {
            SSL_free(ssl)
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot create the ciphertext BIO")
        }
        // One BIO for both directions: SSL_set_bio takes the single reference.
        SSL_set_bio(ssl, bio, bio)
        self.role = role
        self.ssl = ssl
        // From here on `deinit` frees `ssl` if init throws.
        _ = copenssl_set_app_data(ssl, Unmanaged.passUnretained(self).toOpaque())

        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            try configureServerName(expectedName ?? "")
            try advanceHandshake()
        }
    }

    deinit {
        SSL_free(ssl)
    }

    // MARK: - State

    private var isFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Whether the handshake finished and application data can flow.
    public var isHandshakeComplete: Bool {
        if case .established = state { return true }
        return false
    }

    /// The peer sent close_notify: no more plaintext will arrive. Answer with `close()`.
    public private(set) var isClosed = false

    /// `close()` was called: nothing more can be written, and close_notify is queued if the
    /// handshake had finished.
    public private(set) var isOutputClosed = false

    /// The ALPN protocol agreed in the handshake: always "h2" once it completes.
    public var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated version, e.g. "TLSv1.3"; nil until the handshake completes.
    public var protocolVersion: String? {
        guard isHandshakeComplete, let name = SSL_get_version(ssl) else { return nil }
        return String(cString: name)
    }

    /// The negotiated version as a value; nil until the handshake completes.
    public var negotiatedVersion: TLSVersion? {
        guard isHandshakeComplete else { return nil }
        return TLSVersion(openSSLVersion: SSL_version(ssl))
    }

    /// The negotiated cipher suite in OpenSSL's naming, e.g. "TLS_AES_256_GCM_SHA384" (TLS 1.3)
    /// or "ECDHE-ECDSA-AES128-GCM-SHA256" (TLS 1.2); nil until the handshake completes.
    public var cipherSuite: String? {
        guard isHandshakeComplete, let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else {
            return nil
        }
        return String(cString: name)
    }

    /// Server: the host name the client sent as SNI. Client: the name it sent.
    public var serverName: String? {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    /// The certificates the peer presented, leaf first, as it sent them; empty when it sent none
    /// (a server not asking for client certificates) or before the handshake completes. A
    /// completed handshake means they verified against the trust roots.
    public var peerCertificateChain: [TLSCertificate] {
        guard isHandshakeComplete else { return [] }
        if let cachedPeerCertificates { return cachedPeerCertificates }
        let chain = loadPeerCertificates()
        cachedPeerCertificates = chain
        return chain
    }

    /// The peer's leaf certificate, when it presented one.
    public var peerCertificate: TLSCertificate? {
        peerCertificateChain.first
    }

    /// Bytes are waiting to be sent to the peer.
    public var hasPendingCiphertext: Bool {
        !channel.outgoing.isEmpty
    }

    /// How many bytes are waiting to be sent; a transport can stop producing plaintext above a
    /// threshold so a slow peer never makes it buffer without bound.
    public var pendingCiphertextCount: Int {
        channel.outgoing.count
    }

    /// `readPlaintext` stopped at its byte budget and more is buffered: decrypted bytes, or
    /// received ciphertext it has not looked at yet. An edge-triggered socket will not report
    /// these bytes again, so the transport must come back for them on its own.
    ///
    /// False whenever the last `readPlaintext` ran dry (returned less than asked): OpenSSL then
    /// holds at most part of a record, which needs more bytes from the socket. So
    /// `while hasPendingPlaintext { readPlaintext(…) }` always ends.
    public var hasPendingPlaintext: Bool {
        guard isHandshakeComplete, !isClosed else { return false }
        return SSL_pending(ssl) > 0 || channel.incomingCount > 0
    }

    // MARK: - Ciphertext

    /// Feeds bytes read from the socket, advancing the handshake if it is still running.
    ///
    /// After the handshake the bytes are only buffered; `readPlaintext` decrypts them, and reports
    /// any alert or close_notify among them.
    public func receiveCiphertext(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        if case .failed(let error) = state { throw error }
        guard !bytes.isEmpty else { return }
        channel.receive(bytes)
        try advanceHandshake()
    }

    /// Feeds bytes read from the socket.
    public func receiveCiphertext(_ bytes: [UInt8]) throws(TLSError) {
        try bytes.withTypedUnsafeBytes(receiveCiphertext)
    }

    /// Appends every pending ciphertext byte to `buffer`, for the socket.
    public func takeCiphertext(into buffer: inout [UInt8]) {
        channel.takeOutgoing(into: &buffer)
    }

    /// Removes and returns every pending ciphertext byte.
    public func takeCiphertext() -> [UInt8] {
        var bytes: [UInt8] = []
        takeCiphertext(into: &bytes)
        return bytes
    }

    /// Moves up to `buffer.count` pending ciphertext bytes into `buffer`; returns how many.
    public func takeCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        channel.takeOutgoing(into: buffer)
    }

    // MARK: - Plaintext

    /// Decrypts into `buffer`; returns how many bytes, 0 when nothing is available yet, the
    /// handshake is still running, or the peer has closed (`isClosed`).
    public func readPlaintext(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> Int {
        if case .failed(let error) = state { throw error }
        guard isHandshakeComplete, !isClosed, let base = buffer.baseAddress else { return 0 }
        var total = 0
        reading: while total < buffer.count {
            OpenSSLErrorQueue.clear()
            var read = 0
            if SSL_read_ex(ssl, base + total, buffer.count - total, &read) == 1 {
                total += read
                continue
            }
            let status = SSL_get_error(ssl, 0)
            switch status {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                break reading
            case SSL_ERROR_ZERO_RETURN:
                isClosed = true
                break reading
            default:
                let error = fail(dataError(status))
                // Hand over what was decrypted before the failure; the next call throws.
                guard total > 0 else { throw error }
                break reading
            }
        }
        return total
    }

    /// Decrypts up to `maxBytes` and appends them to `buffer`; returns how many.
    @discardableResult
    public func readPlaintext(into buffer: inout [UInt8], maxBytes: Int = 65_536) throws(TLSError) -> Int {
        if case .failed(let error) = state { throw error }
        // Plaintext is never longer than the ciphertext it came from, so this bounds the read:
        // decrypted bytes, unread ciphertext, and at most one record OpenSSL has partly read.
        let partialRecord = SSL_has_pending(ssl) == 1 ? 16_384 : 0
        let available = Int(max(0, SSL_pending(ssl))) + channel.incomingCount + partialRecord
        let room = min(maxBytes, available)
        guard room > 0, isHandshakeComplete, !isClosed else { return 0 }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: room))
        do throws(TLSError) {
            let read = try buffer.withTypedUnsafeMutableBytes { (all) throws(TLSError) in
                try readPlaintext(into: UnsafeMutableRawBufferPointer(rebasing: all[start...]))
            }
            buffer.removeLast(room - read)
            return read
        } catch {
            buffer.removeLast(room)
            throw error
        }
    }

    /// Encrypts `bytes` for the peer; take the result with `takeCiphertext`.
    ///
    /// Before the handshake completes the bytes are held and encrypted the moment it does, so an
    /// HTTP/2 preface and SETTINGS can be queued at once. After `close()` this throws `.closed`.
    public func writePlaintext(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        if case .failed(let error) = state { throw error }
        if isOutputClosed {
            throw TLSError(code: .closed, reason: "close() was called; no more data can be sent")
        }
        guard !bytes.isEmpty else { return }
        guard isHandshakeComplete else {
            heldPlaintext.append(contentsOf: bytes)
            return
        }
        try encrypt(bytes)
    }

    /// Encrypts `bytes` for the peer.
    public func writePlaintext(_ bytes: [UInt8]) throws(TLSError) {
        try bytes.withTypedUnsafeBytes(writePlaintext)
    }

    /// Encrypts `bytes` and appends the result to `output`, after any ciphertext already pending:
    /// `writePlaintext` followed by `takeCiphertext(into:)`, but OpenSSL's records are written
    /// straight into `output` (a transport's socket buffer) instead of being copied there.
    public func writePlaintext(_ bytes: UnsafeRawBufferPointer, appendingCiphertextTo output: inout [UInt8])
        throws(TLSError)
    {
        channel.takeOutgoing(into: &output)
        guard isHandshakeComplete, !bytes.isEmpty, !isOutputClosed, !isFailed else {
            try writePlaintext(bytes)
            channel.takeOutgoing(into: &output)
            return
        }
        // `output` stands in for the channel's buffer while OpenSSL writes; swapping moves no bytes.
        swap(&output, &channel.outgoing)
        defer { swap(&output, &channel.outgoing) }
        try encrypt(bytes)
    }

    /// Queues close_notify; take it with `takeCiphertext`, then close the socket (or keep reading
    /// until `isClosed` for a full bidirectional close). Idempotent. Before the handshake completes
    /// there is nothing to send: just drop the socket.
    public func close() {
        guard !isOutputClosed else { return }
        isOutputClosed = true
        heldPlaintext = []
        guard isHandshakeComplete else { return }
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    // MARK: - Callbacks

    /// The connection whose `SSL` a callback received.
    static func owner(of ssl: OpaquePointer) -> TLSConnection? {
        guard let pointer = copenssl_get_app_data(ssl) else { return nil }
        return Unmanaged<TLSConnection>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Records the reason a callback failed the handshake; the first one wins.
    func stash(_ error: TLSError) {
        if stashedError == nil { stashedError = error }
    }

    // MARK: - Private

    private func configureServerName(_ name: String) throws(TLSError) {
        // SNI carries host names only (RFC 6066 §3); an IP address is verified but not sent.
        let isIPAddress: Bool
        if let address = a2i_IPADDRESS(name) {
            ASN1_OCTET_STRING_free(address)
            isIPAddress = true
        } else {
            OpenSSLErrorQueue.clear()
            isIPAddress = false
        }
        if !isIPAddress, copenssl_set_tlsext_host_name(ssl, name) != 1 {
            throw fail(OpenSSLErrorQueue.error(.invalidConfiguration, "cannot send server name '\(name)'"))
        }
        // SSL_set1_host treats a name that parses as an IP address as one.
        guard SSL_set1_host(ssl, name) == 1 else {
            throw fail(OpenSSLErrorQueue.error(.invalidConfiguration, "cannot verify against server name '\(name)'"))
        }
        X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl), UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
    }

    private func advanceHandshake() throws(TLSError) {
        guard case .handshaking = state else { return }
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            try completeHandshake()
            return
        }
        let status = SSL_get_error(ssl, result)
        if status == SSL_ERROR_WANT_READ || status == SSL_ERROR_WANT_WRITE { return }
        throw fail(handshakeError(status))
    }

    private func completeHandshake() throws(TLSError) {
        // The server's callbacks already refuse a client without h2; this also covers a server
        // that ignored the client's ALPN offer.
        guard negotiatedProtocol == "h2" else {
            throw fail(TLSError(
                code: .noApplicationProtocol,
                reason: role == .client ? "the server did not select ALPN h2" : "no ALPN protocol was negotiated"
            ))
        }
        state = .established
        if !heldPlaintext.isEmpty {
            let held = heldPlaintext
            heldPlaintext = []
            try held.withTypedUnsafeBytes(encrypt)
        }
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            OpenSSLErrorQueue.clear()
            var written = 0
            if SSL_write_ex(ssl, base + offset, bytes.count - offset, &written) == 1 {
                offset += written
                continue
            }
            // The ciphertext BIO never refuses bytes, so any failure here is fatal.
            throw fail(dataError(SSL_get_error(ssl, 0)))
        }
    }

    /// Classifies a failed `SSL_do_handshake`.
    private func handshakeError(_ status: Int32) -> TLSError {
        let entries = OpenSSLErrorQueue.drain()
        let texts = entries.map(\.text)
        if let stashed = stashedError {
            stashedError = nil
            return TLSError(
                code: stashed.code,
                reason: stashed.reason,
                verificationReason: stashed.verificationReason,
                alert: stashed.alert,
                openSSLErrors: stashed.openSSLErrors + texts
            )
        }
        let sslReasons = entries.filter { $0.library == ERR_LIB_SSL }.map(\.reason)
        let verifyResult = SSL_get_verify_result(ssl)
        if sslReasons.contains(SSL_R_CERTIFICATE_VERIFY_FAILED) || verifyResult != Int(X509_V_OK) {
            let text = X509_verify_cert_error_string(verifyResult).map { String(cString: $0) } ?? "unknown"
            return TLSError(
                code: .certificateVerificationFailed,
                reason: role == .client
                    ? "the server certificate did not verify"
                    : "the client certificate did not verify",
                verificationReason: text,
                openSSLErrors: texts
            )
        }
        if sslReasons.contains(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
            return TLSError(
                code: .certificateVerificationFailed,
                reason: "the client presented no certificate, but one is required",
                verificationReason: "no certificate presented",
                openSSLErrors: texts
            )
        }
        if let alert = receivedAlert(sslReasons) {
            return TLSError(
                code: alert == Int(SSL_AD_NO_APPLICATION_PROTOCOL) ? .noApplicationProtocol : .alertReceived,
                reason: "the peer rejected the handshake",
                alert: alert,
                openSSLErrors: texts
            )
        }
        return TLSError(
            code: .handshakeFailed,
            reason: status == SSL_ERROR_SYSCALL ? "the handshake ended unexpectedly" : "the handshake failed",
            openSSLErrors: texts
        )
    }

    /// Classifies a failed `SSL_read_ex`/`SSL_write_ex` after the handshake.
    private func dataError(_ status: Int32) -> TLSError {
        let entries = OpenSSLErrorQueue.drain()
        let texts = entries.map(\.text)
        let sslReasons = entries.filter { $0.library == ERR_LIB_SSL }.map(\.reason)
        if let alert = receivedAlert(sslReasons) {
            // TLS 1.3: a server rejects the client certificate after the client already finished.
            let certificateAlerts = [
                SSL_AD_CERTIFICATE_REQUIRED, SSL_AD_BAD_CERTIFICATE, SSL_AD_UNKNOWN_CA, SSL_AD_CERTIFICATE_UNKNOWN,
                SSL_AD_UNSUPPORTED_CERTIFICATE, SSL_AD_CERTIFICATE_EXPIRED, SSL_AD_CERTIFICATE_REVOKED,
            ].map(Int.init)
            return TLSError(
                code: .alertReceived,
                reason: certificateAlerts.contains(alert)
                    ? "the peer rejected this side's certificate"
                    : "the peer ended the connection with an alert",
                alert: alert,
                openSSLErrors: texts
            )
        }
        return TLSError(
            code: .protocolError,
            reason: status == SSL_ERROR_SYSCALL ? "the TLS stream ended unexpectedly" : "invalid TLS data",
            openSSLErrors: texts
        )
    }

    /// The alert number when OpenSSL reports an alert received from the peer (reason codes
    /// `SSL_AD_REASON_OFFSET + alert`).
    private func receivedAlert(_ sslReasons: [Int32]) -> Int? {
        sslReasons.first { $0 > SSL_AD_REASON_OFFSET && $0 < SSL_AD_REASON_OFFSET + 256 }
            .map { Int($0 - SSL_AD_REASON_OFFSET) }
    }

    private func fail(_ error: TLSError) -> TLSError {
        state = .failed(error)
        heldPlaintext = []
        return error
    }

    private func loadPeerCertificates() -> [TLSCertificate] {
        var owners: [OwnedX509] = []
        // The client's chain starts with the server's leaf; the server's omits the client's leaf.
        if role == .server, let leaf = SSL_get1_peer_certificate(ssl) {
            owners.append(OwnedX509(takingOwnership: leaf))
        }
        var borrowed: [OpaquePointer] = owners.map(\.pointer)
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<copenssl_sk_x509_num(stack) {
                if let x509 = copenssl_sk_x509_value(stack, index) { borrowed.append(x509) }
            }
        }
        var chain: [TLSCertificate] = []
        for x509 in borrowed {
            if let certificate = try? TLSCertificate(borrowing: x509) { chain.append(certificate) }
        }
        withExtendedLifetime(owners) {}
        return chain
    }
}

/// Confined to one thread: see the type's documentation.
@available(*, unavailable)
extension TLSConnection: Sendable {}
