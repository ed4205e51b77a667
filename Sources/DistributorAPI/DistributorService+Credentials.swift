// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Authorization
import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
    private var credentials: CredentialOperations {
        CredentialOperations(environment: environment, hashing: CryptoSecretHashing())
    }

    // MARK: Service identities

    /// Registers a client certificate by subject or by pinned fingerprint (exactly one of them).
    public func createServiceIdentity(
        request: Usageflow_V1_CreateServiceIdentityRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ServiceIdentity {
        let tenant = try context.tenant()
        let identity = try await credentials.createServiceIdentity(
            tenant, name: request.name, subject: request.subject.nonEmpty,
            sha256Fingerprint: request.sha256Fingerprint.nonEmpty)
        return Usageflow_V1_ServiceIdentity(identity)
    }

    /// The distributor's service identities, revoked ones included, oldest first.
    public func listServiceIdentities(
        request: Usageflow_V1_ListServiceIdentitiesRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListServiceIdentitiesResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "service-identities", pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await credentials.listServiceIdentities(tenant, page: paging.request)
        var response = Usageflow_V1_ListServiceIdentitiesResponse()
        response.identities = page.items.map(Usageflow_V1_ServiceIdentity.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    /// Revokes a service identity and tells this server's authentication at once.
    public func revokeServiceIdentity(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ServiceIdentity {
        let tenant = try context.tenant()
        let identity = try await credentials.revokeServiceIdentity(tenant, id: request.id)
        context.credentialRevoked(.serviceIdentity(id: identity.id))
        return Usageflow_V1_ServiceIdentity(identity)
    }

    // MARK: Reseller keys

    /// Issues a key for one of the distributor's resellers. An unset scope means full.
    public func createResellerKey(
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

    /// The keys of one of the distributor's resellers.
    public func listResellerKeys(
        request: Usageflow_V1_ListApiKeysRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListApiKeysResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "reseller-keys", filters: ["account": request.accountId, "revoked": "\(request.includeRevoked)"],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await credentials.listKeys(
            tenant, accountID: request.accountId, includeRevoked: request.includeRevoked, page: paging.request)
        var response = Usageflow_V1_ListApiKeysResponse()
        response.keys = page.items.map(Usageflow_V1_ApiKey.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    /// Revokes a reseller's key and tells this server's authentication at once.
    public func revokeResellerKey(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ApiKey {
        let tenant = try context.tenant()
        let key = try await credentials.revokeKey(tenant, id: request.id)
        context.credentialRevoked(.apiKey(id: key.id))
        return Usageflow_V1_ApiKey(key)
    }
}
