// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import ResellerAPI
import ServiceSupport
import Testing

private typealias RPC = Usageflow_V1_ResellerService

@Suite("ResellerService policies")
struct ResellerPolicyTests {
    @Test("every RPC has a policy: resellers only, Get, List, Export and Watch read, the rest write")
    func everyRPC() {
        let methods = RPC.schema.methods
        #expect(methods.count == 15)
        #expect(Set(ResellerService.policies.keys) == Set(methods.map(\.path)))
        for method in methods {
            let reads = ["Get", "List", "Export", "Watch"].contains { method.name.hasPrefix($0) }
            #expect(
                ResellerService.policies[method.path] == (reads ? .read(.reseller) : .write(.reseller)),
                "\(method.path)")
        }
    }
}

@Suite("ResellerService RPCs")
struct ResellerServiceTests {
    let world: ChannelWorld
    let service: ResellerService
    let north: Reseller
    let closed: Reseller

    init() async throws {
        world = try await ChannelWorld()
        service = ResellerService(environment: world.environment)
        north = try await world.tier1(of: world.distributorA, allowTier2: true, name: "North")
        closed = try await world.tier1(of: world.distributorA, allowTier2: false, name: "Closed")
    }

    func context(_ method: MethodSchema, _ reseller: Reseller) -> ServerContext {
        serviceContext(method, as: .reseller(reseller.tenant))
    }

    func createReseller(
        _ name: String, as caller: Reseller, allowTier2: Bool = false
    ) async throws -> Usageflow_V1_Reseller {
        var request = Usageflow_V1_CreateResellerRequest()
        request.name = name
        request.allowTier2 = allowTier2
        return try await service.createReseller(request: request, context: context(RPC.CreateReseller.schema, caller))
    }

    @Test("a tier-1 reseller with the permission creates, sees and lists tier-2 resellers")
    func tier2() async throws {
        let village = try await createReseller("Village", as: north)
        #expect(village.tier == 2)
        #expect(village.parentId == north.id)
        #expect(village.distributorId == world.distributorA.actor)
        #expect(!village.allowTier2)
        #expect(
            try await service.getReseller(
                request: idRequest(village.id), context: context(RPC.GetReseller.schema, north))
                == village)
        let listed = try await service.listResellers(
            request: Usageflow_V1_ListResellersRequest(), context: context(RPC.ListResellers.schema, north))
        #expect(listed.resellers == [village])
        await expectRPCError(.notFound, "reseller \(village.id) not found") {
            try await service.getReseller(
                request: idRequest(village.id), context: context(RPC.GetReseller.schema, closed))
        }
    }

    @Test("refusals name the reason: no permission, tier 2, or asking to grant the permission")
    func refusals() async throws {
        await expectRPCError(
            .failedPrecondition,
            "reseller \(closed.id) may not create tier-2 resellers: its distributor has not allowed it"
        ) {
            try await createReseller("Village", as: closed)
        }
        let village = try world.tier2Model(try await createReseller("Village", as: north))
        await expectRPCError(
            .failedPrecondition,
            "reseller \(village.id) is a tier-2 reseller; only tier-1 resellers can create resellers"
        ) {
            try await createReseller("Hamlet", as: village)
        }
        let error = await expectRPCError(.invalidArgument) { try await createReseller("", as: north, allowTier2: true) }
        #expect(try badRequestViolations(error) == ["name", "allow_tier2"])
        var badTier = Usageflow_V1_ListResellersRequest()
        badTier.tier = 7
        let tierError = await expectRPCError(.invalidArgument) {
            try await service.listResellers(request: badTier, context: context(RPC.ListResellers.schema, north))
        }
        #expect(try badRequestViolations(tierError) == ["tier"])
    }

    @Test("customers: created for the caller, read within its reach")
    func customers() async throws {
        var request = Usageflow_V1_CreateCustomerRequest()
        request.name = "Acme"
        let own = try await service.createCustomer(request: request, context: context(RPC.CreateCustomer.schema, north))
        #expect(own.resellerId == north.id)
        #expect(own.distributorId == world.distributorA.actor)
        request.resellerId = closed.id
        let error = await expectRPCError(.invalidArgument) {
            try await service.createCustomer(request: request, context: context(RPC.CreateCustomer.schema, north))
        }
        #expect(try badRequestViolations(error) == ["reseller_id"])
        #expect(
            try await service.getCustomer(
                request: idRequest(own.id), context: context(RPC.GetCustomer.schema, north)) == own)
        await expectRPCError(.notFound, "customer \(own.id) not found") {
            try await service.getCustomer(request: idRequest(own.id), context: context(RPC.GetCustomer.schema, closed))
        }
        let list = try await service.listCustomers(
            request: Usageflow_V1_ListCustomersRequest(), context: context(RPC.ListCustomers.schema, north))
        #expect(list.customers == [own])
        #expect(
            try await service.listCustomers(
                request: Usageflow_V1_ListCustomersRequest(), context: context(RPC.ListCustomers.schema, closed)
            ).customers.isEmpty)
    }

    @Test("subscriptions: created for the caller's customers, listed and read within its reach")
    func subscriptions() async throws {
        let (product, marketplace, _) = try await world.listedProduct(tierLevels: 2)
        let village = try world.tier2Model(try await createReseller("Village", as: north))
        let customer = try await world.customer(of: world.distributorA, through: village)
        var request = Usageflow_V1_CreateSubscriptionRequest()
        request.customerId = customer.id
        request.productId = product.id
        request.marketplaceId = marketplace.id
        let subscription = try await service.createSubscription(
            request: request, context: context(RPC.CreateSubscription.schema, north))
        #expect(subscription.tiers.tier1Id == north.id)
        #expect(subscription.tiers.tier2Id == village.id)
        #expect(subscription.history.first?.actor == north.id)
        await expectRPCError(.notFound, "customer \(customer.id) not found") {
            try await service.createSubscription(
                request: request, context: context(RPC.CreateSubscription.schema, closed))
        }
        for reseller in [north, village] {
            let read = try await service.getSubscription(
                request: idRequest(subscription.id), context: context(RPC.GetSubscription.schema, reseller))
            #expect(read == subscription)
            let listed = try await service.listSubscriptions(
                request: Usageflow_V1_ListSubscriptionsRequest(),
                context: context(RPC.ListSubscriptions.schema, reseller))
            #expect(listed.subscriptions == [subscription])
        }
        await expectRPCError(.notFound, "subscription \(subscription.id) not found") {
            try await service.getSubscription(
                request: idRequest(subscription.id), context: context(RPC.GetSubscription.schema, closed))
        }
        var unknown = Usageflow_V1_ListSubscriptionsRequest()
        unknown.status = Usageflow_V1_SubscriptionStatus(rawValue: 12)
        let error = await expectRPCError(.invalidArgument) {
            try await service.listSubscriptions(request: unknown, context: context(RPC.ListSubscriptions.schema, north))
        }
        #expect(try badRequestViolations(error) == ["status"])
    }
}

extension ChannelWorld {
    /// The domain reseller for a wire reseller a test just created.
    func tier2Model(_ wire: Usageflow_V1_Reseller) throws -> Reseller {
        Reseller(
            id: wire.id, distributorID: wire.distributorId, tier: Int(wire.tier),
            parentID: wire.parentId.isEmpty ? nil : wire.parentId, name: wire.name, allowTier2: wire.allowTier2,
            createdAt: try #require(Timestamp(wire.createdAt)))
    }
}
