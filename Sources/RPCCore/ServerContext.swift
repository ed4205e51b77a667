// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

import ProtoWire

/// Who is on the other end of a call's connection.
public struct Peer: Sendable, Hashable {
    /// `ipv4:127.0.0.1:50123`, `ipv6:[::1]:50123`, or `in-process`.
    public var address: String
    /// The client's certificate chain, leaf first, when it presented one over mutual TLS.
    public var certificateChain: [PeerCertificate]

    public init(address: String, certificateChain: [PeerCertificate] = []) {
        self.address = address
        self.certificateChain = certificateChain
    }
}

/// A certificate the peer presented, as the authorization layer needs it.
public struct PeerCertificate: Sendable, Hashable {
    /// The subject as a one-line RFC 2253 string, such as `CN=billing,O=Distributor`.
    public var subject: String
    public var issuer: String
    /// SHA-256 of the DER encoding, for pinning.
    public var sha256Fingerprint: [UInt8]
    public var der: [UInt8]

    public init(subject: String, issuer: String, sha256Fingerprint: [UInt8], der: [UInt8]) {
        self.subject = subject
        self.issuer = issuer
        self.sha256Fingerprint = sha256Fingerprint
        self.der = der
    }
}

/// Everything a handler knows about its call besides the messages.
public struct ServerContext: Sendable {
    public let method: MethodSchema
    public let requestMetadata: Metadata
    public let peer: Peer
    /// When the client stops waiting, from `grpc-timeout`; the handler's task is cancelled then.
    public let deadline: ContinuousClock.Instant?
    /// Values interceptors attach for handlers (the authenticated principal, a request id).
    public var values: ContextValues

    public init(
        method: MethodSchema, requestMetadata: Metadata, peer: Peer, deadline: ContinuousClock.Instant?,
        values: ContextValues = ContextValues()
    ) {
        self.method = method
        self.requestMetadata = requestMetadata
        self.peer = peer
        self.deadline = deadline
        self.values = values
    }
}

/// Typed storage keyed by a key type, so modules attach values without knowing each other.
public struct ContextValues: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: ContextKey>(_ key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}

/// A key for `ContextValues`.
public protocol ContextKey {
    associatedtype Value: Sendable
}
