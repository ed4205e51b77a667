// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import Contracts
import RPCCore
import Synchronization

/// The gRPC health checking protocol (`grpc.health.v1.Health`), for load balancers, orchestrators
/// and `grpc_health_probe`.
///
/// The server owns one instance: it registers it on the router and keeps it to report status
/// changes (`setStatus`) and to mark everything NOT_SERVING when shutdown begins
/// (`shutdownAll`). It is a class, unlike our stateless services, because that status table is
/// shared state; a `Mutex` guards it since every critical section is a few dictionary operations.
///
/// Watch streams are pushed to, never polled: each open Watch keeps an `AsyncStream`
/// continuation in the table, and a change yields to the continuations of that service. Each
/// stream buffers only the newest status, so a client that stops reading costs one value, not a
/// growing queue, and still sees the latest status when it resumes.
public final class HealthService: Grpc_Health_V1_Health_SimpleServiceProtocol, Sendable {
    public typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private let table: Mutex<HealthTable>

    /// A service that knows `statuses`, keyed by fully-qualified service name; the empty name is
    /// the server as a whole, SERVING by default as in grpc-go and grpc-java.
    public init(statuses: [String: ServingStatus] = ["": .serving]) {
        table = Mutex(HealthTable(statuses: statuses))
    }

    /// Records the status of `service` ("" for the whole server) and tells its watchers if it
    /// changed. Ignored once `shutdownAll()` has run.
    public func setStatus(_ status: ServingStatus, for service: String = "") {
        table.withLock { $0.setStatus(status, for: service) }
    }

    /// The recorded status of `service`, or nil if it was never set.
    public func status(for service: String) -> ServingStatus? {
        table.withLock { $0.status(for: service) }
    }

    /// Marks every service NOT_SERVING for good, sends that to every watcher and ends their Watch
    /// streams, so clients move away and the drain that follows does not wait on them. Call it
    /// when graceful shutdown begins; later `setStatus` calls are ignored.
    public func shutdownAll() {
        table.withLock { $0.shutDown() }
    }

    /// How many Watch streams are open (for tests and metrics).
    public var watcherCount: Int { table.withLock { $0.watcherCount } }

    public func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = status(for: request.service) else {
            throw RPCError(code: .notFound, message: "unknown service: \(request.service)")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    /// Sends the current status, then every change, until the client cancels (the handler's task
    /// is cancelled, which ends the `AsyncStream`) or `shutdownAll()` ends the stream.
    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest,
        response: ResponseWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        let service = request.service
        let (updates, continuation) = AsyncStream.makeStream(of: ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
        let id = table.withLock { $0.addWatcher(continuation, for: service) }
        defer {
            if let id { table.withLock { $0.removeWatcher(id, for: service) } }
        }
        for await status in updates {
            var message = Grpc_Health_V1_HealthCheckResponse()
            message.status = status
            try await response.write(message)
        }
        try Task.checkCancellation()
    }
}
