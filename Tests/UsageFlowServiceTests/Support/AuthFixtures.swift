// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import AdminAPI
import Authorization
import Contracts
import DistributorAPI
import Domain
import Foundation
import ProtoWire
import RPCCore
import RPCInProcessTransport
import ResellerAPI
import ServiceSupport
import Storage
import Synchronization
import Testing
import WellKnownTypes

// Fixtures for the authentication and AdminService tests: parties and keys over a fresh SQLite
// file, the role services behind the real `AuthenticationInterceptor`, and a probe method that
// answers with the principal the interceptor attached.

/// A clock that stands still until a test moves it, so cache lifetimes and last-use times are exact.
final class AuthClock: DomainClock {
    private let time = Mutex(Timestamp(secondsSinceEpoch: 1_767_225_600))  // 2026-01-01T00:00:00Z

    func now() -> Timestamp { time.withLock { $0 } }

    func advance(seconds: Int64) {
        time.withLock { $0 = Timestamp(microsecondsSinceEpoch: $0.microsecondsSinceEpoch + seconds * 1_000_000) }
    }
}

/// The operator, a vendor, two distributors, a tier-1 reseller of the first and one of the
/// second, each with a full key, and a read-only operator key, on a fresh SQLite store.
struct AuthWorld: Sendable {
    let store: SQLiteDataStore
    let clock: AuthClock
    let environment: DomainEnvironment
    let vendorID: String
    let distributorID: String
    let otherDistributorID: String
    let resellerID: String
    let otherResellerID: String
    let operatorKey: CredentialOperations.IssuedKey
    let readOnlyOperatorKey: CredentialOperations.IssuedKey
    let vendorKey: CredentialOperations.IssuedKey
    let distributorKey: CredentialOperations.IssuedKey
    let otherDistributorKey: CredentialOperations.IssuedKey
    let resellerKey: CredentialOperations.IssuedKey

    /// Runs `body` with a new world and removes its database afterwards.
    static func with(_ body: (AuthWorld) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("usageflow-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteDataStore(path: directory + "/usageflow.db")
        do {
            try await body(try await AuthWorld(store: store))
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }

    private init(store: SQLiteDataStore) async throws {
        self.store = store
        clock = AuthClock()
        environment = DomainEnvironment(store: store, clock: clock)
        let accounts = AccountOperations(environment: environment)
        vendorID = try await accounts.create(.operator, role: .vendor, name: "Vendor").id
        distributorID = try await accounts.create(.operator, role: .distributor, name: "Distributor").id
        otherDistributorID = try await accounts.create(.operator, role: .distributor, name: "Other Distributor").id
        let resellers = ResellerOperations(environment: environment)
        resellerID = try await resellers.create(.distributor(id: distributorID), name: "Reseller", allowTier2: true).id
        otherResellerID = try await resellers.create(
            .distributor(id: otherDistributorID), name: "Other Reseller", allowTier2: false
        ).id
        let credentials = CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
        operatorKey = try await credentials.issueKey(.operator, accountID: "operator", scope: .full, name: "root")
        readOnlyOperatorKey = try await credentials.issueKey(
            .operator, accountID: "operator", scope: .readOnly, name: "audit")
        vendorKey = try await credentials.issueKey(.operator, accountID: vendorID, scope: .full, name: "")
        distributorKey = try await credentials.issueKey(.operator, accountID: distributorID, scope: .full, name: "")
        otherDistributorKey = try await credentials.issueKey(
            .operator, accountID: otherDistributorID, scope: .full, name: "")
        resellerKey = try await credentials.issueKey(
            .distributor(id: distributorID), accountID: resellerID, scope: .full, name: "")
    }

    var credentials: CredentialOperations {
        CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
    }

    var resellerTenant: ResellerTenant {
        ResellerTenant(id: resellerID, distributorID: distributorID, tier: 1, parentID: nil, allowTier2: true)
    }

    func key(_ id: String) async throws -> APIKey? {
        try await store.read { try $0.apiKey(id: id) }
    }

    /// The admin, distributor and reseller services and the probes, behind an interceptor made
    /// with `configure` (by default: subjects trusted, a 5 s cache, last use once a minute).
    func router(interceptor: AuthenticationInterceptor? = nil) -> RPCRouter {
        var router = RPCRouter()
        AdminService(environment: environment).registerMethods(with: &router)
        DistributorService(environment: environment).registerMethods(with: &router)
        ResellerService(environment: environment).registerMethods(with: &router)
        AuthProbe.register(with: &router)
        router.intercept(with: interceptor ?? self.interceptor())
        return router
    }

    func interceptor(
        clientCertificatesVerified: Bool = true, cacheCapacity: Int = 100
    ) -> AuthenticationInterceptor {
        AuthenticationInterceptor(
            environment: environment,
            policies: AuthenticationInterceptor.mergingPolicies(
                AdminService.policies, DistributorService.policies, ResellerService.policies, AuthProbe.policies),
            clientCertificatesVerified: clientCertificatesVerified, cacheCapacity: cacheCapacity)
    }

    /// Runs `body` with clients over an in-process transport to `router()`, as `peer`.
    func withClients(
        router: RPCRouter? = nil, peer: Peer = Peer(address: "in-process"), _ body: (AuthClients) async throws -> Void
    ) async throws {
        try await InProcessTransport.withTransport(router: router ?? self.router(), peer: peer) { transport in
            try await body(AuthClients(transport: transport))
        }
    }
}

/// The generated clients over one transport.
struct AuthClients {
    let transport: InProcessTransport
    var admin: Usageflow_V1_AdminService_Client { Usageflow_V1_AdminService_Client(transport: transport) }
    var distributor: Usageflow_V1_DistributorService_Client {
        Usageflow_V1_DistributorService_Client(transport: transport)
    }
    var reseller: Usageflow_V1_ResellerService_Client { Usageflow_V1_ResellerService_Client(transport: transport) }

    /// The principal's description as the probe saw it (`method` names the probe).
    func whoami(_ method: MethodSchema = AuthProbe.whoami, metadata: Metadata = [:]) async throws -> String {
        let reply: Usageflow_V1_Account = try await RPCClient(transport: transport)
            .unary(method, request: Usageflow_V1_IdRequest(), options: CallOptions(metadata: metadata))
        return reply.name
    }
}

/// Call options carrying `authorization: Bearer <token>`.
func bearer(_ key: CredentialOperations.IssuedKey) -> CallOptions {
    CallOptions(metadata: ["authorization": "Bearer " + key.token.text])
}

func bearer(_ token: String) -> CallOptions {
    CallOptions(metadata: ["authorization": "Bearer " + token])
}

/// Methods that answer with the caller's principal (in `Account.name`), under policies of their own.
enum AuthProbe {
    static func schema(service: String = "usageflow.test.AuthProbe", _ name: String) -> MethodSchema {
        MethodSchema(
            service: service, name: name, kind: .unary, inputType: "usageflow.v1.IdRequest",
            outputType: "usageflow.v1.Account")
    }

    /// Any kind of caller, reading.
    static let whoami = schema("Whoami")
    /// Any kind of caller, writing.
    static let write = schema("Write")
    /// Service identities only.
    static let serviceOnly = schema("ServiceOnly")
    /// No policy at all: closed.
    static let undeclared = schema("Undeclared")
    /// A stand-in in the health service's name: public.
    static let health = schema(service: "grpc.health.v1.Health", "Check")

    static let policies: [String: Policy] = [
        whoami.path: Policy(allowed: Set(PrincipalKind.allCases), access: .read),
        write.path: Policy(allowed: Set(PrincipalKind.allCases), access: .write),
        serviceOnly.path: .read(.serviceIdentity),
    ]

    static func register(with router: inout RPCRouter) {
        for method in [whoami, write, serviceOnly, undeclared, health] {
            router.registerUnary(method, input: Usageflow_V1_IdRequest.self, output: Usageflow_V1_Account.self) {
                _, context in
                var reply = Usageflow_V1_Account()
                reply.name = context.principal?.description ?? "nobody"
                return reply
            }
        }
    }
}

/// A client certificate as the transport reports one, for a fake mutual-TLS peer.
func peer(subject: String, fingerprint: [UInt8]) -> Peer {
    Peer(
        address: "ipv4:127.0.0.1:50000",
        certificateChain: [
            PeerCertificate(subject: subject, issuer: "CN=Test CA", sha256Fingerprint: fingerprint, der: [])
        ])
}
