// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import Testing
import VendorAPI

private typealias RPC = Usageflow_V1_VendorService

/// The vendor's side of the channel through VendorService: contracts, listings, subscriptions.
@Suite("VendorService channel RPCs")
struct VendorChannelTests {
    let world: ChannelWorld
    let service: VendorService

    init() async throws {
        world = try await ChannelWorld()
        service = VendorService(environment: world.environment)
    }

    func context(_ method: MethodSchema, _ tenant: Tenant? = nil) -> ServerContext {
        serviceContext(method, as: tenant ?? world.vendorA)
    }

    @Test("the seven channel RPCs have vendor policies")
    func policies() {
        let channel = [
            RPC.ListContracts.schema, RPC.ListListings.schema, RPC.ListSubscriptions.schema, RPC.GetSubscription.schema,
        ]
        for method in channel { #expect(VendorService.policies[method.path] == .read(.vendor), "\(method.path)") }
        for method in [RPC.AcceptContract.schema, RPC.TerminateContract.schema, RPC.RequestListing.schema] {
            #expect(VendorService.policies[method.path] == .write(.vendor), "\(method.path)")
        }
    }

    @Test("contracts: listed with filters, accepted and terminated by their vendor only")
    func contracts() async throws {
        let pending = try await world.contract(world.vendorA, world.distributorA, accepted: false)
        let other = try await world.contract(world.vendorA, world.distributorB)
        var request = Usageflow_V1_ListContractsRequest()
        request.status = .pending
        let listed = try await service.listContracts(request: request, context: context(RPC.ListContracts.schema))
        #expect(listed.contracts.map(\.id) == [pending.id])
        request.status = .unspecified
        request.marketplaceId = other.marketplaceID
        #expect(
            try await service.listContracts(request: request, context: context(RPC.ListContracts.schema)).contracts.map(
                \.id)
                == [other.id])
        #expect(
            try await service.listContracts(
                request: Usageflow_V1_ListContractsRequest(), context: context(RPC.ListContracts.schema, world.vendorB)
            ).contracts.isEmpty)

        await expectRPCError(.notFound, "contract \(pending.id) not found") {
            try await service.acceptContract(
                request: idRequest(pending.id), context: context(RPC.AcceptContract.schema, world.vendorB))
        }
        let accepted = try await service.acceptContract(
            request: idRequest(pending.id), context: context(RPC.AcceptContract.schema))
        #expect(accepted.status == .active)
        #expect(accepted.history.map(\.actor) == [world.distributorA.actor, world.vendorA.actor])
        await expectRPCError(
            .failedPrecondition, "contract \(pending.id) is active; only pending contracts can be accepted"
        ) {
            try await service.acceptContract(
                request: idRequest(pending.id), context: context(RPC.AcceptContract.schema))
        }

        var terminate = Usageflow_V1_TerminateContractRequest()
        terminate.id = pending.id
        terminate.reason = String(repeating: "x", count: 201)
        let long = await expectRPCError(.invalidArgument) {
            try await service.terminateContract(request: terminate, context: context(RPC.TerminateContract.schema))
        }
        #expect(try badRequestViolations(long) == ["reason"])
        terminate.reason = "prices"
        let terminated = try await service.terminateContract(
            request: terminate, context: context(RPC.TerminateContract.schema))
        #expect(terminated.status == .terminated)
        #expect(terminated.history.last?.actor == world.vendorA.actor)
        #expect(terminated.history.last?.reason == "prices")

        var unknown = Usageflow_V1_ListContractsRequest()
        unknown.status = Usageflow_V1_ContractStatus(rawValue: 4)
        let error = await expectRPCError(.invalidArgument) {
            try await service.listContracts(request: unknown, context: context(RPC.ListContracts.schema))
        }
        #expect(try badRequestViolations(error) == ["status"])
    }

    @Test("listings: requested for the vendor's products under its active contracts, listed with filters")
    func listings() async throws {
        let contract = try await world.contract(world.vendorA, world.distributorA)
        let product = try await world.product(of: world.vendorA)
        var request = Usageflow_V1_RequestListingRequest()
        request.productId = product.id
        request.contractId = contract.id
        let listing = try await service.requestListing(request: request, context: context(RPC.RequestListing.schema))
        #expect(listing.status == .pending)
        #expect(listing.marketplaceId == contract.marketplaceID)
        #expect(listing.distributorId == world.distributorA.actor)
        await expectRPCError(.alreadyExists) {
            try await service.requestListing(request: request, context: context(RPC.RequestListing.schema))
        }
        await expectRPCError(.notFound, "product \(product.id) not found") {
            try await service.requestListing(
                request: request, context: context(RPC.RequestListing.schema, world.vendorB))
        }
        let empty = await expectRPCError(.invalidArgument) {
            try await service.requestListing(
                request: Usageflow_V1_RequestListingRequest(), context: context(RPC.RequestListing.schema))
        }
        #expect(try badRequestViolations(empty) == ["product_id", "contract_id"])

        var list = Usageflow_V1_ListListingsRequest()
        list.productId = product.id
        list.status = .pending
        #expect(
            try await service.listListings(request: list, context: context(RPC.ListListings.schema)).listings == [
                listing
            ])
        list.status = .listed
        #expect(
            try await service.listListings(request: list, context: context(RPC.ListListings.schema)).listings.isEmpty)
        list.status = Usageflow_V1_ListingStatus(rawValue: 40)
        list.pageSize = 2000
        let error = await expectRPCError(.invalidArgument) {
            try await service.listListings(request: list, context: context(RPC.ListListings.schema))
        }
        #expect(try badRequestViolations(error) == ["status", "page_size"])
    }

    @Test("subscriptions: the vendor sees those of its products only")
    func subscriptions() async throws {
        let (product, marketplace, _) = try await world.listedProduct()
        let customer = try await world.customer(of: world.distributorA)
        let subscription = try await world.subscribe(customer, to: product, in: marketplace, externalID: "E-1")
        let wire = Usageflow_V1_Subscription(subscription)
        #expect(
            try await service.getSubscription(
                request: idRequest(subscription.id), context: context(RPC.GetSubscription.schema))
                == wire)
        await expectRPCError(.notFound, "subscription \(subscription.id) not found") {
            try await service.getSubscription(
                request: idRequest(subscription.id), context: context(RPC.GetSubscription.schema, world.vendorB))
        }
        var list = Usageflow_V1_ListSubscriptionsRequest()
        list.productId = product.id
        list.externalId = "E-1"
        #expect(
            try await service.listSubscriptions(request: list, context: context(RPC.ListSubscriptions.schema))
                .subscriptions == [wire])
        #expect(
            try await service.listSubscriptions(
                request: list, context: context(RPC.ListSubscriptions.schema, world.vendorB)
            )
            .subscriptions.isEmpty)
        list.status = Usageflow_V1_SubscriptionStatus(rawValue: 9)
        let error = await expectRPCError(.invalidArgument) {
            try await service.listSubscriptions(request: list, context: context(RPC.ListSubscriptions.schema))
        }
        #expect(try badRequestViolations(error) == ["status"])
    }
}
