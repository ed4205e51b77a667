// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import RPCInProcessTransport
import ServiceSupport
import Storage
import Synchronization
import Testing
import VendorAPI

private typealias RPC = Usageflow_V1_VendorService

/// Counts the calls that reach the handlers, behind the reply cache.
private final class HandlerCounter: ServerInterceptor {
    private let count = Mutex(0)
    var calls: Int { count.withLock { $0 } }

    func intercept(_ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata) async throws -> Metadata {
        count.withLock { $0 += 1 }
        return try await next(call)
    }
}

/// One call's raw outcome: the reply messages' bytes, the status and the trailers.
private struct RawReply: Equatable {
    var messages: [[UInt8]]
    var code: Status.Code
    var trailers: Metadata
}

/// The vendor service behind the test authenticator, the reply cache and a handler counter.
private struct ReplyCacheWorld {
    let world: CatalogueWorld
    let cache: ReplyCache
    let counter = HandlerCounter()
    let router: RPCRouter

    init(store: (any DataStore)? = nil, cache: ReplyCache = ReplyCache()) async throws {
        world = try await CatalogueWorld()
        self.cache = cache
        var router = RPCRouter()
        world.service.registerMethods(with: &router)
        router.intercept(with: CatalogueTestAuthenticator())
        router.intercept(with: ReplyCacheInterceptor(store: store ?? world.environment.store, cache: cache))
        router.intercept(with: counter)
        self.router = router
    }

    func withTransport(_ body: (InProcessTransport) async throws -> Void) async throws {
        try await InProcessTransport.withTransport(router: router, peer: Peer(address: "in-process")) { transport in
            try await body(transport)
        }
    }
}

/// Sends `request`'s bytes to `schema` and collects what comes back, byte for byte.
private func raw(
    _ transport: InProcessTransport, _ schema: MethodSchema, _ request: some ProtoMessage, metadata: Metadata
) async throws -> RawReply {
    let call = try await transport.openCall(path: schema.path, metadata: metadata, timeout: nil)
    try await call.send(request.serializedBytes())
    try await call.finishSending()
    var messages: [[UInt8]] = []
    while let message = try await call.receive() { messages.append(message) }
    let (status, trailers) = try await call.status()
    return RawReply(messages: messages, code: status.code, trailers: trailers)
}

private func productID(_ id: String) -> Usageflow_V1_IdRequest {
    var request = Usageflow_V1_IdRequest()
    request.id = id
    return request
}

@Suite("Reply cache")
struct ReplyCacheTests {
    @Test("a repeated read is answered with byte-identical reply bytes without reaching the handler")
    func hitIsByteIdentical() async throws {
        let setup = try await ReplyCacheWorld()
        let product = try await setup.world.product(name: "Cached Storage")
        _ = try await setup.world.item(product)
        let auth = setup.world.options(as: setup.world.vendorA).metadata
        var items = Usageflow_V1_ListItemsRequest()
        items.productId = product.id
        items.pageSize = 10
        try await setup.withTransport { transport in
            let first = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            #expect(first.code == .ok)
            #expect(first.messages == [product.serializedBytes()])
            #expect(setup.counter.calls == 1)
            let second = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            #expect(second == first)
            #expect(setup.counter.calls == 1, "the second call reached the handler")

            let page = try await raw(transport, RPC.ListItems.schema, items, metadata: auth)
            let again = try await raw(transport, RPC.ListItems.schema, items, metadata: auth)
            #expect(page.code == .ok && again == page)
            #expect(try Usageflow_V1_ListItemsResponse(serializedBytes: page.messages[0]).items.count == 1)
            #expect(setup.counter.calls == 2)
            #expect(setup.cache.usage.entries == 2)
        }
    }

    @Test("any committed write, through the API or not, makes every kept reply stale")
    func writesInvalidate() async throws {
        let setup = try await ReplyCacheWorld()
        let product = try await setup.world.product(name: "Before")
        let auth = setup.world.options(as: setup.world.vendorA).metadata
        try await setup.withTransport { transport in
            _ = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            _ = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            #expect(setup.counter.calls == 1)

            var rename = Usageflow_V1_UpdateProductRequest()
            rename.id = product.id
            rename.name = "After"
            let renamed = try await raw(transport, RPC.UpdateProduct.schema, rename, metadata: auth)
            #expect(renamed.code == .ok)
            let read = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            #expect(try Usageflow_V1_Product(serializedBytes: read.messages[0]).name == "After")
            #expect(read.messages == renamed.messages)
            #expect(setup.counter.calls == 3)

            // A write that touches nothing this read depends on still invalidates: the store's
            // generation is store-wide.
            _ = try await CatalogueWorld.insertVendor("Unrelated", in: setup.world.environment)
            let reread = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            #expect(reread == read)
            #expect(setup.counter.calls == 4)
        }
    }

    @Test("another tenant never gets the first tenant's kept reply, even for the same request bytes")
    func tenantsApart() async throws {
        let setup = try await ReplyCacheWorld()
        let world = setup.world
        let productA = try await world.product(of: world.vendorA, name: "A's")
        _ = try await world.product(of: world.vendorB, name: "B's")
        let asA = world.options(as: world.vendorA).metadata
        let asB = world.options(as: world.vendorB).metadata
        let list = Usageflow_V1_ListProductsRequest()
        try await setup.withTransport { transport in
            let getA = try await raw(transport, RPC.GetProduct.schema, productID(productA.id), metadata: asA)
            let listA = try await raw(transport, RPC.ListProducts.schema, list, metadata: asA)
            #expect(getA.code == .ok && listA.code == .ok)

            let getB = try await raw(transport, RPC.GetProduct.schema, productID(productA.id), metadata: asB)
            #expect(getB.code == .notFound)
            #expect(getB.messages.isEmpty)
            let listB = try await raw(transport, RPC.ListProducts.schema, list, metadata: asB)
            let namesB = try Usageflow_V1_ListProductsResponse(serializedBytes: listB.messages[0]).products.map(\.name)
            #expect(namesB == ["B's"])
            #expect(setup.counter.calls == 4)
        }
    }

    @Test("refusals are decided on every call: no credential, a missing product")
    func refusalsStay() async throws {
        let setup = try await ReplyCacheWorld()
        let product = try await setup.world.product()
        let auth = setup.world.options(as: setup.world.vendorA).metadata
        try await setup.withTransport { transport in
            let cached = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
            #expect(cached.code == .ok)
            let anonymous = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: [:])
            #expect(anonymous.code == .unauthenticated)
            #expect(anonymous.messages.isEmpty)

            // Errors are never kept: each missing-product read reaches the handler.
            for _ in 0..<2 {
                let missing = try await raw(
                    transport, RPC.GetProduct.schema, productID("PRD-000-000-000"), metadata: auth)
                #expect(missing.code == .notFound)
            }
            #expect(setup.counter.calls == 3)
            #expect(setup.cache.usage.entries == 1)
        }
    }

    @Test("a store that gives no read generation keeps nothing")
    func noGenerationNoCache() async throws {
        let setup = try await ReplyCacheWorld(store: GenerationlessStore())
        let product = try await setup.world.product()
        let auth = setup.world.options(as: setup.world.vendorA).metadata
        try await setup.withTransport { transport in
            for _ in 0..<3 {
                let reply = try await raw(transport, RPC.GetProduct.schema, productID(product.id), metadata: auth)
                #expect(reply.code == .ok)
            }
            #expect(setup.counter.calls == 3)
            #expect(setup.cache.usage.entries == 0)
        }
    }

    @Test("behind the real authentication, a kept reply still needs the key's exact secret on every call")
    func authenticationStillDecides() async throws {
        try await AuthWorld.with { world in
            var router = world.router()
            let cache = ReplyCache()
            router.intercept(with: ReplyCacheInterceptor(store: world.store, methods: [AuthProbe.whoami], cache: cache))
            try await world.withClients(router: router) { clients in
                let good = bearer(world.vendorKey).metadata
                // The first call reads the key; the second proves the secret by its hash and
                // remembers it; the third compares bytes and is served from the reply cache.
                for _ in 0..<3 {
                    let seen = try await clients.whoami(metadata: good)
                    #expect(seen.hasPrefix("vendor"))
                }
                #expect(cache.usage.entries == 1)
                let token = world.vendorKey.token
                var forgedSecret = Array(token.secret.utf8)
                forgedSecret[0] = forgedSecret[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                let forged = bearer(token.keyID + "." + String(decoding: forgedSecret, as: UTF8.self)).metadata
                await expectRPCError(.unauthenticated) { try await clients.whoami(metadata: forged) }
                await expectRPCError(.unauthenticated) { try await clients.whoami(metadata: [:]) }
                let again = try await clients.whoami(metadata: good)
                #expect(again.hasPrefix("vendor"))
                // Another key of another tenant never gets the vendor's kept reply.
                let other = try await clients.whoami(metadata: bearer(world.distributorKey).metadata)
                #expect(other.hasPrefix("distributor"))
            }
        }
    }

    @Test("the cache stays within its entries and bytes, and a newer generation drops older replies")
    func memoryBound() {
        let cache = ReplyCache(maxEntries: 3, maxBytes: 4_000)
        func key(_ n: Int) -> ReplyCache.Key {
            ReplyCache.Key(tenant: .vendor(id: "VA-1"), method: "/m", request: [UInt8(n)])
        }
        for n in 0..<10 {
            cache.keep([UInt8](repeating: 1, count: 10), for: key(n), at: 2)
            #expect(cache.usage.entries <= 3)
        }
        #expect(cache.reply(for: key(9), at: 2) == [UInt8](repeating: 1, count: 10))
        #expect(cache.reply(for: key(9), at: 4) == nil, "a reply served at another generation")

        for n in 0..<10 {
            cache.keep([UInt8](repeating: 2, count: 900), for: key(n), at: 2)
            #expect(cache.usage.bytes <= 4_000)
        }
        cache.keep([UInt8](repeating: 3, count: 1_100), for: key(20), at: 2)
        #expect(cache.reply(for: key(20), at: 2) == nil, "a reply over a quarter of the bytes was kept")

        cache.keep([7], for: key(30), at: 4)
        #expect(cache.usage.entries == 1)
        #expect(cache.reply(for: key(9), at: 2) == nil)
        cache.keep([8], for: key(31), at: 2)
        #expect(cache.reply(for: key(31), at: 2) == nil, "an older generation's reply was kept")
        #expect(cache.reply(for: key(30), at: 4) == [7])

        let none = ReplyCache(maxEntries: 0)
        none.keep([1], for: key(1), at: 2)
        #expect(none.usage.entries == 0)
    }
}

/// A store that forwards to nothing of its own beyond `read`/`write` and so keeps the protocol's
/// default: no read generation.
private struct GenerationlessStore: DataStore {
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T {
        throw DomainError.internalFailure("not read in this test")
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        throw DomainError.internalFailure("not written in this test")
    }
}
