// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import AdminAPI
import Authorization
import Contracts
import DistributorAPI
import Domain
import ResellerAPI
import RPCCore
import RPCHTTP2Transport
import ServiceSupport
import StandardServices
import VendorAPI

/// The UsageFlow API server: the four role services, health and reflection behind the call log
/// and authentication, on the HTTP/2 transport.
///
/// `start()` binds and returns the port; `run()` serves until a graceful shutdown completes;
/// `shutdown()` (safe from any thread, more than once) marks health NOT_SERVING, ends health
/// watches, stops accepting and lets in-flight calls finish within the grace period. The store
/// belongs to the caller, who closes it after `run()` returns.
public final class UsageFlowServer: Sendable {
    public let configuration: UsageFlowConfiguration
    public let environment: DomainEnvironment
    /// `grpc.health.v1.Health`: SERVING from start until shutdown begins.
    public let health: HealthService
    private let server: RPCServer
    private let log: EventLog

    /// Services that answer without a credential.
    public static let publicServices: Set<String> = AuthenticationInterceptor.standardPublicServices

    public init(configuration: UsageFlowConfiguration, environment: DomainEnvironment, log: EventLog) throws {
        self.configuration = configuration
        self.environment = environment
        self.log = log
        let health = HealthService()
        self.health = health
        var clientCertificatesVerified = false
        if case .tls(_, _, let clientCA) = configuration.security { clientCertificatesVerified = clientCA != nil }
        let router = Self.makeRouter(
            environment: environment, log: log, health: health, clientCertificatesVerified: clientCertificatesVerified,
            usageLimits: configuration.usageLimits, spoolDirectory: configuration.spoolDirectory)
        server = try RPCServer(configuration: configuration.serverConfiguration, router: router)
    }

    /// Every RPC's policy, keyed by method path: what the authentication interceptor enforces.
    public static let policies: [String: Policy] = AuthenticationInterceptor.mergingPolicies(
        AdminService.policies, VendorService.policies, DistributorService.policies, ResellerService.policies,
        ReconciliationService.policies)

    /// The routes and interceptors of the API: call log (outermost, so refusals are logged),
    /// authentication, then the recorder that tells the log who called.
    ///
    /// - Parameters:
    ///   - clientCertificatesVerified: whether the TLS layer verifies every presented client
    ///     certificate against a client CA, so service identities may match by subject.
    ///   - usageLimits: records per usage file and bytes per upload.
    ///   - spoolDirectory: where uploads wait before processing; nil for `TMPDIR` or `/tmp`.
    public static func makeRouter(
        environment: DomainEnvironment, log: EventLog, health: HealthService, clientCertificatesVerified: Bool,
        usageLimits: UsageLimits = .default, spoolDirectory: String? = nil
    ) -> RPCRouter {
        var router = RPCRouter()
        router.register(AdminService(environment: environment))
        router.register(
            VendorService(environment: environment, usageLimits: usageLimits, spoolDirectory: spoolDirectory))
        router.register(
            DistributorService(environment: environment, usageLimits: usageLimits, spoolDirectory: spoolDirectory))
        router.register(ResellerService(environment: environment))
        router.register(ReconciliationService(environment: environment))
        router.register(health)
        router.register(ReflectionService(router: router))

        let callLog = CallLogInterceptor(log: log)
        router.intercept(with: callLog)
        router.intercept(with: AuthenticationInterceptor(
            environment: environment, policies: policies, publicServices: publicServices,
            clientCertificatesVerified: clientCertificatesVerified))
        router.intercept(with: callLog.principalRecorder)
        router.intercept(with: ReplyCacheInterceptor(store: environment.store))
        return router
    }

    /// The bound port, valid after `start()` (the configured one, or the kernel's pick for 0).
    public var port: Int { server.port }

    /// Binds the listening socket and starts the event loops; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        let port = try server.start()
        let security: String
        switch configuration.security {
        case .tls(_, _, let clientCA): security = clientCA == nil ? "tls" : "tls+client-ca"
        case .h2c: security = "h2c"
        }
        let address = NetworkAddress(host: configuration.address.host, port: port)
        log.log(.info, "listening", [
            "address": .string(address.description), "security": .string(security),
            "db": .string(configuration.databasePath),
        ])
        return port
    }

    /// Serves until a graceful shutdown completes.
    public func run() async {
        await server.run()
        log.log(.info, "stopped")
    }

    /// Begins a graceful shutdown; `run()` returns once in-flight calls have finished.
    public func shutdown() {
        log.log(.info, "shutting down", [
            "grace_period_s": .integer(configuration.serverConfiguration.shutdownGracePeriod.components.seconds),
        ])
        health.shutdownAll()
        // Live event streams never finish by themselves: end them now rather than at the grace period.
        environment.store.endEventWaits()
        server.shutdown()
    }
}
