// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import WellKnownTypes

// Usage files: create, upload (record stream or spreadsheet bytes), read results, submit, delete.

extension VendorService {
    public func createUsageFile(
        request: Usageflow_V1_CreateUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func getUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func listUsageFiles(
        request: Usageflow_V1_ListUsageFilesRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageFilesResponse {
        throw Self.notYet(context)
    }

    public func updateUsageFile(
        request: Usageflow_V1_UpdateUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func uploadRecords(
        requests: RequestStream<Usageflow_V1_UploadRecordsRequest>, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func uploadUsageFile(
        requests: RequestStream<Usageflow_V1_UploadUsageFileRequest>, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func listRecords(
        request: Usageflow_V1_ListUsageRecordsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageRecordsResponse {
        throw Self.notYet(context)
    }

    public func downloadProcessedFile(
        request: Usageflow_V1_DownloadProcessedFileRequest, response: ResponseWriter<Usageflow_V1_FileChunk>,
        context: ServerContext
    ) async throws {
        throw Self.notYet(context)
    }

    public func downloadTemplate(
        request: Usageflow_V1_DownloadTemplateRequest, response: ResponseWriter<Usageflow_V1_FileChunk>,
        context: ServerContext
    ) async throws {
        throw Self.notYet(context)
    }

    public func submitUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func deleteUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    /// Until the usage domain is wired in, the RPCs exist (so clients and reflection see the
    /// whole API) and answer UNIMPLEMENTED.
    private static func notYet(_ context: ServerContext) -> RPCError {
        RPCError(code: .unimplemented, message: "\(context.method.path) is not available yet")
    }
}
