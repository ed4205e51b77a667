// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import UsageIngest
import WellKnownTypes

// Reconciliation files: a spreadsheet of closes for one accepted usage file, read and applied
// within its upload call. Files the distributor cannot see answer NOT_FOUND as in the review RPCs;
// a file that cannot be read still answers OK, with an `invalid` reconciliation saying why.

extension DistributorService {
    /// A header naming the file and the format, then the bytes in chunks of any size: spooled to
    /// disk (a workbook is read from its end, so it must be whole first), then read and applied.
    ///
    /// The file is checked before any byte is spooled, so a file the distributor cannot close
    /// records of is refused at once. More bytes than the limit, a declared format the bytes do not
    /// have, or a file that cannot be read make the reconciliation `invalid` with nothing applied.
    public func uploadReconciliationFile(
        requests: RequestStream<Usageflow_V1_UploadReconciliationFileRequest>, context: ServerContext
    ) async throws -> Usageflow_V1_Reconciliation {
        let tenant = try context.tenant()
        var messages = requests.makeAsyncIterator()
        let header = try await UploadStream.header(from: &messages) { message in
            if case .header(let header)? = message.content { header } else { nil }
        }
        var validation = Validation()
        if header.fileId.isEmpty { validation.fail("header.file_id", "is required") }
        let declared = Self.reconciliationFormat(header.format, field: "header.format", into: &validation)
        if header.format.rawValue == 0 { validation.fail("header.format", "is required: XLSX or CSV") }
        try validation.check()
        guard let declared else { throw DomainError.internalFailure("a format passed validation without a value") }
        let operations = reconciliationFiles
        let fileID = header.fileId
        let limits = usageLimits
        _ = try await operations.reconcilableFile(tenant, fileID: fileID)

        let spool = try UploadSpool(limit: limits.bytesPerUpload, directory: spoolDirectory)
        defer { spool.remove() }
        try await UploadStream.chunks(from: &messages, Self.piece) { bytes in
            if !spool.limitExceeded { try await spool.append(bytes, on: .shared) }
        }
        try spool.finish()
        if spool.limitExceeded {
            let detail = "the file is larger than \(limits.bytesPerUpload) bytes, the most one upload may have; "
                + "split it into several files"
            return Usageflow_V1_Reconciliation(
                try await operations.rejectReconciliation(tenant, fileID: fileID, format: declared, detail: detail))
        }
        let reader: ReconciliationFileReader
        do {
            reader = try await ReconciliationFileReader.open(path: spool.path, on: .shared)
            let actual: ReconciliationFormat = reader.format == .xlsx ? .xlsx : .csv
            if actual != declared {
                throw DomainError.invalid(
                    field: "header.format",
                    "the upload was declared \(declared.rawValue.uppercased()) but is a "
                        + "\(actual == .xlsx ? "ZIP archive (XLSX)" : "text (CSV) file")")
            }
        } catch let error as DomainError where error.kind == .invalidArgument {
            return Usageflow_V1_Reconciliation(
                try await operations.rejectReconciliation(tenant, fileID: fileID, format: declared, detail: error.message))
        }
        let reconciliation = try await operations.reconcile(
            tenant, fileID: fileID, format: declared, maximumRows: limits.recordsPerFile
        ) { try reader.entries() }
        return Usageflow_V1_Reconciliation(reconciliation)
    }

    private static func piece(_ message: Usageflow_V1_UploadReconciliationFileRequest) -> UploadStream.Piece {
        switch message.content {
        case .chunk(let bytes)?: .chunk(bytes)
        case .header?: .header
        case nil: .nothing
        }
    }

    public func getReconciliation(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Reconciliation {
        let tenant = try context.tenant()
        return Usageflow_V1_Reconciliation(try await reconciliationFiles.reconciliation(tenant, id: request.id))
    }

    public func listReconciliations(
        request: Usageflow_V1_ListReconciliationsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListReconciliationsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "distributor.reconciliations", filters: ["file": request.fileId], pageSize: request.pageSize,
            pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await reconciliationFiles.reconciliations(
            tenant, fileID: request.fileId.isEmpty ? nil : request.fileId, page: paging.request)
        var response = Usageflow_V1_ListReconciliationsResponse()
        response.reconciliations = page.items.map(Usageflow_V1_Reconciliation.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func listReconciliationRows(
        request: Usageflow_V1_ListReconciliationRowsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListReconciliationRowsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        if request.reconciliationId.isEmpty { validation.fail("reconciliation_id", "is required") }
        let paging = ListPaging(
            list: "distributor.reconciliation_rows",
            filters: ["reconciliation": request.reconciliationId, "failed_only": "\(request.failedOnly)"],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await reconciliationFiles.reconciliationRows(
            tenant, id: request.reconciliationId, failedOnly: request.failedOnly, page: paging.request)
        var response = Usageflow_V1_ListReconciliationRowsResponse()
        response.rows = page.items.map(Usageflow_V1_ReconciliationRow.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    private var reconciliationFiles: UsageReconciliationOperations {
        UsageReconciliationOperations(environment: environment)
    }

    /// A wire format, nil for unspecified; a violation for a number the API does not define.
    private static func reconciliationFormat(
        _ wire: Usageflow_V1_UsageFileFormat, field: String, into validation: inout Validation
    ) -> ReconciliationFormat? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: [(.xlsx, .xlsx), (.csv, .csv)], into: &validation)
    }
}

extension Usageflow_V1_Reconciliation {
    init(_ reconciliation: Reconciliation) {
        self.init()
        id = reconciliation.id
        distributorId = reconciliation.distributorID
        fileId = reconciliation.fileID
        format = reconciliation.format == .xlsx ? .xlsx : .csv
        status = switch reconciliation.status {
        case .processing: .processing
        case .completed: .completed
        case .completedWithErrors: .completedWithErrors
        case .invalid: .invalid
        case .failed: .failed
        }
        var counts = Usageflow_V1_ReconciliationCounts()
        counts.rows = Int64(reconciliation.counts.rows)
        counts.closed = Int64(reconciliation.counts.closed)
        counts.unchanged = Int64(reconciliation.counts.unchanged)
        counts.failed = Int64(reconciliation.counts.failed)
        self.counts = counts
        errorDetail = reconciliation.errorDetail
        actor = reconciliation.actor
        createdAt = Google_Protobuf_Timestamp(reconciliation.createdAt)
        if let completedAt = reconciliation.completedAt { self.completedAt = Google_Protobuf_Timestamp(completedAt) }
    }
}

extension Usageflow_V1_ReconciliationRow {
    /// A row as the wire gives it: OK (its message says closed or unchanged), or the status a
    /// single close of it would have answered.
    init(_ row: ReconciliationRow) {
        self.init()
        position = Int64(row.position)
        recordId = row.recordID
        externalBillingId = row.externalBillingID
        externalBillingNote = row.note
        var status = Google_Rpc_Status()
        if let error = row.error {
            let rpcError = error.rpcError
            status.code = Int32(rpcError.code.rawValue)
            status.message = rpcError.message
        } else {
            status.message = row.outcome.rawValue
        }
        self.status = status
    }
}
