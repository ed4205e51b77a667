// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import ProtoWire
import RPCCore

/// `ExportRecords` for every role that has it (distributor and reseller): the request read and
/// checked, then the export streamed batch by batch.
///
/// Backpressure: a batch is read only after the previous one was written, and `response.write`
/// returns only once the transport accepted the message under the client's flow control. A slow
/// client therefore paces the reads, and the server holds one batch (plus what the transport
/// buffers) whatever the export's size.
public enum RecordExport {
    /// Streams the export `request` asks for as `tenant`, `list` naming the RPC in cursor bindings.
    public static func stream(
        _ request: Usageflow_V1_ExportRecordsRequest, tenant: Tenant, list: String,
        environment: DomainEnvironment, response: ResponseWriter<Usageflow_V1_ExportRecordsResponse>
    ) async throws {
        var validation = Validation()
        let filter = RecordFilter.decode(request.filter, field: "filter", into: &validation)
        if request.batchSize < 0 || request.batchSize > Int32(UsageExportOperations.maximumBatchSize) {
            validation.fail(
                "batch_size",
                "must be between 1 and \(UsageExportOperations.maximumBatchSize), or 0 for "
                    + "\(UsageExportOperations.defaultBatchSize) (got \(request.batchSize))")
        }
        let binding = ExportCursor.binding(tenant: tenant, list: list, filter: filter)
        var position = ExportCursor.decode(request.cursor, binding: binding, field: "cursor", into: &validation)
        try validation.check()
        let size = request.batchSize == 0 ? UsageExportOperations.defaultBatchSize : Int(request.batchSize)
        let operations = UsageExportOperations(environment: environment)
        let query = try await operations.query(tenant, filter: filter)
        let billingReseller: String? = if case .reseller(let id, _, _) = query.scope { id } else { nil }
        while true {
            try Task.checkCancellation()
            let (encoder, batch) = try await operations.batch(
                query, after: position, limit: size, into: ExportWireEncoder())
            guard let last = batch.lastPosition else { return }
            // The response goes out as the encoder wrote it: records and cursor, no message in between.
            try await response.write(
                encoded: encoder.encode(
                    batch, includingBilling: billingReseller, cursor: ExportCursor.encode(last, binding: binding)))
            guard batch.hasMore else { return }
            position = last
        }
    }
}
