// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/StandardServices/HealthService.swift

import Contracts
import RPCCore
import StandardServices
import Testing

@Suite("HealthService", .timeLimit(.minutes(1)))
struct HealthServiceTests {
    typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus
    typealias Call = InMemoryCall<Grpc_Health_V1_HealthCheckRequest, Grpc_Health_V1_HealthCheckResponse>

    let health = HealthService()
    let router: RPCRouter

    init() {
        var router = RPCRouter()
        router.register(health)
        self.router = router
    }

    func request(_ service: String) -> Grpc_Health_V1_HealthCheckRequest {
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = service
        return request
    }

    func check(_ service: String) async throws -> Status? {
        try await Call(router, Grpc_Health_V1_Health.Check.schema).exchange(request(service)).first?.status
    }

    func watch(_ service: String, responseGate: Gate = Gate(open: true)) throws -> Call {
        let call = try Call(router, Grpc_Health_V1_Health.Watch.schema, responseGate: responseGate)
        call.send(request(service))
        call.finishSending()
        return call
    }

    /// Waits until the service has registered `count` watchers; only for setting up races.
    func waitForWatchers(_ count: Int) async {
        while health.watcherCount != count { await Task.yield() }
    }

    // MARK: Check

    @Test func checkReportsTheServerAsServingByDefault() async throws {
        #expect(try await check("") == .serving)
        #expect(health.status(for: "") == .serving)
    }

    @Test func checkReportsAKnownServicesStatus() async throws {
        health.setStatus(.notServing, for: "usageflow.v1.VendorService")
        #expect(try await check("usageflow.v1.VendorService") == .notServing)
        health.setStatus(.serving, for: "usageflow.v1.VendorService")
        #expect(try await check("usageflow.v1.VendorService") == .serving)
    }

    @Test func checkOfAnUnknownServiceIsNotFound() async throws {
        let error = await #expect(throws: RPCError.self) { try await check("no.such.Service") }
        #expect(error?.code == .notFound)
    }

    // MARK: Watch

    @Test func watchSendsTheCurrentStatusThenEachChangeUntilTheClientCancels() async throws {
        health.setStatus(.serving, for: "svc")
        let call = try watch("svc")
        #expect(try await call.receive()?.status == .serving)

        health.setStatus(.serving, for: "svc")  // unchanged: no message
        health.setStatus(.notServing, for: "svc")
        #expect(try await call.receive()?.status == .notServing)
        health.setStatus(.serving, for: "svc")
        #expect(try await call.receive()?.status == .serving)

        call.cancel()
        #expect(try await call.receive() == nil)
        let outcome = await call.outcome
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(health.watcherCount == 0)
    }

    @Test func watchOfAnUnknownServiceSendsServiceUnknownAndStaysOpen() async throws {
        let call = try watch("later.Service")
        #expect(try await call.receive()?.status == .serviceUnknown)
        #expect(health.watcherCount == 1)  // still open: the handler waits for changes
        health.setStatus(.serving, for: "later.Service")
        #expect(try await call.receive()?.status == .serving)
        call.cancel()
        _ = await call.outcome
        #expect(health.watcherCount == 0)
    }

    @Test func eachWatcherSeesOnlyItsOwnServicesChanges() async throws {
        let a = try watch("a")
        let b = try watch("b")
        #expect(try await a.receive()?.status == .serviceUnknown)
        #expect(try await b.receive()?.status == .serviceUnknown)
        health.setStatus(.notServing, for: "a")
        health.setStatus(.serving, for: "b")
        #expect(try await a.receive()?.status == .notServing)
        #expect(try await b.receive()?.status == .serving)
        a.cancel()
        b.cancel()
    }

    @Test func aWatcherThatDoesNotReadGetsOnlyTheLatestStatus() async throws {
        let gate = Gate()
        let call = try watch("", responseGate: gate)
        // The handler is now stuck sending the first message, as if the client stopped reading.
        #expect(try await call.receive()?.status == .serving)
        for status: Status in [.notServing, .serving, .notServing, .unknown] {
            health.setStatus(status, for: "")
        }
        gate.open()
        #expect(try await call.receive()?.status == .unknown)
        health.setStatus(.serving, for: "")
        #expect(try await call.receive()?.status == .serving)  // nothing in between was kept
        call.cancel()
    }

    // MARK: Shutdown

    @Test func shutdownAllMarksEverythingNotServingAndEndsWatches() async throws {
        health.setStatus(.serving, for: "svc")
        let known = try watch("svc")
        let unknown = try watch("never.Set")
        #expect(try await known.receive()?.status == .serving)
        #expect(try await unknown.receive()?.status == .serviceUnknown)
        await waitForWatchers(2)

        health.shutdownAll()
        #expect(try await known.receive()?.status == .notServing)
        #expect(try await known.receive() == nil)
        #expect(try await unknown.receive() == nil)
        _ = try await known.outcome.get()  // ended OK, so a draining server does not wait on it
        _ = try await unknown.outcome.get()
        #expect(health.watcherCount == 0)

        #expect(try await check("") == .notServing)
        #expect(try await check("svc") == .notServing)
        health.setStatus(.serving, for: "svc")  // ignored while shutting down
        #expect(try await check("svc") == .notServing)

        let late = try watch("svc")
        #expect(try await late.receive()?.status == .notServing)
        #expect(try await late.receive() == nil)
    }
}
