// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

/// `ListUsageFiles` for both roles that list files: the same filters, paging and validation; the
/// roles differ only in their page-token namespace and in whether the vendor's internal note is
/// shown (never to the distributor, SPEC §3). What each role may see is the domain's decision.
public struct UsageFileListing: Sendable {
    /// The page-token namespace, such as `vendor.usage_files`: a token from one role's list is
    /// refused by the other's.
    public var list: String
    public var includingNote: Bool

    public init(list: String, includingNote: Bool) {
        self.list = list
        self.includingNote = includingNote
    }

    public func respond(
        to request: Usageflow_V1_ListUsageFilesRequest, tenant: Tenant, files: UsageFileOperations
    ) async throws -> Usageflow_V1_ListUsageFilesResponse {
        var validation = Validation()
        let status = UsageFileStatus.decode(request.status, field: "status", into: &validation)
        let fileEnvironment = UsageEnvironment.decode(request.environment, field: "environment", into: &validation)
        let paging = ListPaging(
            list: list,
            filters: [
                "product": request.productId, "contract": request.contractId, "status": "\(request.status.rawValue)",
                "environment": "\(request.environment.rawValue)", "external": request.externalId,
            ],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await files.list(
            tenant, productID: request.productId.nonEmpty, contractID: request.contractId.nonEmpty, status: status,
            environment: fileEnvironment, externalID: request.externalId.nonEmpty, page: paging.request)
        var response = Usageflow_V1_ListUsageFilesResponse()
        response.files = page.items.map { Usageflow_V1_UsageFile($0, includingNote: includingNote) }
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }
}
