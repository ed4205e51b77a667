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
        environment = DomainEnvironment(store: store, clock: SteppingClock())
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
            context: serviceContext(Usageflow_V1_VendorService.CreateProduct.schema, as: vendor ?? vendorA))
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
            context: serviceContext(Usageflow_V1_VendorService.CreateItem.schema, as: vendorA))
    }

    /// A published item of `product`.
    func publishedItem(_ product: Usageflow_V1_Product) async throws -> Usageflow_V1_Item {
        let item = try await item(product)
        return try await service.publishItem(
            request: idRequest(item.id),
            context: serviceContext(Usageflow_V1_VendorService.PublishItem.schema, as: vendorA))
    }

    // MARK: Observing the store

    /// Every catalogue object of both vendors, to prove that a refused call changed nothing.
    func snapshot() async throws -> CatalogueSnapshot {
        let vendors = [vendorA.actor, vendorB.actor]
        return try await environment.store.read { tx in
            var snapshot = CatalogueSnapshot()
            for vendor in vendors {
                let products = try allPages { try tx.products(vendorID: vendor, page: $0) }
                snapshot.products += products
                for product in products {
                    snapshot.items += try allPages {
                        try tx.items(productID: product.id, status: nil, page: $0)
                    }
                }
                snapshot.units += try allPages { try tx.units(vendorID: vendor, page: $0) }
            }
            return snapshot
        }
    }

    /// Runs a service call that must fail with `code` (and `message`, and exactly `fields` as the
    /// `google.rpc.BadRequest` field violations when given) and checks the store did not change.
    @discardableResult
    func refuses<T>(
        _ code: Status.Code, _ message: String? = nil, fields: [String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async throws -> RPCError? {
        let before = try await snapshot()
        let failure = await expectRPCError(code, message, sourceLocation: sourceLocation, body)
        if let failure, let fields {
            #expect(try badRequestViolations(failure) == fields, sourceLocation: sourceLocation)
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
