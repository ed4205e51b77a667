// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
    public func createCustomer(
        request: Usageflow_V1_CreateCustomerRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Customer {
        let tenant = try context.tenant()
        let customer = try await CustomerOperations(environment: environment).create(
            tenant, name: request.name, resellerID: request.resellerId.nonEmpty, externalID: request.externalId)
        return Usageflow_V1_Customer(customer)
    }

    public func getCustomer(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Customer {
        let tenant = try context.tenant()
        return Usageflow_V1_Customer(try await CustomerOperations(environment: environment).get(tenant, id: request.id))
    }

    public func listCustomers(
        request: Usageflow_V1_ListCustomersRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListCustomersResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "customers", filters: ["reseller": request.resellerId], pageSize: request.pageSize,
            pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await CustomerOperations(environment: environment)
            .list(tenant, resellerID: request.resellerId.nonEmpty, page: paging.request)
        var response = Usageflow_V1_ListCustomersResponse()
        response.customers = page.items.map(Usageflow_V1_Customer.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }
}
