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
        var chunks = ExportChunks(name: "\(file.id)-export.\(format.rawValue)", format: format, response: response)
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

/// Sends a download as `FileChunk` messages: the first names the file and its media type, and no
/// chunk is larger than `maximumChunkSize`, well under the 4 MiB message limit of gRPC clients.
struct ExportChunks {
    static let maximumChunkSize = 256 * 1024

    let name: String
    let format: UsageFileFormat
    let response: ResponseWriter<Usageflow_V1_FileChunk>
    private var sentFirst = false

    init(name: String, format: UsageFileFormat, response: ResponseWriter<Usageflow_V1_FileChunk>) {
        self.name = name
        self.format = format
        self.response = response
    }

    /// Sends `bytes` in chunks; with `last`, sends the first chunk even when there are no bytes,
    /// so every download names its file.
    mutating func send(_ bytes: [UInt8], last: Bool = false) async throws {
        var start = 0
        while start < bytes.count || (last && !sentFirst) {
            let end = min(start + Self.maximumChunkSize, bytes.count)
            var chunk = Usageflow_V1_FileChunk()
            if !sentFirst {
                chunk.fileName = name
                chunk.contentType = format.contentType
                sentFirst = true
            }
            chunk.data = Array(bytes[start..<end])
            try await response.write(chunk)
            start = end
        }
    }
}
