// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport
import UsageIngest

// Export for billing: the distributor's accepted records streamed with filters and a resume
// cursor, and a whole accepted file as a spreadsheet.

extension DistributorService {
    public func exportRecords(
        request: Usageflow_V1_ExportRecordsRequest, response: ResponseWriter<Usageflow_V1_ExportRecordsResponse>,
        context: ServerContext
    ) async throws {
        let tenant = try context.tenant()
        try await RecordExport.stream(
            request, tenant: tenant, list: "distributor.export", environment: environment, response: response)
    }

    /// The file's approved and closed records, read in batches and written through the streaming
    /// spreadsheet writer; each batch's output goes out as chunks before the next batch is read.
    public func exportUsageFile(
        request: Usageflow_V1_ExportUsageFileRequest, response: ResponseWriter<Usageflow_V1_FileChunk>,
        context: ServerContext
    ) async throws {
        let tenant = try context.tenant()
        var validation = Validation()
        if request.fileId.isEmpty { validation.fail("file_id", "is required") }
        let format: UsageFileFormat?
        switch request.format {
        case .xlsx: format = .xlsx
        case .csv: format = .csv
        default:
            format = nil
            validation.fail(
                "format",
                request.format.rawValue == 0 ? "is required: XLSX or CSV" : "unknown value \(request.format.rawValue)")
        }
        try validation.check()
        guard let format else { return }
        let operations = UsageExportOperations(environment: environment)
        let (file, query) = try await operations.fileQuery(tenant, fileID: request.fileId)
        let writer = try UsageExportWriter.usageFile(file, format: format)
        var chunks = DownloadChunks(
            name: "\(file.id)-export.\(format.rawValue)", contentType: format.contentType, response: response)
        var position: ExportedRecord.Position?
        while true {
            try Task.checkCancellation()
            let batch = try await operations.batch(query, after: position, limit: UsageExportOperations.maximumBatchSize)
            for exported in batch.records { try writer.append(exported, in: batch) }
            try await chunks.send(writer.takeOutput())
            guard batch.hasMore, let last = batch.lastPosition else { break }
            position = last
        }
        try await chunks.send(writer.finish(), last: true)
    }
}
