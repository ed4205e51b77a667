// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The export rows of the authorization matrix: ExportRecords and ExportUsageFile of the
// distributor, ListRecords and ExportRecords of the reseller.
//
// Each request names the target world's accepted (and reconciled) file in its filter: world A's
// is the caller's own (OK, whatever it holds for a reseller's tier), world B's belongs to another
// distributor and a well-formed id of nothing names no file, both NOT_FOUND — an export must
// never answer another tenant's file with an empty stream that confirms it exists.

extension MatrixTable {
    private typealias Distributor = Usageflow_V1_DistributorService
    private typealias Reseller = Usageflow_V1_ResellerService

    /// An export request for every approved and closed record of the target world's accepted file.
    private static func exportRequest(_ context: MatrixRequestContext) -> Usageflow_V1_ExportRecordsRequest {
        var filter = Usageflow_V1_RecordFilter()
        filter.fileId = context.refs.usage.reconciledFile
        var request = Usageflow_V1_ExportRecordsRequest()
        request.filter = filter
        return request
    }

    static let exportRows: [MatrixRow] = [
        .makeServerStreaming(Distributor.ExportRecords.schema, Usageflow_V1_ExportRecordsResponse.self, .object) {
            exportRequest($0)
        },
        .makeServerStreaming(Distributor.ExportUsageFile.schema, Usageflow_V1_FileChunk.self, .object) { context in
            var request = Usageflow_V1_ExportUsageFileRequest()
            request.fileId = context.refs.usage.reconciledFile
            request.format = .csv
            return request
        },
        .make(Reseller.ListRecords.schema, Usageflow_V1_ListResellerRecordsResponse.self, .object) { context in
            var request = Usageflow_V1_ListResellerRecordsRequest()
            request.filter = exportRequest(context).filter
            return request
        },
        .makeServerStreaming(Reseller.ExportRecords.schema, Usageflow_V1_ExportRecordsResponse.self, .object) {
            exportRequest($0)
        },
    ]
}
