// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport

// The review of usage files: the distributor sees production files from `pending` on, and accepts
// or rejects them.

extension DistributorService {
    public func listUsageFiles(
        request: Usageflow_V1_ListUsageFilesRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageFilesResponse {
        throw Self.notYet(context)
    }

    public func getUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func listRecords(
        request: Usageflow_V1_ListUsageRecordsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageRecordsResponse {
        throw Self.notYet(context)
    }

    public func acceptUsageFile(
        request: Usageflow_V1_AcceptUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    public func rejectUsageFile(
        request: Usageflow_V1_RejectUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        throw Self.notYet(context)
    }

    /// Until the usage domain is wired in, the RPCs exist (so clients and reflection see the
    /// whole API) and answer UNIMPLEMENTED.
    private static func notYet(_ context: ServerContext) -> RPCError {
        RPCError(code: .unimplemented, message: "\(context.method.path) is not available yet")
    }
}
