// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AdminAPI

import Authorization
import Contracts
import Domain
import RPCCore
import ServiceSupport

extension AdminService {
    /// Issues a key for `operator`, a vendor or a distributor. An unset scope means full.
    public func createApiKey(
        request: Usageflow_V1_CreateApiKeyRequest, context: ServerContext
    ) async throws -> Usageflow_V1_IssuedApiKey {
        let tenant = try context.tenant()
        var validation = Validation()
        let scope = KeyScope.decode(request.scope, field: "scope", into: &validation) ?? .full
        try validation.check()
        let issued = try await credentials.issueKey(
            tenant, accountID: request.accountId, scope: scope, name: request.name)
        var response = Usageflow_V1_IssuedApiKey()
        response.key = Usageflow_V1_ApiKey(issued.key)
        response.token = issued.token.text
        return response
    }

    public func listApiKeys(
        request: Usageflow_V1_ListApiKeysRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListApiKeysResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "api-keys", filters: ["account": request.accountId, "revoked": "\(request.includeRevoked)"],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await credentials.listKeys(
            tenant, accountID: request.accountId, includeRevoked: request.includeRevoked, page: paging.request)
        var response = Usageflow_V1_ListApiKeysResponse()
        response.keys = page.items.map(Usageflow_V1_ApiKey.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    /// Revokes a key and tells this server's authentication at once.
    public func revokeApiKey(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ApiKey {
        let tenant = try context.tenant()
        let key = try await credentials.revokeKey(tenant, id: request.id)
        context.credentialRevoked(.apiKey(id: key.id))
        return Usageflow_V1_ApiKey(key)
    }
}
