// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

// The review of usage files. The distributor sees the production files of its contracts from
// `pending` on; anything else (drafts, ready files, preview files, other distributors' files)
// answers NOT_FOUND exactly as a missing file would. The vendor's internal note never appears in
// these replies.

extension DistributorService {
    public func listUsageFiles(
        request: Usageflow_V1_ListUsageFilesRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageFilesResponse {
        try await UsageFileListing(list: "distributor.usage_files", includingNote: false)
            .respond(to: request, tenant: try context.tenant(), files: usageFiles)
    }

    public func getUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        return Usageflow_V1_UsageFile(try await usageFiles.get(tenant, id: request.id), includingNote: false)
    }

    public func listRecords(
        request: Usageflow_V1_ListUsageRecordsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageRecordsResponse {
        let tenant = try context.tenant()
        let (status, paging) = try UsageRecordPaging.read(request, list: "distributor.usage_records")
        let page = try await usageFiles.records(tenant, id: request.fileId, status: status, page: paging.request)
        var response = Usageflow_V1_ListUsageRecordsResponse()
        response.records = page.items.map(Usageflow_V1_UsageRecord.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func acceptUsageFile(
        request: Usageflow_V1_AcceptUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        let file = try await usageFiles.accept(tenant, id: request.id, note: request.note)
        return Usageflow_V1_UsageFile(file, includingNote: false)
    }

    public func rejectUsageFile(
        request: Usageflow_V1_RejectUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        let file = try await usageFiles.reject(tenant, id: request.id, note: request.note)
        return Usageflow_V1_UsageFile(file, includingNote: false)
    }

    private var usageFiles: UsageFileOperations { UsageFileOperations(environment: environment) }
}
