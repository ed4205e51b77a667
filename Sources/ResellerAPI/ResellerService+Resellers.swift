// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension ResellerService {
    /// Creates a tier-2 reseller under the caller, a tier-1 reseller its distributor allowed to;
    /// `allow_tier2` must stay false, since tier-2 resellers cannot have resellers.
    public func createReseller(
        request: Usageflow_V1_CreateResellerRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Reseller {
        let tenant = try context.tenant()
        let reseller = try await ResellerOperations(environment: environment)
            .create(tenant, name: request.name, allowTier2: request.allowTier2)
        return Usageflow_V1_Reseller(reseller)
    }

    public func getReseller(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Reseller {
        let tenant = try context.tenant()
        return Usageflow_V1_Reseller(try await ResellerOperations(environment: environment).get(tenant, id: request.id))
    }

    /// The caller's tier-2 resellers; a `tier` or `parent_id` filter that cannot match them gives an empty page.
    public func listResellers(
        request: Usageflow_V1_ListResellersRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListResellersResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let tier = request.tier == 0 ? nil : Int(request.tier)
        ResellerOperations.validate(tierFilter: tier, into: &validation)
        let paging = ListPaging(
            list: "resellers", filters: ["tier": "\(request.tier)", "parent": request.parentId],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await ResellerOperations(environment: environment)
            .list(tenant, tier: tier, parentID: request.parentId.nonEmpty, page: paging.request)
        var response = Usageflow_V1_ListResellersResponse()
        response.resellers = page.items.map(Usageflow_V1_Reseller.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }
}
