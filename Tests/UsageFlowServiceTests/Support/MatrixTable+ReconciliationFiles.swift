// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The reconciliation-file rows of the distributor of the authorization matrix. Each world holds an
// accepted file with one reconciliation applied (`MatrixUsageRefs.reconciledFile` and
// `.reconciliation`), which the reads aim at; an upload expected to succeed closes the record of a
// fresh accepted file, and any other upload aims at the target world's pending file.

extension MatrixTenantWorld {
    /// A fresh accepted file whose one record a reconciliation file closed: the file and the
    /// reconciliation.
    func reconciledFile() async throws -> (file: String, reconciliation: String) {
        let file = try await acceptedFile()
        let record = try await firstRecordID(of: file)
        let reconciliation = try await UsageReconciliationOperations(environment: environment).reconcile(
            distributor, fileID: file, format: .csv, maximumRows: 10
        ) {
            ReconciliationEntryList([
                ReconciliationEntry(position: 2, recordID: record, externalBillingID: "MATRIX-1"),
                ReconciliationEntry(position: 3, recordID: "R-none", externalBillingID: "MATRIX-2"),
            ])
        }
        return (file, reconciliation.id)
    }
}

extension MatrixTable {
    private typealias Distributor = Usageflow_V1_DistributorService

    static let reconciliationFileRows: [MatrixRow] = [
        .makeClientStreaming(
            Distributor.UploadReconciliationFile.schema, Usageflow_V1_Reconciliation.self, .object
        ) { context in
            let (file, record) = try await context.recordToClose()
            var header = Usageflow_V1_UploadReconciliationFileRequest()
            header.header.fileId = file
            header.header.format = .csv
            var chunk = Usageflow_V1_UploadReconciliationFileRequest()
            chunk.chunk = Array("record_id,external_billing_id\n\(record),\(context.unique("BILL"))\n".utf8)
            return [header, chunk]
        },
        .make(Distributor.GetReconciliation.schema, Usageflow_V1_Reconciliation.self, .object) { context in
            idRequest(context.refs.usage.reconciliation)
        },
        .make(
            Distributor.ListReconciliations.schema, Usageflow_V1_ListReconciliationsResponse.self, .object,
            page: { $0.reconciliations.count }
        ) { context in
            var request = Usageflow_V1_ListReconciliationsRequest()
            request.fileId = context.refs.usage.reconciledFile
            return request
        },
        .make(
            Distributor.ListReconciliationRows.schema, Usageflow_V1_ListReconciliationRowsResponse.self, .object,
            page: { $0.rows.count }
        ) { context in
            var request = Usageflow_V1_ListReconciliationRowsRequest()
            request.reconciliationId = context.refs.usage.reconciliation
            return request
        },
    ]
}
