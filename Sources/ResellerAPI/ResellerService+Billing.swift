// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import WellKnownTypes

// Reseller billing: the reseller marks accepted records of its own customers billed with its own
// billing ids. Each mark is answered on its own, like the distributor's bulk close.

extension ResellerService {
    public func markRecordsBilled(
        request: Usageflow_V1_MarkRecordsBilledRequest, context: ServerContext
    ) async throws -> Usageflow_V1_MarkRecordsBilledResponse {
        let tenant = try context.tenant()
        let marks = request.records.map { record in
            ResellerBillingOperations.Mark(
                fileID: record.fileId, recordID: record.recordId, externalBillingID: record.externalBillingId,
                note: record.externalBillingNote)
        }
        let outcomes = try await ResellerBillingOperations(environment: environment).markRecordsBilled(tenant, marks)
        var response = Usageflow_V1_MarkRecordsBilledResponse()
        response.results = outcomes.map(Self.result)
        return response
    }

    /// One mark's outcome as the wire gives it: the status a call for that record alone would
    /// answer, field violations included, and the mark as stored when it is OK.
    private static func result(_ outcome: ResellerBillingOperations.Outcome) -> Usageflow_V1_RecordBillingResult {
        var result = Usageflow_V1_RecordBillingResult()
        result.fileId = outcome.fileID
        result.recordId = outcome.recordID
        switch outcome.result {
        case .success(let mark):
            result.status = Google_Rpc_Status()
            var billing = Usageflow_V1_ResellerBilling()
            billing.resellerId = mark.resellerID
            billing.externalBillingId = mark.externalBillingID
            billing.externalBillingNote = mark.externalBillingNote
            billing.billedAt = Google_Protobuf_Timestamp(mark.billedAt)
            result.billing = billing
        case .failure(let error):
            result.status = error.rpcStatus
        }
        return result
    }
}
