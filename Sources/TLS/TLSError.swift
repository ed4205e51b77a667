// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

/// A TLS failure: what went wrong, in our words, plus the OpenSSL detail behind it.
///
/// A struct over a private code enum, so new kinds of failure never break callers that match on
/// the public static codes. `description` is safe to log: it holds library error strings and
/// certificate-verification reasons, never key material or plaintext. It is not meant for remote
/// peers; map it to a generic status at the service boundary.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable {
            case invalidConfiguration, privateKeyMismatch, handshakeFailed, certificateVerificationFailed
            case noApplicationProtocol, alertReceived, protocolError, closed
        }
        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        /// The configuration cannot be used: a missing or unreadable file, PEM without a
        /// certificate or key, a client certificate without its key, or an impossible version range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The private key does not belong to the leaf certificate.
        public static let privateKeyMismatch = Code(.privateKeyMismatch)
        /// The handshake failed for a reason not covered by a more specific code (no shared
        /// version or cipher, malformed handshake bytes, …).
        public static let handshakeFailed = Code(.handshakeFailed)
        /// The peer's certificate was missing where required, or did not verify against the trust
        /// roots or the expected host name; `verificationReason` says why.
        public static let certificateVerificationFailed = Code(.certificateVerificationFailed)
        /// The peers did not agree on ALPN `h2`, the only protocol this engine speaks.
        public static let noApplicationProtocol = Code(.noApplicationProtocol)
        /// The peer ended the connection with a fatal alert; `alert` holds its number.
        public static let alertReceived = Code(.alertReceived)
        /// Bytes after the handshake were not valid TLS records (bad MAC, bad length, …).
        public static let protocolError = Code(.protocolError)
        /// The connection was closed or has already failed; no more data can be sent.
        public static let closed = Code(.closed)

        public var description: String {
            switch raw {
            case .invalidConfiguration: "invalid TLS configuration"
            case .privateKeyMismatch: "private key does not match the certificate"
            case .handshakeFailed: "TLS handshake failed"
            case .certificateVerificationFailed: "certificate verification failed"
            case .noApplicationProtocol: "peer does not support ALPN h2"
            case .alertReceived: "peer sent a fatal TLS alert"
            case .protocolError: "TLS protocol error"
            case .closed: "TLS connection closed"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation in our own words (which file, which step).
    public let reason: String
    /// Why certificate verification failed, from `X509_verify_cert_error_string`, e.g. "hostname
    /// mismatch" or "unable to get local issuer certificate".
    public let verificationReason: String?
    /// The TLS alert number the peer sent (e.g. 120 `no_application_protocol`, 116
    /// `certificate_required`), when the failure is an alert received from it.
    public let alert: Int?
    /// The OpenSSL error queue at the time of the failure, oldest first, as
    /// `ERR_error_string_n` renders it.
    public let openSSLErrors: [String]

    public init(
        code: Code,
        reason: String,
        verificationReason: String? = nil,
        alert: Int? = nil,
        openSSLErrors: [String] = []
    ) {
        self.code = code
        self.reason = reason
        self.verificationReason = verificationReason
        self.alert = alert
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        var text = "\(code): \(reason)"
        if let verificationReason { text += " (verify: \(verificationReason))" }
        if let alert { text += " (alert \(alert))" }
        if !openSSLErrors.isEmpty { text += " [" + openSSLErrors.joined(separator: "; ") + "]" }
        return text
    }
}
