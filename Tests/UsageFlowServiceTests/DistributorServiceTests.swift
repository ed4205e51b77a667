// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import DistributorAPI
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import Testing
import VendorAPI
import WellKnownTypes

private typealias RPC = Usageflow_V1_DistributorService

@Suite("DistributorService policies")
struct DistributorPolicyTests {
    @Test("every RPC has a policy: distributors only, Get, List, Export and Watch read, the rest write")
    func everyRPC() {
        let methods = RPC.schema.methods
        #expect(methods.count == 45)
        #expect(Set(DistributorService.policies.keys) == Set(methods.map(\.path)))
        for method in methods {
            let reads = ["Get", "List", "Export", "Watch"].contains { method.name.hasPrefix($0) }
            #expect(
                DistributorService.policies[method.path] == (reads ? .read(.distributor) : .write(.distributor)),
                "\(method.path)")
        }
    }
}

@Suite("DistributorService channel RPCs")
struct DistributorServiceTests {
    let world: ChannelWorld
    let service: DistributorService
    let vendorService: VendorService

    init() async throws {
        world = try await ChannelWorld()
        service = DistributorService(environment: world.environment)
        vendorService = VendorService(environment: world.environment)
    }

    func context(_ method: MethodSchema, _ tenant: Tenant? = nil) -> ServerContext {
        serviceContext(method, as: tenant ?? world.distributorA)
    }

    func createMarketplace(
        _ name: String = "Europe", _ currency: String = "EUR"
    ) async throws -> Usageflow_V1_Marketplace {
        var request = Usageflow_V1_CreateMarketplaceRequest()
        request.name = name
        request.currency = currency
        return try await service.createMarketplace(request: request, context: context(RPC.CreateMarketplace.schema))
    }

    @Test("CreateMarketplace answers the stored marketplace; GetMarketplace reads it back")
    func marketplace() async throws {
        let created = try await createMarketplace("Europe", "EUR")
        #expect(IdentifierKind.marketplace.matches(created.id))
        #expect(created.distributorId == world.distributorA.actor)
        #expect(created.name == "Europe")
        #expect(created.currency == "EUR")
        #expect(created.createdAt.seconds > 0)
        let read = try await service.getMarketplace(
            request: idRequest(created.id), context: context(RPC.GetMarketplace.schema))
        #expect(read == created)
    }

    @Test("invalid fields are INVALID_ARGUMENT with a BadRequest naming each field")
    func badRequest() async throws {
        let error = await expectRPCError(.invalidArgument) { try await createMarketplace("", "usd") }
        #expect(try badRequestViolations(error) == ["name", "currency"])
        #expect(error?.message == "name: is required; currency: must be upper case: USD, not usd")
    }

    @Test("a call without a principal is UNAUTHENTICATED")
    func unauthenticated() async throws {
        await expectRPCError(.unauthenticated) {
            try await service.listMarketplaces(
                request: Usageflow_V1_ListMarketplacesRequest(),
                context: serviceContext(RPC.ListMarketplaces.schema, as: nil))
        }
    }

    @Test("another distributor's objects answer NOT_FOUND with the message of a missing id")
    func isolation() async throws {
        let marketplace = try await createMarketplace()
        let other = context(RPC.GetMarketplace.schema, world.distributorB)
        let foreign = await expectRPCError(.notFound) {
            try await service.getMarketplace(request: idRequest(marketplace.id), context: other)
        }
        #expect(foreign?.message == "marketplace \(marketplace.id) not found")
        #expect(foreign?.statusDetails == nil)
        let missing = await expectRPCError(.notFound) {
            try await service.getMarketplace(request: idRequest("MP-00000"), context: other)
        }
        #expect(missing?.message == "marketplace MP-00000 not found")

        let customer = try await world.customer(of: world.distributorA)
        await expectRPCError(.notFound, "customer \(customer.id) not found") {
            try await service.getCustomer(
                request: idRequest(customer.id), context: context(RPC.GetCustomer.schema, world.distributorB))
        }
        let reseller = try await world.tier1(of: world.distributorA)
        await expectRPCError(.notFound, "reseller \(reseller.id) not found") {
            try await service.getReseller(
                request: idRequest(reseller.id), context: context(RPC.GetReseller.schema, world.distributorB))
        }
    }

    @Test("lists page with opaque tokens bound to the list and its filters")
    func paging() async throws {
        var created: [Usageflow_V1_Marketplace] = []
        for currency in ["EUR", "USD", "GBP"] { created.append(try await createMarketplace(currency, currency)) }
        var request = Usageflow_V1_ListMarketplacesRequest()
        request.pageSize = 2
        let first = try await service.listMarketplaces(request: request, context: context(RPC.ListMarketplaces.schema))
        #expect(first.marketplaces == Array(created.prefix(2)))
        #expect(!first.nextPageToken.isEmpty)
        request.pageToken = first.nextPageToken
        let second = try await service.listMarketplaces(request: request, context: context(RPC.ListMarketplaces.schema))
        #expect(second.marketplaces == [created[2]])
        #expect(second.nextPageToken.isEmpty)

        // The token belongs to the marketplace list: another list refuses it.
        var contracts = Usageflow_V1_ListContractsRequest()
        contracts.pageToken = first.nextPageToken
        let error = await expectRPCError(.invalidArgument) {
            try await service.listContracts(request: contracts, context: context(RPC.ListContracts.schema))
        }
        #expect(try badRequestViolations(error) == ["page_token"])
        // So does the same list with other filters.
        let contract = try await world.contract(world.vendorA, world.distributorA)
        _ = try await world.contract(world.vendorB, world.distributorA)
        var byStatus = Usageflow_V1_ListContractsRequest()
        byStatus.pageSize = 1
        let page = try await service.listContracts(request: byStatus, context: context(RPC.ListContracts.schema))
        #expect(page.contracts.map(\.id) == [contract.id])
        byStatus.pageToken = page.nextPageToken
        byStatus.status = .active
        let refused = await expectRPCError(.invalidArgument) {
            try await service.listContracts(request: byStatus, context: context(RPC.ListContracts.schema))
        }
        #expect(try badRequestViolations(refused) == ["page_token"])
    }

    @Test("unknown enum values and bad paging are reported together")
    func unknownEnums() async throws {
        var contracts = Usageflow_V1_ListContractsRequest()
        contracts.status = Usageflow_V1_ContractStatus(rawValue: 99)
        contracts.pageSize = 1001
        let contractError = await expectRPCError(.invalidArgument) {
            try await service.listContracts(request: contracts, context: context(RPC.ListContracts.schema))
        }
        #expect(try badRequestViolations(contractError) == ["status", "page_size"])

        var listings = Usageflow_V1_ListListingsRequest()
        listings.status = Usageflow_V1_ListingStatus(rawValue: 5)
        let listingError = await expectRPCError(.invalidArgument) {
            try await service.listListings(request: listings, context: context(RPC.ListListings.schema))
        }
        #expect(try badRequestViolations(listingError) == ["status"])

        var subscriptions = Usageflow_V1_ListSubscriptionsRequest()
        subscriptions.status = Usageflow_V1_SubscriptionStatus(rawValue: -1)
        subscriptions.pageSize = -1
        let subscriptionError = await expectRPCError(.invalidArgument) {
            try await service.listSubscriptions(request: subscriptions, context: context(RPC.ListSubscriptions.schema))
        }
        #expect(try badRequestViolations(subscriptionError) == ["status", "page_size"])

        var resellers = Usageflow_V1_ListResellersRequest()
        resellers.tier = 3
        resellers.pageToken = "not a token"
        let resellerError = await expectRPCError(.invalidArgument) {
            try await service.listResellers(request: resellers, context: context(RPC.ListResellers.schema))
        }
        #expect(try badRequestViolations(resellerError) == ["tier", "page_token"])
    }

    @Test("the channel end to end on the wire: contract, listing, resellers, customers, subscription")
    func channel() async throws {
        let marketplace = try await createMarketplace()
        var offer = Usageflow_V1_OfferContractRequest()
        offer.vendorId = world.vendorA.actor
        offer.marketplaceId = marketplace.id
        let offered = try await service.offerContract(request: offer, context: context(RPC.OfferContract.schema))
        #expect(offered.status == .pending)
        #expect(offered.history.map(\.to) == ["pending"])
        await expectRPCError(.alreadyExists) {
            try await service.offerContract(request: offer, context: context(RPC.OfferContract.schema))
        }
        offer.vendorId = "VA-000-000"
        await expectRPCError(.notFound, "vendor VA-000-000 not found") {
            try await service.offerContract(request: offer, context: context(RPC.OfferContract.schema))
        }

        let accepted = try await vendorService.acceptContract(
            request: idRequest(offered.id),
            context: serviceContext(Usageflow_V1_VendorService.AcceptContract.schema, as: world.vendorA))
        #expect(accepted.status == .active)

        let product = try await world.product(of: world.vendorA, tierLevels: 2)
        var ask = Usageflow_V1_RequestListingRequest()
        ask.productId = product.id
        ask.contractId = offered.id
        let requested = try await vendorService.requestListing(
            request: ask, context: serviceContext(Usageflow_V1_VendorService.RequestListing.schema, as: world.vendorA))
        var pendingOnly = Usageflow_V1_ListListingsRequest()
        pendingOnly.status = .pending
        let pending = try await service.listListings(request: pendingOnly, context: context(RPC.ListListings.schema))
        #expect(pending.listings == [requested])
        let approved = try await service.approveListing(
            request: idRequest(requested.id), context: context(RPC.ApproveListing.schema))
        #expect(approved.status == .listed)
        await expectRPCError(
            .failedPrecondition, "listing \(requested.id) is listed; only pending listings can be declined"
        ) {
            var decline = Usageflow_V1_DeclineListingRequest()
            decline.id = requested.id
            return try await service.declineListing(request: decline, context: context(RPC.DeclineListing.schema))
        }

        var resellerRequest = Usageflow_V1_CreateResellerRequest()
        resellerRequest.name = "North"
        resellerRequest.allowTier2 = true
        let north = try await service.createReseller(
            request: resellerRequest, context: context(RPC.CreateReseller.schema))
        #expect(north.tier == 1)
        #expect(north.parentId == "")
        #expect(north.allowTier2)

        var customerRequest = Usageflow_V1_CreateCustomerRequest()
        customerRequest.name = "Acme"
        customerRequest.resellerId = north.id
        customerRequest.externalId = "CRM-1"
        let customer = try await service.createCustomer(
            request: customerRequest, context: context(RPC.CreateCustomer.schema))
        #expect(customer.resellerId == north.id)
        #expect(customer.externalId == "CRM-1")
        var byReseller = Usageflow_V1_ListCustomersRequest()
        byReseller.resellerId = north.id
        #expect(
            try await service.listCustomers(request: byReseller, context: context(RPC.ListCustomers.schema)).customers
                == [customer])

        var subscribe = Usageflow_V1_CreateSubscriptionRequest()
        subscribe.customerId = customer.id
        subscribe.productId = product.id
        subscribe.marketplaceId = marketplace.id
        subscribe.externalId = "SUB-1"
        subscribe.externalUid = "7f1c"
        var parameter = Usageflow_V1_Parameter()
        parameter.name = "tenant_id"
        parameter.value = "42"
        parameter.reconciliation = true
        subscribe.parameters = [parameter]
        let subscription = try await service.createSubscription(
            request: subscribe, context: context(RPC.CreateSubscription.schema))
        #expect(subscription.status == .active)
        #expect(subscription.tiers.customerId == customer.id)
        #expect(subscription.tiers.tier1Id == north.id)
        #expect(subscription.tiers.tier2Id == "")
        #expect(subscription.contractId == offered.id)
        #expect(subscription.vendorId == world.vendorA.actor)
        #expect(subscription.parameters == [parameter])
        #expect(subscription.externalUid == "7f1c")
        let duplicate = await expectRPCError(.alreadyExists, "a subscription with this external_id already exists") {
            try await service.createSubscription(request: subscribe, context: context(RPC.CreateSubscription.schema))
        }
        #expect(try badRequestViolations(duplicate) == ["external_id"])
        subscribe.externalId = ""
        subscribe.parameters = [parameter, parameter]
        let badParameters = await expectRPCError(.invalidArgument) {
            try await service.createSubscription(request: subscribe, context: context(RPC.CreateSubscription.schema))
        }
        #expect(try badRequestViolations(badParameters) == ["parameters[1].name", "parameters[1].reconciliation"])

        var change = Usageflow_V1_ChangeSubscriptionRequest()
        change.id = subscription.id
        change.reason = "unpaid"
        let suspended = try await service.suspendSubscription(
            request: change, context: context(RPC.SuspendSubscription.schema))
        #expect(suspended.status == .suspended)
        #expect(suspended.history.last?.reason == "unpaid")
        await expectRPCError(
            .failedPrecondition,
            "subscription \(subscription.id) is suspended; only active subscriptions can be suspended"
        ) {
            try await service.suspendSubscription(request: change, context: context(RPC.SuspendSubscription.schema))
        }
        #expect(
            try await service.resumeSubscription(request: change, context: context(RPC.ResumeSubscription.schema))
                .status == .active)
        change.reason = String(repeating: "r", count: 201)
        let longReason = await expectRPCError(.invalidArgument) {
            try await service.terminateSubscription(request: change, context: context(RPC.TerminateSubscription.schema))
        }
        #expect(try badRequestViolations(longReason) == ["reason"])
        change.reason = ""
        let terminated = try await service.terminateSubscription(
            request: change, context: context(RPC.TerminateSubscription.schema))
        #expect(terminated.history.map(\.to) == ["active", "suspended", "active", "terminated"])

        var listed = Usageflow_V1_ListSubscriptionsRequest()
        listed.resellerId = north.id
        listed.status = .terminated
        let found = try await service.listSubscriptions(request: listed, context: context(RPC.ListSubscriptions.schema))
        #expect(found.subscriptions == [terminated])
        #expect(
            try await service.getSubscription(
                request: idRequest(subscription.id), context: context(RPC.GetSubscription.schema)) == terminated)

        var terminate = Usageflow_V1_TerminateContractRequest()
        terminate.id = offered.id
        terminate.reason = "ending"
        let ended = try await service.terminateContract(
            request: terminate, context: context(RPC.TerminateContract.schema))
        #expect(ended.status == .terminated)
        #expect(ended.history.last?.reason == "ending")
        #expect(
            try await service.unlistListing(
                request: idRequest(requested.id), context: context(RPC.UnlistListing.schema))
                .status == .unlisted)

        var resellers = Usageflow_V1_ListResellersRequest()
        resellers.tier = 1
        #expect(
            try await service.listResellers(request: resellers, context: context(RPC.ListResellers.schema)).resellers
                == [north])
    }
}
