// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

// The reseller's records: the accepted usage of its own customers' subscriptions (a tier-2
// reseller: only those sold through it), listed page by page with its own billing marks, or
// exported as a stream with a resume cursor exactly like the distributor's export.

extension ResellerService {
    public func listRecords(
        request: Usageflow_V1_ListResellerRecordsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListResellerRecordsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let filter = RecordFilter.decode(request.filter, field: "filter", into: &validation)
        let billed: UsageExportQuery.Billed
        switch request.billed {
        case .any: billed = .any
        case .no: billed = .no
        case .yes: billed = .yes
        default:
            billed = .any
            validation.fail("billed", "unknown value \(request.billed.rawValue)")
        }
        if request.pageSize < 0 || request.pageSize > Int32(Limits.maxPageSize) {
            validation.fail("page_size", "must be between 0 and \(Limits.maxPageSize) (got \(request.pageSize))")
        }
        let binding = ExportCursor.binding(
            tenant: tenant, list: "reseller.records", filter: filter, extra: "billed=\(request.billed.rawValue)")
        let after = ExportCursor.decode(request.pageToken, binding: binding, field: "page_token", into: &validation)
        try validation.check()
        let size = request.pageSize == 0 ? Limits.defaultPageSize : Int(request.pageSize)
        let operations = UsageExportOperations(environment: environment)
        let query = try await operations.query(tenant, filter: filter, billed: billed)
        // One record more than the page shows tells whether another page follows.
        var batch = try await operations.batch(query, after: after, limit: size + 1)
        var response = Usageflow_V1_ListResellerRecordsResponse()
        if batch.records.count > size {
            batch.records.removeLast(batch.records.count - size)
            if let last = batch.lastPosition { response.nextPageToken = ExportCursor.encode(last, binding: binding) }
        }
        response.records = batch.wireRecords(includingBilling: true)
        return response
    }

    public func exportRecords(
        request: Usageflow_V1_ExportRecordsRequest, response: ResponseWriter<Usageflow_V1_ExportRecordsResponse>,
        context: ServerContext
    ) async throws {
        let tenant = try context.tenant()
        try await RecordExport.stream(
            request, tenant: tenant, list: "reseller.export", environment: environment, response: response)
    }
}
