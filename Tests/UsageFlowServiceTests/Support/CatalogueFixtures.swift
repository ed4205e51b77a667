// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import Glibc
import ProtoWire
import RPCCore
import ServiceSupport
import Storage
import Synchronization
import Testing
import VendorAPI
import WellKnownTypes

// Fixtures for the vendor catalogue tests: two vendors over a fresh store, the vendor service
// called as either of them, and an expectation for refused calls that also proves nothing changed.

/// Two vendors over a fresh SQLite file; `vendorA` is the subject of a test, `vendorB` the other
/// tenant that must see nothing of A's.
///
/// A class so that the database's directory goes when the last test holding the world lets go
/// of it: the store's threads stop when it is released, and the files are unlinked here.
final class CatalogueWorld: Sendable {
    let directory: String
    let environment: DomainEnvironment
    let service: VendorService
    let vendorA: Tenant
    let vendorB: Tenant

    init() async throws {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/catalogue-tests-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw DomainError.internalFailure("mkdtemp failed with errno \(errno)")
        }
        directory = String(cString: created)
        let store = try await SQLiteDataStore(path: directory + "/catalogue.sqlite", readers: 2)
        environment = DomainEnvironment(store: store, clock: CatalogueSteppingClock())
        service = VendorService(environment: environment)
        vendorA = .vendor(id: try await CatalogueWorld.insertVendor("Vendor A", in: environment))
        vendorB = .vendor(id: try await CatalogueWorld.insertVendor("Vendor B", in: environment))
    }

    deinit {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(directory + "/catalogue.sqlite" + suffix) }
        rmdir(directory)
    }

    static func insertVendor(_ name: String, in environment: DomainEnvironment) async throws -> String {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let id = try environment.newID(.vendor, in: tx)
            try tx.insert(Account(id: id, role: .vendor, name: name, createdAt: now))
            return id
        }
    }

    // MARK: Shortcuts through the service

    /// A product of `vendor` (default A), with PPU (schema QT) unless `ppu` is false.
    func product(
        of vendor: Tenant? = nil, name: String = "Cloud Storage", ppu: Bool = true
    ) async throws -> Usageflow_V1_Product {
        var request = Usageflow_V1_CreateProductRequest()
        request.name = name
        if ppu {
            request.capabilities.ppu = true
            request.capabilities.schema = .qt
        }
        return try await service.createProduct(
            request: request,
            context: catalogueContext(Usageflow_V1_VendorService.CreateProduct.schema, as: vendor ?? vendorA))
    }

    /// A create-item request for a PPU item of `product` in MB*h with two decimals.
    func itemRequest(
        _ product: Usageflow_V1_Product, name: String = "Storage", mpn: String = "STORAGE-GB",
        type: Usageflow_V1_ItemType = .ppu
    ) -> Usageflow_V1_CreateItemRequest {
        var request = Usageflow_V1_CreateItemRequest()
        request.productId = product.id
        request.name = name
        request.mpn = mpn
        request.description = "Stored data"
        request.type = type
        request.precision = .decimal2
        request.unit = "MB*h"
        return request
    }

    func item(
        _ product: Usageflow_V1_Product, name: String = "Storage", mpn: String = "STORAGE-GB",
        type: Usageflow_V1_ItemType = .ppu
    ) async throws -> Usageflow_V1_Item {
        try await service.createItem(
            request: itemRequest(product, name: name, mpn: mpn, type: type),
            context: catalogueContext(Usageflow_V1_VendorService.CreateItem.schema, as: vendorA))
    }

    /// A published item of `product`.
    func publishedItem(_ product: Usageflow_V1_Product) async throws -> Usageflow_V1_Item {
        let item = try await item(product)
        return try await service.publishItem(
            request: catalogueID(item.id),
            context: catalogueContext(Usageflow_V1_VendorService.PublishItem.schema, as: vendorA))
    }

    // MARK: Observing the store

    /// Every catalogue object of both vendors, to prove that a refused call changed nothing.
    func snapshot() async throws -> CatalogueSnapshot {
        let vendors = [vendorA.actor, vendorB.actor]
        return try await environment.store.read { tx in
            var snapshot = CatalogueSnapshot()
            for vendor in vendors {
                let products = try CatalogueWorld.all { try tx.products(vendorID: vendor, page: $0) }
                snapshot.products += products
                for product in products {
                    snapshot.items += try CatalogueWorld.all {
                        try tx.items(productID: product.id, status: nil, page: $0)
                    }
                }
                snapshot.units += try CatalogueWorld.all { try tx.units(vendorID: vendor, page: $0) }
            }
            return snapshot
        }
    }

    static func all<T>(_ list: (PageRequest) throws -> Page<T>) throws -> [T] {
        var items: [T] = []
        var after: Int64?
        repeat {
            let page = try list(PageRequest(size: 50, after: after))
            items += page.items
            after = page.nextAfter
        } while after != nil
        return items
    }

    /// Runs a service call that must fail with `code` (and `message`, and exactly `fields` as the
    /// `google.rpc.BadRequest` field violations when given) and checks the store did not change.
    @discardableResult
    func refuses<T>(
        _ code: Status.Code, _ message: String? = nil, fields: [String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async throws -> RPCError? {
        let before = try await snapshot()
        var failure: RPCError?
        do {
            _ = try await body()
            Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        } catch let error as any RPCErrorConvertible {
            failure = error.rpcError
        } catch {
            Issue.record("expected \(code), got a non-status error \(error)", sourceLocation: sourceLocation)
        }
        if let failure {
            #expect(failure.code == code, "\(failure)", sourceLocation: sourceLocation)
            if let message { #expect(failure.message == message, sourceLocation: sourceLocation) }
            if let fields {
                #expect(try catalogueViolations(failure).map(\.field) == fields, sourceLocation: sourceLocation)
            }
        }
        #expect(try await snapshot() == before, "a refused call changed the store", sourceLocation: sourceLocation)
        return failure
    }
}

/// The catalogue objects of the test's vendors.
struct CatalogueSnapshot: Equatable {
    var products: [Product] = []
    var items: [Item] = []
    var units: [Unit] = []
}

/// A clock that moves one second on every reading, so every change has its own time.
final class CatalogueSteppingClock: DomainClock {
    private let seconds = Mutex<Int64>(1_767_225_600)  // 2026-01-01T00:00:00Z

    func now() -> Timestamp {
        seconds.withLock { value in
            value += 1
            return Timestamp(secondsSinceEpoch: value)
        }
    }
}

/// A server context for `method` as the authentication interceptor leaves it for `tenant`
/// (a full-scope API key), or without a principal when `tenant` is nil.
func catalogueContext(_ method: MethodSchema, as tenant: Tenant?) -> ServerContext {
    var values = ContextValues()
    if let tenant {
        values[PrincipalKey.self] = Principal(tenant: tenant, credential: .apiKey(id: "KEY-1000-0001"), scope: .full)
    }
    return ServerContext(
        method: method, requestMetadata: [:], peer: Peer(address: "in-process"), deadline: nil, values: values)
}

func catalogueID(_ id: String) -> Usageflow_V1_IdRequest {
    var request = Usageflow_V1_IdRequest()
    request.id = id
    return request
}

/// The field violations of a status's `google.rpc.BadRequest` detail; empty without details.
func catalogueViolations(_ error: RPCError?) throws -> [Google_Rpc_BadRequest.FieldViolation] {
    guard let details = error?.statusDetails else { return [] }
    let status = try Google_Rpc_Status(serializedBytes: details)
    #expect(status.code == Int32(error?.code.rawValue ?? 0))
    #expect(status.message == error?.message)
    var violations: [Google_Rpc_BadRequest.FieldViolation] = []
    for any in status.details {
        #expect(any.typeUrl == "type.googleapis.com/google.rpc.BadRequest")
        violations += try Google_Rpc_BadRequest(serializedBytes: any.value).fieldViolations
    }
    return violations
}

/// Stands in for the authentication interceptor in in-process tests: the principal is a vendor
/// key named by `x-test-vendor` (read-only when `x-test-scope: read-only`), and the method's
/// policy from `VendorService.policies` is applied as the real interceptor does.
struct CatalogueTestAuthenticator: ServerInterceptor {
    func intercept(_ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata) async throws -> Metadata {
        var call = call
        let path = call.context.method.path
        var principal: Principal?
        if let vendor = call.context.requestMetadata["x-test-vendor"] {
            let scope: KeyScope = call.context.requestMetadata["x-test-scope"] == "read-only" ? .readOnly : .full
            principal = Principal(tenant: .vendor(id: vendor), credential: .apiKey(id: "KEY-1000-0001"), scope: scope)
        }
        guard let policy = VendorService.policies[path] else {
            throw RPCError(code: .permissionDenied, message: "\(path) has no policy")
        }
        try policy.authorize(principal, method: path)
        call.context.values[PrincipalKey.self] = principal
        return try await next(call)
    }
}

extension CatalogueWorld {
    /// A router serving the vendor service behind `CatalogueTestAuthenticator`.
    var router: RPCRouter {
        var router = RPCRouter()
        service.registerMethods(with: &router)
        router.intercept(with: CatalogueTestAuthenticator())
        return router
    }

    /// Call options that authenticate as `vendor`, with a read-only key when asked.
    func options(as vendor: Tenant, readOnly: Bool = false) -> CallOptions {
        var metadata: Metadata = ["x-test-vendor": vendor.actor]
        if readOnly { metadata.add("x-test-scope", "read-only") }
        return CallOptions(metadata: metadata)
    }
}
