// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import WellKnownTypes

// Reconciliation: the distributor closes approved records of its accepted files with the ids its
// billing system gave them. Records are named by file and `record_id`; files the distributor
// cannot see answer NOT_FOUND exactly as in the review RPCs.

extension DistributorService {
    public func closeRecord(
        request: Usageflow_V1_CloseRecordRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageRecord {
        let tenant = try context.tenant()
        let close = UsageReconciliationOperations.Close(
            recordID: request.recordId, externalBillingID: request.externalBillingId,
            note: request.externalBillingNote)
        return Usageflow_V1_UsageRecord(try await reconciliation.closeRecord(tenant, fileID: request.fileId, close))
    }

    public func closeRecords(
        request: Usageflow_V1_CloseRecordsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_CloseRecordsResponse {
        let tenant = try context.tenant()
        let closes = request.records.map { record in
            UsageReconciliationOperations.Close(
                recordID: record.recordId, externalBillingID: record.externalBillingId,
                note: record.externalBillingNote)
        }
        let bulk = try await reconciliation.closeRecords(tenant, fileID: request.fileId, closes)
        var response = Usageflow_V1_CloseRecordsResponse()
        response.results = bulk.outcomes.map(Self.result)
        response.file = Usageflow_V1_UsageFile(bulk.file, includingNote: false)
        return response
    }

    public func closeUsageFile(
        request: Usageflow_V1_CloseUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        let file = try await reconciliation.closeFile(
            tenant, id: request.id, externalBillingID: request.externalBillingId, note: request.externalBillingNote)
        return Usageflow_V1_UsageFile(file, includingNote: false)
    }

    private var reconciliation: UsageReconciliationOperations {
        UsageReconciliationOperations(environment: environment)
    }

    /// One record's outcome as the wire gives it: the status a single close would have answered,
    /// field violations included, so a client handles both alike.
    private static func result(_ outcome: UsageReconciliationOperations.Outcome) -> Usageflow_V1_RecordCloseResult {
        var result = Usageflow_V1_RecordCloseResult()
        result.recordId = outcome.recordID
        switch outcome.result {
        case .success(let record):
            result.status = Google_Rpc_Status()
            result.externalBillingId = record.externalBillingID ?? ""
            result.externalBillingNote = record.externalBillingNote ?? ""
            if let closedAt = record.closedAt { result.closedAt = Google_Protobuf_Timestamp(closedAt) }
        case .failure(let error):
            result.status = error.rpcStatus
        }
        return result
    }
}
