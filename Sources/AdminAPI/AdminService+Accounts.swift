// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AdminAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension AdminService {
    public func createAccount(
        request: Usageflow_V1_CreateAccountRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Account {
        let tenant = try context.tenant()
        var validation = Validation()
        let role = Role.decode(request.role, field: "role", into: &validation)
        try validation.check()
        return Usageflow_V1_Account(try await accounts.create(tenant, role: role, name: request.name))
    }

    public func getAccount(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Account {
        let tenant = try context.tenant()
        return Usageflow_V1_Account(try await accounts.get(tenant, id: request.id))
    }

    public func listAccounts(
        request: Usageflow_V1_ListAccountsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListAccountsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let role = Role.decode(request.role, field: "role", into: &validation)
        AccountOperations.validate(roleFilter: role, into: &validation)
        let paging = ListPaging(
            list: "accounts", filters: ["role": "\(request.role.rawValue)"], pageSize: request.pageSize,
            pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await accounts.list(tenant, role: role, page: paging.request)
        var response = Usageflow_V1_ListAccountsResponse()
        response.accounts = page.items.map(Usageflow_V1_Account.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }
}
