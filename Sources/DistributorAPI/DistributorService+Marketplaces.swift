// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
    public func createMarketplace(
        request: Usageflow_V1_CreateMarketplaceRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Marketplace {
        let tenant = try context.tenant()
        let marketplace = try await MarketplaceOperations(environment: environment)
            .create(tenant, name: request.name, currency: request.currency)
        return Usageflow_V1_Marketplace(marketplace)
    }

    public func getMarketplace(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Marketplace {
        let tenant = try context.tenant()
        let marketplace = try await MarketplaceOperations(environment: environment).get(tenant, id: request.id)
        return Usageflow_V1_Marketplace(marketplace)
    }

    public func listMarketplaces(
        request: Usageflow_V1_ListMarketplacesRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListMarketplacesResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "marketplaces", pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await MarketplaceOperations(environment: environment).list(tenant, page: paging.request)
        var response = Usageflow_V1_ListMarketplacesResponse()
        response.marketplaces = page.items.map(Usageflow_V1_Marketplace.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }
}
