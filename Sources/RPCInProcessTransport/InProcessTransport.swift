// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport

import RPCCore
import Synchronization

/// A client transport that runs each call straight through an `RPCRouter` in the same process:
/// no sockets, no HTTP/2, the same handlers, interceptors and status mapping as the server.
///
/// Service tests and benchmarks call generated clients (`…_Client(transport:)`) over it. Messages
/// still cross as serialized bytes, so the codecs of both sides run, and the transport keeps the
/// behaviour a client sees over the network: UNIMPLEMENTED for an unknown path, a thrown error's
/// status, trailing metadata and `grpc-status-details-bin`, UNKNOWN for an error that is not
/// `RPCErrorConvertible`, RESOURCE_EXHAUSTED for a request message over the receive limit,
/// DEADLINE_EXCEEDED and a cancelled handler when a timeout expires, CANCELLED and a cancelled
/// handler when the client cancels (or its task is cancelled), and metadata that could not cross
/// HTTP/2 (reserved or `grpc-` keys, unprintable values) dropped on the way. Both directions are
/// bounded: a sender waits while the other side has `bufferedBytesLimit` unread bytes.
///
/// Handlers run as child tasks of a task group that lives exactly as long as the closure passed
/// to `withTransport`, so none outlives the test or benchmark that started it. A scoped closure
/// rather than a `run()` method: every user is a test or a benchmark with one scope, and the
/// closure cannot forget to shut the transport down.
public final class InProcessTransport: ClientTransport {
    /// The peer every handler sees in its `ServerContext` (tests set a certificate chain to stand
    /// for a mutual-TLS client).
    public let peer: Peer
    /// Metadata sent before each call's own, such as a credential shared by every call.
    public let metadata: Metadata
    /// The largest request message a handler receives; a larger one ends the call with
    /// RESOURCE_EXHAUSTED, as the HTTP/2 server's default limit does.
    public let maximumReceiveMessageSize: Int

    /// The unread bytes, in either direction, above which a sender waits for its reader.
    public static let bufferedBytesLimit = 256 * 1024
    /// The HTTP/2 server's default receive limit: 4 MiB.
    public static let defaultMaximumReceiveMessageSize = 4 * 1024 * 1024

    private let router: RPCRouter
    private let runs: AsyncStream<HandlerRun>.Continuation
    private let registry = Mutex<Registry>(Registry())

    /// Calls whose handler has not ended, so shutting down can end them.
    private struct Registry {
        var closed = false
        var calls: [ObjectIdentifier: InProcessCall] = [:]
    }

    private init(
        router: RPCRouter, peer: Peer, metadata: Metadata, maximumReceiveMessageSize: Int,
        runs: AsyncStream<HandlerRun>.Continuation
    ) {
        self.router = router
        self.peer = peer
        self.metadata = metadata
        self.maximumReceiveMessageSize = maximumReceiveMessageSize
        self.runs = runs
    }

    /// Runs `body` with a transport whose calls are handled by `router`, then ends every call
    /// still open (UNAVAILABLE, handler cancelled) and waits for its handler before returning.
    ///
    /// - Parameters:
    ///   - router: the routes and interceptors, as the server would be built with them.
    ///   - peer: the peer every call appears to come from.
    ///   - metadata: added to the front of every call's request metadata.
    ///   - maximumReceiveMessageSize: the request message limit (4 MiB, as the server's default).
    public static func withTransport<Value>(
        router: RPCRouter,
        peer: Peer = Peer(address: "in-process"),
        metadata: Metadata = [:],
        maximumReceiveMessageSize: Int = defaultMaximumReceiveMessageSize,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (InProcessTransport) async throws -> Value
    ) async throws -> Value {
        let (stream, continuation) = AsyncStream.makeStream(of: HandlerRun.self)
        let transport = InProcessTransport(
            router: router, peer: peer, metadata: metadata, maximumReceiveMessageSize: maximumReceiveMessageSize,
            runs: continuation)
        let outcome = await withTaskGroup(of: Void.self, returning: Result<Value, any Error>.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { handlers in
                    for await run in stream {
                        handlers.addTask {
                            await run.run()
                            transport.handlerEnded(run.call)
                        }
                    }
                }
            }
            let outcome: Result<Value, any Error>
            do {
                outcome = .success(try await body(transport))
            } catch {
                outcome = .failure(error)
            }
            transport.shutDown()
            group.cancelAll()
            await group.waitForAll()
            return outcome
        }
        return try outcome.get()
    }

    public func openCall(path: String, metadata: Metadata, timeout: Duration?) async throws -> any ClientCall {
        let call = InProcessCall(maximumRequestSize: maximumReceiveMessageSize)
        guard let route = router.route(forPath: path) else {
            call.fail(Self.unimplementedStatus(path: path, router: router))
            return call
        }
        var requestMetadata = self.metadata
        for entry in metadata { requestMetadata.append(entry) }
        let context = ServerContext(
            method: route.schema, requestMetadata: requestMetadata.crossingTheWire, peer: peer,
            deadline: timeout.map { ContinuousClock.now.advanced(by: $0) })
        let run = HandlerRun(call: call, route: route, router: router, context: context)
        let accepted = registry.withLock { registry -> Bool in
            guard !registry.closed else { return false }
            registry.calls[ObjectIdentifier(call)] = call
            runs.yield(run)
            return true
        }
        if !accepted { call.fail(Self.shutDownStatus) }
        return call
    }

    /// What the HTTP/2 server answers for a path with no route: the method or the whole service
    /// is unknown.
    static func unimplementedStatus(path: String, router: RPCRouter) -> Status {
        let service = path.split(separator: "/").first.map(String.init) ?? ""
        let message =
            router.hasService(service) ? "method \(path) is not implemented" : "service \(service) is not implemented"
        return Status(code: .unimplemented, message: message)
    }

    static let shutDownStatus = Status(code: .unavailable, message: "the in-process transport has shut down")

    private func handlerEnded(_ call: InProcessCall) {
        _ = registry.withLock { $0.calls.removeValue(forKey: ObjectIdentifier(call)) }
    }

    /// Refuses new calls and ends every open one; their handlers see cancellation.
    private func shutDown() {
        let open = registry.withLock { registry -> [InProcessCall] in
            registry.closed = true
            defer { registry.calls.removeAll() }
            return Array(registry.calls.values)
        }
        runs.finish()
        for call in open { call.fail(Self.shutDownStatus) }
    }
}
