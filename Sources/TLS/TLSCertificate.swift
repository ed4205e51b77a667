// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// An X.509 certificate as plain Swift values: its DER bytes and the fields authorization needs.
///
/// Copied out of OpenSSL when created, so it is `Sendable` and outlives the connection: the
/// authentication interceptor can map a peer's subject, SAN or fingerprint to a principal
/// without touching C.
public struct TLSCertificate: Hashable, Sendable {
    /// A subject alternative name of a kind used for identity.
    public enum SubjectAlternativeName: Hashable, Sendable, CustomStringConvertible {
        /// A DNS name, e.g. "localhost".
        case dnsName(String)
        /// An IP address in text form, e.g. "127.0.0.1" or "::1".
        case ipAddress(String)
        /// A URI, e.g. a SPIFFE ID "spiffe://usage.internal/recon/distributor/PA-123".
        case uri(String)
        /// An e-mail address.
        case email(String)

        public var description: String {
            switch self {
            case .dnsName(let name): "DNS:\(name)"
            case .ipAddress(let address): "IP:\(address)"
            case .uri(let uri): "URI:\(uri)"
            case .email(let email): "email:\(email)"
            }
        }
    }

    /// The certificate in DER encoding.
    public let der: [UInt8]
    /// The subject as a one-line RFC 2253 string, most specific part first, e.g.
    /// "CN=localhost,O=UsageFlow Development".
    public let subject: String
    /// The issuer, in the same form as `subject`.
    public let issuer: String
    /// SHA-256 over `der`: the certificate's fingerprint for pinning and principal lookup.
    public let sha256Fingerprint: [UInt8]
    /// The DNS, IP address, URI and e-mail subject alternative names, in certificate order.
    public let subjectAlternativeNames: [SubjectAlternativeName]

    /// `sha256Fingerprint` as lowercase hex without separators.
    public var sha256FingerprintHex: String {
        TLSCertificate.hex(sha256Fingerprint)
    }

    /// Parses one DER-encoded certificate.
    public init(der: [UInt8]) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let parsed else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "bytes are not a DER certificate")
        }
        let owner = OwnedX509(takingOwnership: parsed)
        try self.init(borrowing: owner.pointer)
    }

    /// Every certificate in PEM text, in order (a chain file, a CA bundle).
    public static func certificates(fromPEM pem: TLSConfiguration.PEM) throws(TLSError) -> [TLSCertificate] {
        var result: [TLSCertificate] = []
        for owner in try PEMReader.certificates(from: pem, what: "certificates") {
            result.append(try TLSCertificate(borrowing: owner.pointer))
        }
        return result
    }

    /// Copies the fields of a certificate OpenSSL still owns; the pointer is not kept.
    init(borrowing x509: OpaquePointer) throws(TLSError) {
        let length = i2d_X509(x509, nil)
        guard length > 0 else {
            throw OpenSSLErrorQueue.error(.protocolError, "cannot encode a certificate as DER")
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509(x509, &cursor)
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        guard X509_digest(x509, EVP_sha256(), &digest, &digestLength) == 1 else {
            throw OpenSSLErrorQueue.error(.protocolError, "cannot hash a certificate")
        }
        self.der = der
        self.sha256Fingerprint = Array(digest.prefix(Int(digestLength)))
        self.subject = TLSCertificate.rfc2253(X509_get_subject_name(x509))
        self.issuer = TLSCertificate.rfc2253(X509_get_issuer_name(x509))
        self.subjectAlternativeNames = TLSCertificate.alternativeNames(x509)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, copenssl_xn_flag_rfc2253()) >= 0 else { return "" }
        let count = copenssl_bio_pending(bio)
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(clamping: $0.count)) }
        return String(decoding: bytes.prefix(max(0, Int(read))), as: UTF8.self)
    }

    private static func alternativeNames(_ x509: OpaquePointer) -> [SubjectAlternativeName] {
        guard let extensionValue = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else {
            ERR_clear_error()
            return []
        }
        let names = OpaquePointer(extensionValue)
        defer { GENERAL_NAMES_free(names) }
        var result: [SubjectAlternativeName] = []
        for index in 0..<copenssl_sk_general_name_num(names) {
            var type: Int32 = 0
            guard let string = copenssl_general_name_string(names, index, &type),
                  let data = ASN1_STRING_get0_data(string)
            else { continue }
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
            switch type {
            case GEN_DNS: result.append(.dnsName(String(decoding: bytes, as: UTF8.self)))
            case GEN_URI: result.append(.uri(String(decoding: bytes, as: UTF8.self)))
            case GEN_EMAIL: result.append(.email(String(decoding: bytes, as: UTF8.self)))
            case GEN_IPADD: result.append(.ipAddress(ipAddressText(bytes)))
            default: continue
            }
        }
        return result
    }

    private static func ipAddressText(_ bytes: [UInt8]) -> String {
        switch bytes.count {
        case 4:
            return bytes.map { String($0) }.joined(separator: ".")
        case 16:
            // RFC 5952: lowercase hex groups, the longest run of two or more zero groups as "::".
            let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
            var bestStart = -1, bestLength = 0, runStart = -1
            for index in 0...8 {
                if index < 8 && groups[index] == 0 {
                    if runStart < 0 { runStart = index }
                } else if runStart >= 0 {
                    if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                    runStart = -1
                }
            }
            let text = groups.map { String($0, radix: 16) }
            guard bestLength >= 2 else { return text.joined(separator: ":") }
            let head = text[..<bestStart].joined(separator: ":")
            let tail = text[(bestStart + bestLength)...].joined(separator: ":")
            return head + "::" + tail
        default:
            return hex(bytes)
        }
    }
}
