// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// A TLS protocol version this engine will negotiate: 1.2 or 1.3, never older.
///
/// HTTP/2 requires TLS 1.2 or newer (RFC 9113 §9.2), so older versions cannot even be expressed.
/// A struct rather than an enum so a future version can be added without breaking callers.
public struct TLSVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    let rawValue: Int32

    private init(rawValue: Int32) { self.rawValue = rawValue }

    /// TLS 1.2 (RFC 5246), with ECDHE key exchange and AEAD ciphers only.
    public static let tls1_2 = TLSVersion(rawValue: TLS1_2_VERSION)
    /// TLS 1.3 (RFC 8446).
    public static let tls1_3 = TLSVersion(rawValue: TLS1_3_VERSION)

    /// Maps OpenSSL's version number to a supported version, or nil for anything else.
    init?(openSSLVersion: Int32) {
        switch openSSLVersion {
        case TLS1_2_VERSION: self = .tls1_2
        case TLS1_3_VERSION: self = .tls1_3
        default: return nil
        }
    }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name OpenSSL uses, e.g. "TLSv1.3".
    public var description: String { self == .tls1_3 ? "TLSv1.3" : "TLSv1.2" }
}
