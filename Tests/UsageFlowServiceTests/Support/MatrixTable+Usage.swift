// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import WellKnownTypes

// The usage-file rows of the authorization matrix: the usage files each world holds, how to make
// fresh ones for the actions that consume theirs, rows for streaming calls, and one row per
// usage-file RPC of VendorService and DistributorService.

/// Each world's usage files, all of its `product` under its `activeContract`, for January 2026.
struct MatrixUsageRefs: Sendable {
    /// A production file with no upload yet.
    var draftFile: String
    /// A production file with one valid record, not submitted.
    var readyFile: String
    /// A production file with one valid record, submitted: the distributor sees it.
    var pendingFile: String
    /// An accepted file with one reconciliation file applied (`MatrixTable+ReconciliationFiles.swift`).
    var reconciledFile: String
    var reconciliation: String

    var all: [String] { [draftFile, readyFile, pendingFile, reconciledFile, reconciliation] }

    /// Well-formed ids of nothing: all-zero digits, which `NonZeroDigits` never makes.
    static let missing = MatrixUsageRefs(
        draftFile: "UF-2026-01-0000-0000", readyFile: "UF-2026-01-0000-0000", pendingFile: "UF-2026-01-0000-0000",
        reconciledFile: "UF-2026-01-0000-0000", reconciliation: "RC-0000-0000-0000")
}

extension MatrixTenantWorld {
    private var usageFiles: UsageFileOperations { UsageFileOperations(environment: environment) }

    /// The world's usage files, seeded once its channel exists.
    func seedUsage() async throws -> MatrixUsageRefs {
        let (reconciledFile, reconciliation) = try await reconciledFile()
        return MatrixUsageRefs(
            draftFile: try await draftFile(), readyFile: try await readyFile(), pendingFile: try await pendingFile(),
            reconciledFile: reconciledFile, reconciliation: reconciliation)
    }

    func draftFile() async throws -> String {
        try await usageFiles.create(
            vendor,
            UsageFileOperations.Draft(
                productID: refs.product, contractID: refs.activeContract, name: counter.unique("Usage"),
                periodFrom: CivilDate(year: 2026, month: 1, day: 1), periodTo: CivilDate(year: 2026, month: 1, day: 31))
        ).id
    }

    /// A file with one valid record whose record id no other file has.
    func readyFile() async throws -> String {
        let id = try await draftFile()
        let columns = MatrixUsage.columns
        let cells = MatrixUsage.cells(
            recordID: "R-\(counter.next())", itemID: refs.publishedItem, subscriptionID: refs.directSubscription)
        _ = try await usageFiles.beginUpload(vendor, id: id)
        let processed = try await usageFiles.process(vendor, id: id, columns: columns) {
            UsageRowList([UsageRow(position: 1, cells: cells)])
        }
        guard processed.status == .ready else {
            throw DomainError.internalFailure("the matrix's usage file is \(processed.status): \(processed.errorDetail)")
        }
        return id
    }

    func pendingFile() async throws -> String {
        try await usageFiles.submit(vendor, id: readyFile()).id
    }
}

/// The one record the matrix's files hold, and the same as a record-stream input and a CSV file.
enum MatrixUsage {
    static let columns = [
        "record_id", "item_search_criteria", "item_search_value", "quantity", "start_time_utc", "end_time_utc",
        "asset_search_criteria", "asset_search_value",
    ]

    static func cells(recordID: String, itemID: String, subscriptionID: String) -> [UsageCell] {
        [
            .text(recordID), .text("item.id"), .text(itemID), .text("1.25"), .text("2026-01-10 00:00:00"),
            .text("2026-01-11 00:00:00"), .text("asset.id"), .text(subscriptionID),
        ]
    }

    static func recordStream(_ fileID: String, context: MatrixRequestContext) -> [Usageflow_V1_UploadRecordsRequest] {
        var header = Usageflow_V1_UploadRecordsHeader()
        header.fileId = fileID
        var first = Usageflow_V1_UploadRecordsRequest()
        first.header = header
        var record = Usageflow_V1_UsageRecordInput()
        record.recordId = context.unique("R")
        record.itemSearchCriteria = "item.id"
        record.itemSearchValue = context.refs.publishedItem
        record.quantity = "1.25"
        record.startTimeUtc.seconds = 1_768_003_200  // 2026-01-10T00:00:00Z
        record.endTimeUtc.seconds = 1_768_089_600
        record.assetSearchCriteria = "asset.id"
        record.assetSearchValue = context.refs.directSubscription
        var batch = Usageflow_V1_UploadRecordsRequest()
        batch.batch.records = [record]
        return [first, batch]
    }

    static func csvUpload(_ fileID: String, context: MatrixRequestContext) -> [Usageflow_V1_UploadUsageFileRequest] {
        var header = Usageflow_V1_UploadUsageFileRequest()
        header.header.fileId = fileID
        header.header.format = .csv
        let cells = Self.cells(
            recordID: context.unique("R"), itemID: context.refs.publishedItem,
            subscriptionID: context.refs.directSubscription)
        let text = columns.joined(separator: ",") + "\n" + cells.map(\.text).joined(separator: ",") + "\n"
        var chunk = Usageflow_V1_UploadUsageFileRequest()
        chunk.chunk = Array(text.utf8)
        return [header, chunk]
    }
}

extension MatrixRow {
    /// A client-streaming row: sends every message `requests` builds, then reads the one reply.
    static func makeClientStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodSchema, _ output: Output.Type, _ shape: MatrixShape,
        _ requests: @escaping @Sendable (MatrixRequestContext) async throws -> [Input]
    ) -> MatrixRow {
        MatrixRow(method: method, shape: shape, overrides: [], isList: false) { context in
            let messages = try await requests(context)
            return MatrixCall { client, options in
                let reply = try await client.clientStreaming(
                    method, requests: messages, options: options, output: Output.self)
                return MatrixResponse(bytes: reply.serializedBytes(), pageCount: nil)
            }
        }
    }

    /// A server-streaming row: sends one request and reads every reply; the response's bytes are
    /// the replies' bytes in order.
    static func makeServerStreaming<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodSchema, _ output: Output.Type, _ shape: MatrixShape,
        _ request: @escaping @Sendable (MatrixRequestContext) async throws -> Input
    ) -> MatrixRow {
        MatrixRow(method: method, shape: shape, overrides: [], isList: false) { context in
            let message = try await request(context)
            return MatrixCall { client, options in
                let stream = try await client.serverStreaming(
                    method, request: message, options: options, output: Output.self)
                var bytes: [UInt8] = []
                for try await reply in stream { bytes += reply.serializedBytes() }
                return MatrixResponse(bytes: bytes, pageCount: nil)
            }
        }
    }
}

extension MatrixTable {
    private typealias Vendor = Usageflow_V1_VendorService
    private typealias Distributor = Usageflow_V1_DistributorService

    // MARK: VendorService usage files

    static let vendorUsageRows: [MatrixRow] = [
        .make(Vendor.CreateUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            // Product and contract are both the target world's: other is world B's pair.
            var request = Usageflow_V1_CreateUsageFileRequest()
            request.productId = context.refs.product
            request.contractId = context.refs.activeContract
            request.name = context.unique("Usage")
            request.periodFrom = "2026-01-01"
            request.periodTo = "2026-01-31"
            return request
        },
        .make(Vendor.GetUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { idRequest($0.refs.usage.readyFile) },
        .make(
            Vendor.ListUsageFiles.schema, Usageflow_V1_ListUsageFilesResponse.self, .filter, page: { $0.files.count }
        ) { context in
            var request = Usageflow_V1_ListUsageFilesRequest()
            request.productId = context.refs.product
            return request
        },
        .make(Vendor.UpdateUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            var request = Usageflow_V1_UpdateUsageFileRequest()
            request.id = context.refs.usage.draftFile
            request.description = context.unique("Description")
            return request
        },
        .makeClientStreaming(Vendor.UploadRecords.schema, Usageflow_V1_UsageFile.self, .object) { context in
            MatrixUsage.recordStream(
                try await context.consumable(\.usage.draftFile) { try await $0.draftFile() }, context: context)
        },
        .makeClientStreaming(Vendor.UploadUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            MatrixUsage.csvUpload(
                try await context.consumable(\.usage.draftFile) { try await $0.draftFile() }, context: context)
        },
        .make(
            Vendor.ListRecords.schema, Usageflow_V1_ListUsageRecordsResponse.self, .object, page: { $0.records.count }
        ) { context in
            // The file is required and looked up, not a filter: another's is NOT_FOUND.
            var request = Usageflow_V1_ListUsageRecordsRequest()
            request.fileId = context.refs.usage.readyFile
            return request
        },
        .makeServerStreaming(Vendor.DownloadProcessedFile.schema, Usageflow_V1_FileChunk.self, .object) { context in
            var request = Usageflow_V1_DownloadProcessedFileRequest()
            request.fileId = context.refs.usage.readyFile
            request.format = .csv
            return request
        },
        .makeServerStreaming(Vendor.DownloadTemplate.schema, Usageflow_V1_FileChunk.self, .object) { context in
            var request = Usageflow_V1_DownloadTemplateRequest()
            request.productId = context.refs.product
            request.format = .csv
            return request
        },
        .make(Vendor.SubmitUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            idRequest(try await context.consumable(\.usage.readyFile) { try await $0.readyFile() })
        },
        .make(Vendor.DeleteUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            idRequest(try await context.consumable(\.usage.draftFile) { try await $0.draftFile() })
        },
    ]

    // MARK: DistributorService usage files

    static let distributorUsageRows: [MatrixRow] = [
        .make(
            Distributor.ListUsageFiles.schema, Usageflow_V1_ListUsageFilesResponse.self, .filter,
            page: { $0.files.count }
        ) { context in
            var request = Usageflow_V1_ListUsageFilesRequest()
            request.productId = context.refs.product
            return request
        },
        .make(Distributor.GetUsageFile.schema, Usageflow_V1_UsageFile.self, .object) {
            idRequest($0.refs.usage.pendingFile)
        },
        .make(
            Distributor.ListRecords.schema, Usageflow_V1_ListUsageRecordsResponse.self, .object,
            page: { $0.records.count }
        ) { context in
            var request = Usageflow_V1_ListUsageRecordsRequest()
            request.fileId = context.refs.usage.pendingFile
            return request
        },
        .make(Distributor.AcceptUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            var request = Usageflow_V1_AcceptUsageFileRequest()
            request.id = try await context.consumable(\.usage.pendingFile) { try await $0.pendingFile() }
            return request
        },
        .make(Distributor.RejectUsageFile.schema, Usageflow_V1_UsageFile.self, .object) { context in
            var request = Usageflow_V1_RejectUsageFileRequest()
            request.id = try await context.consumable(\.usage.pendingFile) { try await $0.pendingFile() }
            request.note = "matrix"
            return request
        },
    ]
}
