// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
    public func offerContract(
        request: Usageflow_V1_OfferContractRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Contract {
        let tenant = try context.tenant()
        let contract = try await ContractOperations(environment: environment)
            .offer(tenant, vendorID: request.vendorId, marketplaceID: request.marketplaceId)
        return Usageflow_V1_Contract(contract)
    }

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
        let page = try await ContractOperations(environment: environment)
            .list(tenant, status: status, marketplaceID: request.marketplaceId.nonEmpty, page: paging.request)
        var response = Usageflow_V1_ListContractsResponse()
        response.contracts = page.items.map(Usageflow_V1_Contract.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func terminateContract(
        request: Usageflow_V1_TerminateContractRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Contract {
        let tenant = try context.tenant()
        let contract = try await ContractOperations(environment: environment)
            .terminate(tenant, id: request.id, reason: request.reason)
        return Usageflow_V1_Contract(contract)
    }
}
