// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

// The vendor's side of the channel: contracts offered to it, listings of its products, and the
// subscriptions to its products. Every list reads its filters and paging together, so all bad
// fields of a request are reported at once.

extension VendorService {
    // MARK: Contracts

    public func listContracts(
        request: Usageflow_V1_ListContractsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListContractsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let status = ContractStatus.decode(request.status, field: "status", into: &validation)
        let paging = ListPaging(
            list: "contracts", filters: ["status": "\(request.status.rawValue)", "marketplace": request.marketplaceId],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await ContractOperations(environment: environment).list(
            tenant, status: status, marketplaceID: request.marketplaceId.isEmpty ? nil : request.marketplaceId,
            page: paging.request)
        var response = Usageflow_V1_ListContractsResponse()
        response.contracts = page.items.map(Usageflow_V1_Contract.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func acceptContract(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Contract {
        let tenant = try context.tenant()
        let contract = try await ContractOperations(environment: environment).accept(tenant, id: request.id)
        return Usageflow_V1_Contract(contract)
    }

    public func terminateContract(
        request: Usageflow_V1_TerminateContractRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Contract {
        let tenant = try context.tenant()
        let contract = try await ContractOperations(environment: environment)
            .terminate(tenant, id: request.id, reason: request.reason)
        return Usageflow_V1_Contract(contract)
    }

    // MARK: Listings

    public func requestListing(
        request: Usageflow_V1_RequestListingRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Listing {
        let tenant = try context.tenant()
        let listing = try await ListingOperations(environment: environment)
            .request(tenant, productID: request.productId, contractID: request.contractId)
        return Usageflow_V1_Listing(listing)
    }

    public func listListings(
        request: Usageflow_V1_ListListingsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListListingsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let status = ListingStatus.decode(request.status, field: "status", into: &validation)
        let paging = ListPaging(
            list: "listings", filters: ["status": "\(request.status.rawValue)", "product": request.productId],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await ListingOperations(environment: environment).list(
            tenant, status: status, productID: request.productId.isEmpty ? nil : request.productId,
            page: paging.request)
        var response = Usageflow_V1_ListListingsResponse()
        response.listings = page.items.map(Usageflow_V1_Listing.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    // MARK: Subscriptions

    /// Subscriptions to the vendor's products, narrowed by the request's filters.
    public func listSubscriptions(
        request: Usageflow_V1_ListSubscriptionsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListSubscriptionsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let status = SubscriptionStatus.decode(request.status, field: "status", into: &validation)
        let paging = ListPaging(
            list: "subscriptions",
            filters: [
                "product": request.productId, "customer": request.customerId, "reseller": request.resellerId,
                "status": "\(request.status.rawValue)", "external": request.externalId,
            ],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        func filter(_ value: String) -> String? { value.isEmpty ? nil : value }
        let page = try await SubscriptionOperations(environment: environment).list(
            tenant, productID: filter(request.productId), customerID: filter(request.customerId),
            resellerID: filter(request.resellerId), status: status, externalID: filter(request.externalId),
            page: paging.request)
        var response = Usageflow_V1_ListSubscriptionsResponse()
        response.subscriptions = page.items.map(Usageflow_V1_Subscription.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func getSubscription(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Subscription {
        let tenant = try context.tenant()
        let subscription = try await SubscriptionOperations(environment: environment).get(tenant, id: request.id)
        return Usageflow_V1_Subscription(subscription)
    }
}
