// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The reconciliation rows of the authorization matrix. A cell expected to succeed closes the one
// record of a fresh accepted file; any other cell aims at the target world's pending file and
// its record, so a call wrongly let through would answer something other than what the cell
// expects.

extension MatrixTenantWorld {
    /// A production file with one approved record: submitted, then accepted by the distributor.
    func acceptedFile() async throws -> String {
        try await UsageFileOperations(environment: environment).accept(distributor, id: pendingFile(), note: "").id
    }

    /// The record id of the first record of `fileID`, read from the store.
    func firstRecordID(of fileID: String) async throws -> String {
        let recordID = try await environment.store.read { tx in
            try tx.usageRecords(fileID: fileID, status: nil, page: PageRequest(size: 1)).items.first?.recordID
        }
        guard let recordID else { throw DomainError.internalFailure("the matrix's file \(fileID) has no record") }
        return recordID
    }
}

extension MatrixRequestContext {
    /// A file and a record of it to close: a fresh accepted file's record when the cell expects
    /// success, else the target world's pending file and its record (a made-up record id for the
    /// missing target).
    func recordToClose() async throws -> (file: String, record: String) {
        let file = try await consumable(\.usage.pendingFile) { try await $0.acceptedFile() }
        guard target != .missing else { return (file, "R-0") }
        return (file, try await (target == .other ? world.b : world.a).firstRecordID(of: file))
    }
}

extension MatrixTable {
    private typealias Distributor = Usageflow_V1_DistributorService

    // MARK: DistributorService reconciliation

    static let distributorReconciliationRows: [MatrixRow] = [
        .make(Distributor.CloseRecord.schema, Usageflow_V1_UsageRecord.self, .object) { context in
            let (file, record) = try await context.recordToClose()
            var request = Usageflow_V1_CloseRecordRequest()
            request.fileId = file
            request.recordId = record
            request.externalBillingId = context.unique("BILL")
            return request
        },
        .make(Distributor.CloseRecords.schema, Usageflow_V1_CloseRecordsResponse.self, .object) { context in
            let (file, record) = try await context.recordToClose()
            var close = Usageflow_V1_RecordClose()
            close.recordId = record
            close.externalBillingId = context.unique("BILL")
            var request = Usageflow_V1_CloseRecordsRequest()
            request.fileId = file
            request.records = [close]
            return request
        },
        .make(Distributor.CloseUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            var request = Usageflow_V1_CloseUsageFileRequest()
            request.id = try await context.recordToClose().file
            request.externalBillingId = context.unique("BILL")
            return request
        },
    ]
}
