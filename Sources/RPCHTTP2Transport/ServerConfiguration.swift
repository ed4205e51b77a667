// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import HTTP2
import TLS

/// Everything that shapes a server's listening socket, security and limits.
public struct ServerConfiguration: Sendable {
    /// How connections are secured.
    public enum Security: Sendable {
        /// TLS 1.2/1.3 with ALPN `h2` (the default for every deployment).
        case tls(TLSConfiguration)
        /// Cleartext HTTP/2 with prior knowledge, for local use behind a TLS-terminating proxy.
        case plaintextHTTP2
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// Event-loop threads; one per core by default.
    public var eventLoopCount: Int
    public var http2 = HTTP2Settings()
    /// The largest request message accepted, decided from the length prefix.
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// Response bytes a stream may have that HTTP/2 has not framed yet before its handler's `send`
    /// waits (the message that crosses the mark is still accepted).
    public var streamHighWaterMark = 64 * 1024
    /// The connection's outbound memory budget: response bytes of all its streams not yet framed.
    /// At or above it every `send` on the connection waits after queueing its message and new calls
    /// wait before their handler starts, so a client that stops reading pins about this much plus
    /// one message per call already running.
    public var connectionOutboundLimit = 4 * 1024 * 1024
    /// Complete request messages queued for a handler before the client's window stays closed.
    public var inboundHighWaterMark = 1024 * 1024
    /// Handlers running at once on one connection; further streams are refused.
    public var maxRunningHandlersPerConnection = 100
    public var maxConnections = 10_000
    public var maxConnectionsPerIP = 1_000
    public var handshakeTimeout: Duration = .seconds(10)
    /// From accept until the first complete request headers (preface + SETTINGS + HEADERS).
    public var firstRequestTimeout: Duration = .seconds(20)
    /// A connection with no open streams for this long is closed with GOAWAY.
    public var idleTimeout: Duration = .seconds(300)
    /// A connection whose pending output makes no progress for this long is closed, whether the
    /// socket or the client's flow-control windows hold it back; a single stream stuck this long
    /// while others move is reset.
    public var writeStallTimeout: Duration = .seconds(30)
    /// How long in-flight calls may run after a graceful shutdown begins.
    public var shutdownGracePeriod: Duration = .seconds(10)

    public init(host: String = "127.0.0.1", port: Int = 0, security: Security, eventLoopCount: Int? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.eventLoopCount = eventLoopCount ?? max(1, Self.coreCount())
    }

    static func coreCount() -> Int {
        #if os(Linux)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
