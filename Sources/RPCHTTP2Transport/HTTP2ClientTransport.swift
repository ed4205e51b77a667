// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import HTTP2
import RPCCore
import TLS

/// A gRPC client transport: one HTTP/2 connection (TLS or cleartext) on an event loop of its own,
/// built on the same engines as the server. Used by tests, the CLI and the benchmarks.
public final class HTTP2ClientTransport: ClientTransport {
    public enum Security: Sendable {
        case tls(TLSConfiguration)
        case plaintextHTTP2
    }

    private let loop: EventLoop
    private let connection: LoopBound<ClientConnection>
    /// Keeps the loop-confined connection alive; only touched on the loop.
    private let owner: ConnectionOwner

    /// Response bytes buffered per call before `send` waits.
    public static let streamHighWaterMark = 256 * 1024

    private init(loop: EventLoop, connection: ClientConnection) {
        self.loop = loop
        self.connection = LoopBound(connection)
        self.owner = ConnectionOwner(connection)
    }

    /// Connects and waits until the connection is ready (TCP connected and, for TLS, handshake done).
    public static func connect(
        host: String, port: Int, security: Security, settings: HTTP2Settings = HTTP2Settings(),
        maximumMessageSize: Int = 4 * 1024 * 1024
    ) async throws -> HTTP2ClientTransport {
        let loop = try EventLoop(index: 0)
        try loop.start()
        let fd = try Socket.connect(host: host, port: port)
        let tls: TLSConnection?
        switch security {
        case .tls(let configuration):
            tls = try TLSConnection(context: TLSContext(configuration: configuration), serverName: configuration.serverName)
        case .plaintextHTTP2:
            tls = nil
        }
        let connection = try ClientConnection(
            fd: fd, loop: loop, tls: tls, authority: "\(host):\(port)", settings: settings,
            maximumMessageSize: maximumMessageSize)
        let transport = HTTP2ClientTransport(loop: loop, connection: connection)
        let bound = transport.connection
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                loop.execute {
                    guard let connection = bound.value else { return }
                    do {
                        try connection.start()
                        connection.flush()
                        connection.waitUntilReady(continuation)
                    } catch {
                        connection.close(reason: "\(error)")
                        continuation.resume(throwing: error)
                    }
                }
            }
        } catch {
            transport.close()
            throw error
        }
        return transport
    }

    public func openCall(path: String, metadata: Metadata, timeout: Duration?) async throws -> any ClientCall {
        let loop = self.loop
        let connection = self.connection
        let stream = ClientStream(
            highWaterMark: Self.streamHighWaterMark,
            notifyLoop: { stream in loop.execute { connection.value?.pushOutput(stream) } },
            cancelOnLoop: { stream in loop.execute { connection.value?.cancel(stream) } })
        loop.execute { connection.value?.enqueue(stream, path: path, metadata: metadata, timeout: timeout) }
        return stream
    }

    /// Sends GOAWAY, closes the connection and stops the loop.
    public func close() {
        let connection = self.connection
        let owner = self.owner
        loop.execute {
            connection.value?.shutdown()
            owner.release()
        }
        loop.stopAndJoin()
    }
}

/// Holds the strong reference to a loop-confined connection.
///
/// @unchecked Sendable: `release()` and the reference are only used on the connection's loop.
final class ConnectionOwner: @unchecked Sendable {
    private var connection: ClientConnection?
    init(_ connection: ClientConnection) { self.connection = connection }
    func release() { connection = nil }
}
