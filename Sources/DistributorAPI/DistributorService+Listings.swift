// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
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
        let page = try await ListingOperations(environment: environment)
            .list(tenant, status: status, productID: request.productId.nonEmpty, page: paging.request)
        var response = Usageflow_V1_ListListingsResponse()
        response.listings = page.items.map(Usageflow_V1_Listing.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func approveListing(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Listing {
        let tenant = try context.tenant()
        let listing = try await ListingOperations(environment: environment).approve(tenant, id: request.id)
        return Usageflow_V1_Listing(listing)
    }

    public func declineListing(
        request: Usageflow_V1_DeclineListingRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Listing {
        let tenant = try context.tenant()
        let listing = try await ListingOperations(environment: environment)
            .decline(tenant, id: request.id, note: request.note)
        return Usageflow_V1_Listing(listing)
    }

    public func unlistListing(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Listing {
        let tenant = try context.tenant()
        let listing = try await ListingOperations(environment: environment).unlist(tenant, id: request.id)
        return Usageflow_V1_Listing(listing)
    }
}
