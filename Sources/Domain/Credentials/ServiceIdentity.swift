// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A distributor's service identity, `SI-ddd-ddd`: a client certificate that authenticates over
/// mutual TLS, matched by the subject of a certificate our client CA issued, or pinned by the
/// SHA-256 fingerprint of one certificate.
public struct ServiceIdentity: Sendable, Hashable {
    public var id: String
    public var distributorID: String
    public var name: String
    /// RFC 2253 subject, such as `CN=billing,O=Acme`; nil when pinned by fingerprint.
    public var subject: String?
    /// 64 lower-case hex digits; nil when matched by subject.
    public var sha256Fingerprint: String?
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public init(
        id: String, distributorID: String, name: String, subject: String?, sha256Fingerprint: String?,
        createdAt: Timestamp, revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.distributorID = distributorID
        self.name = name
        self.subject = subject
        self.sha256Fingerprint = sha256Fingerprint
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}
