// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import RPCCore
import Testing

/// UploadUsageFile, DownloadProcessedFile and DownloadTemplate through the server's router: CSV
/// and XLSX bytes feed the same validation as the record stream, and downloads stream back.
@Suite("Usage-file spreadsheet RPCs")
struct UsageSpreadsheetServiceTests {
    let world: UsageWorld

    init() async throws {
        world = try await UsageWorld()
    }

    /// A CSV upload: a valid row, a precision error, and a parameter column.
    var csv: String {
        let subscription = world.subscription1.id
        return """
            record_id,item_search_criteria,item_search_value,quantity,start_time_utc,end_time_utc,\
            asset_search_criteria,asset_search_value,region
            c-1,item.mpn,STORAGE-GB,100,2026-01-10 00:00:00,2026-01-11 00:00:00,asset.id,\(subscription),eu-west
            c-2,item.mpn,TRANSFER-GB,3.257,2026-01-10T00:00:00Z,2026-01-11T00:00:00+00:00,asset.id,\(subscription),\
            "eu, east"

            """
    }

    /// The requests of an UploadUsageFile call: a header, then `bytes` in `chunkSize` pieces.
    static func uploadRequests(
        _ fileID: String, _ bytes: [UInt8], format: Usageflow_V1_UsageFileFormat, chunkSize: Int = 7
    ) -> [Usageflow_V1_UploadUsageFileRequest] {
        var header = Usageflow_V1_UploadUsageFileHeader()
        header.fileId = fileID
        header.format = format
        var first = Usageflow_V1_UploadUsageFileRequest()
        first.header = header
        var requests = [first]
        var start = 0
        while start < bytes.count {
            var request = Usageflow_V1_UploadUsageFileRequest()
            request.chunk = Array(bytes[start..<min(start + chunkSize, bytes.count)])
            requests.append(request)
            start += chunkSize
        }
        return requests
    }

    func uploadFile(
        _ fileID: String, _ bytes: [UInt8], format: Usageflow_V1_UsageFileFormat
    ) async throws -> Usageflow_V1_UsageFile {
        let requests = Self.uploadRequests(fileID, bytes, format: format)
        return try await world.vendor { try await $0.uploadUsageFile(requests) }
    }

    /// A whole server-streamed download: its chunks' name, type and bytes.
    func download(
        _ body: @escaping @Sendable (Usageflow_V1_VendorService_Client) async throws -> ResponseStream<
            Usageflow_V1_FileChunk
        >
    ) async throws -> (name: String, type: String, bytes: [UInt8], chunks: Int) {
        try await world.vendor { client in
            var name = ""
            var type = ""
            var bytes: [UInt8] = []
            var chunks = 0
            for try await chunk in try await body(client) {
                if chunks == 0 {
                    name = chunk.fileName
                    type = chunk.contentType
                } else {
                    #expect(chunk.fileName.isEmpty && chunk.contentType.isEmpty)
                }
                bytes += chunk.data
                chunks += 1
            }
            return (name, type, bytes, chunks)
        }
    }

    @Test("a CSV upload is validated like a record stream; the processed CSV adds status and errors")
    func csvUploadAndProcessedFile() async throws {
        let file = try await world.createFile()
        let uploaded = try await uploadFile(file.id, Array(csv.utf8), format: .csv)
        #expect(uploaded.status == .invalid)
        #expect(uploaded.counts.uploaded == 2 && uploaded.counts.valid == 1 && uploaded.counts.invalid == 1)
        #expect(uploaded.columns.last == "region")
        let records = try await world.records(file.id)
        #expect(records.map(\.recordId) == ["c-1", "c-2"])
        #expect(records.map(\.position) == [2, 3], "positions are the CSV's line numbers")
        #expect(records[1].errors.map(\.code) == ["quantity.precision"])
        #expect(records.map { $0.parameters.first?.value } == ["eu-west", "eu, east"])

        var request = Usageflow_V1_DownloadProcessedFileRequest()
        request.fileId = file.id
        request.format = .csv
        let processed = try await download { [request] in try await $0.downloadProcessedFile(request) }
        #expect(processed.name == "\(file.id)-processed.csv")
        #expect(processed.type == "text/csv")
        let lines = String(decoding: processed.bytes, as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasSuffix(",region,status,errors") == true, "\(lines)")
        #expect(lines[1].contains(",valid,"), "\(lines)")
        #expect(lines[2].contains("invalid") && lines[2].contains("quantity.precision"), "\(lines)")
    }

    @Test("the processed XLSX uploads again, read back from its records sheet")
    func xlsxRoundTrip() async throws {
        let file = try await world.createFile()
        _ = try await uploadFile(file.id, Array(csv.utf8), format: .unspecified)
        var request = Usageflow_V1_DownloadProcessedFileRequest()
        request.fileId = file.id
        let workbook = try await download { [request] in try await $0.downloadProcessedFile(request) }
        #expect(workbook.name == "\(file.id)-processed.xlsx")
        #expect(workbook.type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(workbook.bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), "not a ZIP archive")

        let second = try await world.createFile(name: "from the workbook")
        let uploaded = try await uploadFile(second.id, workbook.bytes, format: .xlsx)
        #expect(uploaded.status == .invalid)
        #expect(uploaded.columns.suffix(3) == ["region", "status", "errors"])
        let records = try await world.records(second.id)
        #expect(records.map(\.recordId) == ["c-1", "c-2"])
        #expect(records.map(\.quantity) == ["100", "3.257"])
        #expect(records[1].errors.map(\.code) == ["quantity.precision"])
    }

    @Test("templates for the vendor's products only, as XLSX by default or CSV")
    func templates() async throws {
        var request = Usageflow_V1_DownloadTemplateRequest()
        request.productId = world.product.id
        request.format = .csv
        let csv = try await download { [request] in try await $0.downloadTemplate(request) }
        #expect(csv.name == "\(world.product.id)-template.csv")
        let header = String(decoding: csv.bytes, as: UTF8.self)
        #expect(header.hasPrefix("record_id,record_note,item_search_criteria,item_search_value,quantity,"), "\(header)")
        #expect(!header.contains("amount"), "a QT template asks for amounts")

        request.format = .unspecified
        let xlsx = try await download { [request] in try await $0.downloadTemplate(request) }
        #expect(xlsx.name == "\(world.product.id)-template.xlsx")
        #expect(xlsx.bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        // The template is an empty upload: zero records, ready.
        let file = try await world.createFile()
        let uploaded = try await uploadFile(file.id, xlsx.bytes, format: .xlsx)
        #expect(uploaded.status == .ready && uploaded.counts.uploaded == 0, "\(uploaded.errorDetail)")

        request.productId = world.productB.id
        await expectRPCError(.notFound, "product \(world.productB.id) not found") {
            try await download { [request] in try await $0.downloadTemplate(request) }
        }
        request.productId = world.product.id
        request.format = Usageflow_V1_UsageFileFormat(rawValue: 9)
        try await expectUsageRefusal(.invalidArgument, fields: ["format"]) {
            try await download { [request] in try await $0.downloadTemplate(request) }
        }
    }

    @Test("unreadable uploads make the file invalid with the reason; malformed streams are refused")
    func badUploads() async throws {
        let file = try await world.createFile()
        let truncated = try await uploadFile(file.id, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0], format: .xlsx)
        #expect(truncated.status == .invalid)
        #expect(!truncated.errorDetail.isEmpty)
        #expect(truncated.counts.uploaded == 0)

        let mismatch = try await uploadFile(file.id, Array(csv.utf8), format: .xlsx)
        #expect(mismatch.status == .invalid)
        #expect(mismatch.errorDetail == "header.format: the upload was declared XLSX but is a text (CSV) file")

        let empty = try await uploadFile(file.id, [], format: .csv)
        #expect(empty.status == .invalid && empty.errorDetail.contains("empty"), "\(empty.errorDetail)")

        let missingColumn = try await uploadFile(file.id, Array("record_id,quantity\nx,1\n".utf8), format: .csv)
        #expect(missingColumn.status == .invalid)
        #expect(missingColumn.errorDetail.contains("item_search_criteria"), "\(missingColumn.errorDetail)")

        var chunkFirst = Self.uploadRequests(file.id, Array(csv.utf8), format: .csv)
        chunkFirst.removeFirst()
        try await expectUsageRefusal(.invalidArgument, fields: ["header"]) {
            try await world.vendor { [chunkFirst] in try await $0.uploadUsageFile(chunkFirst) }
        }
        var unknownFormat = Self.uploadRequests(file.id, Array(csv.utf8), format: .csv)
        unknownFormat[0].header.format = Usageflow_V1_UsageFileFormat(rawValue: 5)
        unknownFormat[0].header.fileId = ""
        try await expectUsageRefusal(.invalidArgument, fields: ["header.file_id", "header.format"]) {
            try await world.vendor { [unknownFormat] in try await $0.uploadUsageFile(unknownFormat) }
        }
        var twoHeaders = Self.uploadRequests(file.id, Array(csv.utf8), format: .csv)
        twoHeaders.append(twoHeaders[0])
        try await expectUsageRefusal(.invalidArgument, fields: ["chunk"]) {
            try await world.vendor { [twoHeaders] in try await $0.uploadUsageFile(twoHeaders) }
        }
        try await expectUsageRefusal(
            .invalidArgument, "header: the stream is empty: send a header naming the file first", fields: ["header"]
        ) { try await world.vendor { try await $0.uploadUsageFile([]) } }
        let neither = Self.uploadRequests(file.id, Array(csv.utf8), format: .csv) + [Usageflow_V1_UploadUsageFileRequest()]
        let neitherError = try await expectUsageRefusal(.invalidArgument, fields: ["chunk"]) {
            try await world.vendor { [neither] in try await $0.uploadUsageFile(neither) }
        }
        #expect(neitherError?.message.contains("has neither a header nor a chunk") == true)
        let after = try await world.vendor { try await $0.getUsageFile(UsageWorld.idRequest(file.id)) }
        #expect(after.status == .invalid && after.errorDetail.contains("item_search_criteria"))

        var draftDownload = Usageflow_V1_DownloadProcessedFileRequest()
        draftDownload.fileId = try await world.createFile(name: "draft").id
        let error = await expectRPCError(.failedPrecondition) {
            try await download { [draftDownload] in try await $0.downloadProcessedFile(draftDownload) }
        }
        #expect(error?.message.contains("is draft") == true)
    }

    @Test("an upload over the byte limit makes the file invalid without keeping the bytes")
    func byteLimit() async throws {
        let world = try await UsageWorld(limits: UsageLimits(recordsPerFile: 100, bytesPerUpload: 64))
        let file = try await world.createFile()
        let requests = Self.uploadRequests(file.id, Array(csv.utf8), format: .csv)
        let uploaded = try await world.vendor { try await $0.uploadUsageFile(requests) }
        #expect(uploaded.status == .invalid)
        #expect(uploaded.errorDetail == UsageLimits(bytesPerUpload: 64).bytesExceededDetail)
    }
}
