// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import UsageIngest
import WellKnownTypes

// Usage files: create, change, upload (a record stream or spreadsheet bytes), read the results,
// submit, delete. Every reply carries the vendor's internal note: these are the vendor's files.

extension VendorService {
    // MARK: Files

    public func createUsageFile(
        request: Usageflow_V1_CreateUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        var validation = Validation()
        let fileEnvironment = UsageEnvironment.decode(request.environment, field: "environment", into: &validation)
        let from = CivilDate.decode(request.periodFrom, field: "period_from", into: &validation)
        let to = CivilDate.decode(request.periodTo, field: "period_to", into: &validation)
        try validation.check()
        let draft = UsageFileOperations.Draft(
            productID: request.productId, contractID: request.contractId,
            environment: fileEnvironment ?? .production, name: request.name, description: request.description,
            note: request.note, externalID: request.externalId.nonEmpty, periodFrom: from, periodTo: to)
        return Usageflow_V1_UsageFile(try await usageFiles.create(tenant, draft), includingNote: true)
    }

    public func getUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        return Usageflow_V1_UsageFile(try await usageFiles.get(tenant, id: request.id), includingNote: true)
    }

    public func listUsageFiles(
        request: Usageflow_V1_ListUsageFilesRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageFilesResponse {
        try await UsageFileListing(list: "vendor.usage_files", includingNote: true)
            .respond(to: request, tenant: try context.tenant(), files: usageFiles)
    }

    public func updateUsageFile(
        request: Usageflow_V1_UpdateUsageFileRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        var validation = Validation()
        var changes = UsageFileOperations.Changes()
        if request.hasName { changes.name = request.name }
        if request.hasDescription { changes.description = request.description }
        if request.hasNote { changes.note = request.note }
        if request.hasExternalId { changes.externalID = request.externalId }
        if request.hasPeriodFrom {
            changes.periodFrom = CivilDate.decode(request.periodFrom, field: "period_from", into: &validation)
            if changes.periodFrom == nil && request.periodFrom.isEmpty {
                validation.fail("period_from", "must be a date YYYY-MM-DD when given")
            }
        }
        if request.hasPeriodTo {
            changes.periodTo = CivilDate.decode(request.periodTo, field: "period_to", into: &validation)
            if changes.periodTo == nil && request.periodTo.isEmpty {
                validation.fail("period_to", "must be a date YYYY-MM-DD when given")
            }
        }
        try validation.check()
        let file = try await usageFiles.update(tenant, id: request.id, changes: changes)
        return Usageflow_V1_UsageFile(file, includingNote: true)
    }

    public func submitUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        return Usageflow_V1_UsageFile(try await usageFiles.submit(tenant, id: request.id), includingNote: true)
    }

    public func deleteUsageFile(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        return Usageflow_V1_UsageFile(try await usageFiles.delete(tenant, id: request.id), includingNote: true)
    }

    // MARK: Uploads

    /// A header, then batches of records: spooled as they arrive, then validated and made the
    /// file's record set in one transaction (see `UsageFileOperations.process`).
    ///
    /// Malformed streams (no header first, a second header, a message that is neither, a record
    /// with more parameter values than columns) are INVALID_ARGUMENT and leave the file as it
    /// was; more records or bytes than the limits allow make the file `invalid` with the limit as
    /// its error detail.
    public func uploadRecords(
        requests: RequestStream<Usageflow_V1_UploadRecordsRequest>, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        var messages = requests.makeAsyncIterator()
        guard let first = try await messages.next() else {
            throw DomainError.invalid(field: "header", "the stream is empty: send a header naming the file first")
        }
        guard case .header(let header)? = first.content else {
            throw DomainError.invalid(field: "header", "the first message must be a header naming the file")
        }
        let layout = try UsageRecordStreamLayout(header)
        let files = usageFiles
        let limits = usageLimits
        _ = try await files.beginUpload(tenant, id: layout.fileID)

        let spool: UsageRecordSpool
        var exceeded: String?
        do {
            spool = try UsageRecordSpool(directory: spoolDirectory, layout: layout)
            var position = 0
            var index = 0
            var fields = UsageRecordWireFields()
            while let bytes = try await messages.nextEncoded() {
                index += 1
                // Batches are read from their bytes; a message that is anything else, or holds a
                // record the wire path leaves to the decoder, is decoded and appended record by
                // record, with the same outcome.
                let mark = spool.mark()
                let before = (position, exceeded)
                if !Self.appendEncodedBatch(
                    bytes, to: spool, layout: layout, fields: &fields, position: &position, exceeded: &exceeded,
                    limits: limits)
                {
                    spool.rollBack(to: mark)
                    (position, exceeded) = before
                    try Self.appendDecodedBatch(
                        bytes, number: index + 1, to: spool, layout: layout, position: &position, exceeded: &exceeded,
                        limits: limits)
                }
                if spool.needsFlush { try await spool.flush(on: .shared) }
            }
            try await spool.flush(on: .shared)
        } catch {
            _ = try? await files.abandonUpload(tenant, id: layout.fileID, reason: "the upload was refused or broke off")
            throw error
        }
        if let exceeded {
            return Usageflow_V1_UsageFile(
                try await files.failUpload(tenant, id: layout.fileID, detail: exceeded), includingNote: true)
        }
        let processed = try await files.process(
            tenant, id: layout.fileID, columns: layout.columns, categories: layout.categories
        ) { spool.rows() }
        return Usageflow_V1_UsageFile(processed, includingNote: true)
    }

    /// Appends the records of one encoded `UploadRecordsRequest` that holds a batch and nothing
    /// else, read from its bytes, under the same limits as the decoded path; false as soon as any
    /// part of it needs the decoder (the caller then rolls the spool back and decodes it).
    private static func appendEncodedBatch(
        _ message: [UInt8], to spool: UsageRecordSpool, layout: UsageRecordStreamLayout,
        fields: inout UsageRecordWireFields, position: inout Int, exceeded: inout String?, limits: UsageLimits
    ) -> Bool {
        message.withUnsafeBytes { bytes in
            var request = WireReader(bytes: bytes)
            // Field 2, `batch`, once: a header, a second batch (merged by the decoder) or an
            // unknown field is the decoder's to judge.
            guard (try? request.nextTag())?.rawValue == 18,
                let batch = try? request.withLengthDelimited({ $0 }), request.isAtEnd
            else { return false }
            var records = WireReader(bytes: batch)
            while true {
                let next: FieldTag?
                do { next = try records.nextTag() } catch { return false }
                guard let tag = next else { return true }
                guard tag.rawValue == 10, let record = try? records.withLengthDelimited({ $0 }) else { return false }
                position += 1
                if exceeded != nil || position > limits.recordsPerFile {
                    // Not stored, but still read: a record the decoder would refuse must be refused.
                    guard layout.acceptsEncodedRecord(record, fields: &fields) else { return false }
                    if exceeded == nil { exceeded = limits.recordsExceededDetail }
                    continue
                }
                guard spool.appendEncoded(record, fields: &fields) else { return false }
                if spool.byteCount > limits.bytesPerUpload { exceeded = limits.bytesExceededDetail }
            }
        }
    }

    /// Appends the records of one `UploadRecordsRequest` (the `number`th message of the stream)
    /// decoded: the reference behaviour, and the path for whatever `appendEncodedBatch` leaves to
    /// the decoder. Refuses a message that is not a batch and a record that cannot be laid out;
    /// past a limit, records are still checked but no longer stored.
    private static func appendDecodedBatch(
        _ bytes: [UInt8], number: Int, to spool: UsageRecordSpool, layout: UsageRecordStreamLayout,
        position: inout Int, exceeded: inout String?, limits: UsageLimits
    ) throws {
        let message = try RequestStream<Usageflow_V1_UploadRecordsRequest>.decode(bytes)
        guard case .batch(let batch)? = message.content else {
            let problem = message.content == nil ? "has neither a header nor a batch" : "is a second header"
            throw DomainError.invalid(field: "batch", "message \(number) of the stream \(problem)")
        }
        for (offset, record) in batch.records.enumerated() {
            position += 1
            try layout.check(record, position: position, field: "batch.records[\(offset)]")
            guard exceeded == nil else { continue }
            if position > limits.recordsPerFile {
                exceeded = limits.recordsExceededDetail
                continue
            }
            try spool.append(record, position: position, field: "batch.records[\(offset)]")
            if spool.byteCount > limits.bytesPerUpload { exceeded = limits.bytesExceededDetail }
        }
    }

    /// A header, then the bytes of an XLSX workbook or a CSV file in chunks of any size: spooled
    /// to disk (a workbook is read from its end, so it must be whole first), then read and
    /// processed like a record stream.
    ///
    /// More bytes than the limit, a declared format the bytes do not have, or a file that cannot
    /// be read (a truncated archive, no records sheet, no header) make the file `invalid` with the
    /// reason as its error detail.
    public func uploadUsageFile(
        requests: RequestStream<Usageflow_V1_UploadUsageFileRequest>, context: ServerContext
    ) async throws -> Usageflow_V1_UsageFile {
        let tenant = try context.tenant()
        var messages = requests.makeAsyncIterator()
        let header = try await UploadStream.header(from: &messages) { message in
            if case .header(let header)? = message.content { header } else { nil }
        }
        var validation = Validation()
        if header.fileId.isEmpty { validation.fail("header.file_id", "is required") }
        let declared = Self.format(header.format, field: "header.format", into: &validation)
        try validation.check()
        let id = header.fileId
        let files = usageFiles
        let limits = usageLimits
        _ = try await files.beginUpload(tenant, id: id)

        let spool: UploadSpool
        do {
            let receiving = try UploadSpool(limit: limits.bytesPerUpload, directory: spoolDirectory)
            spool = receiving
            try await UploadStream.chunks(from: &messages, Self.piece) { bytes in
                if !receiving.limitExceeded { try await receiving.append(bytes, on: .shared) }
            }
            try spool.finish()
        } catch {
            _ = try? await files.abandonUpload(tenant, id: id, reason: "the upload was refused or broke off")
            throw error
        }
        defer { spool.remove() }
        if spool.limitExceeded {
            return Usageflow_V1_UsageFile(
                try await files.failUpload(tenant, id: id, detail: limits.bytesExceededDetail), includingNote: true)
        }
        let reader: UsageFileReader
        do {
            reader = try await UsageFileReader.open(path: spool.path, on: .shared)
            if let declared, declared != reader.format {
                throw DomainError.invalid(
                    field: "header.format",
                    "the upload was declared \(declared.rawValue.uppercased()) but is a "
                        + "\(reader.format == .xlsx ? "ZIP archive (XLSX)" : "text (CSV) file")")
            }
        } catch let error as DomainError where error.kind == .invalidArgument {
            return Usageflow_V1_UsageFile(
                try await files.failUpload(tenant, id: id, detail: error.message), includingNote: true)
        } catch {
            _ = try? await files.abandonUpload(tenant, id: id, reason: "the upload could not be opened")
            throw error
        }
        let processed = try await files.process(
            tenant, id: id, columns: reader.columns, categories: reader.categories
        ) { try reader.rows() }
        return Usageflow_V1_UsageFile(processed, includingNote: true)
    }

    private static func piece(_ message: Usageflow_V1_UploadUsageFileRequest) -> UploadStream.Piece {
        switch message.content {
        case .chunk(let bytes)?: .chunk(bytes)
        case .header?: .header
        case nil: .nothing
        }
    }

    // MARK: Results

    public func listRecords(
        request: Usageflow_V1_ListUsageRecordsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUsageRecordsResponse {
        let tenant = try context.tenant()
        let (status, paging) = try UsageRecordPaging.read(request, list: "vendor.usage_records")
        let page = try await usageFiles.records(tenant, id: request.fileId, status: status, page: paging.request)
        var response = Usageflow_V1_ListUsageRecordsResponse()
        response.records = page.items.map(Usageflow_V1_UsageRecord.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    /// The last upload with a `status` and an `errors` column, streamed as it is written: a page
    /// of records at a time, so a file of any size never sits whole in memory.
    ///
    /// Only once an upload has been processed; a file whose records change while it streams
    /// (a new upload began) ends the download with ABORTED rather than a mix of two uploads.
    public func downloadProcessedFile(
        request: Usageflow_V1_DownloadProcessedFileRequest, response: ResponseWriter<Usageflow_V1_FileChunk>,
        context: ServerContext
    ) async throws {
        let tenant = try context.tenant()
        var validation = Validation()
        let format = Self.format(request.format, field: "format", into: &validation) ?? .xlsx
        try validation.check()
        let files = usageFiles
        let file = try await files.get(tenant, id: request.fileId)
        guard ![.draft, .uploading, .processing].contains(file.status) else {
            throw DomainError.wrongState(
                "usage file \(file.id) is \(file.status.rawValue); it has a processed file once an upload is processed")
        }
        let categories = try await files.categories(tenant, id: file.id)
        let writer = try UsageFileWriter.processedFile(file, categories: categories, format: format)
        var chunks = DownloadChunks(
            name: "\(file.id)-processed.\(format.rawValue)", contentType: format.contentType, response: response)
        var page = PageRequest(size: Limits.maxPageSize)
        while true {
            let records = try await files.records(tenant, id: file.id, page: page)
            for record in records.items { try writer.append(record) }
            try await chunks.send(writer.takeOutput())
            guard let after = records.nextAfter else { break }
            page.after = after
        }
        let current = try await files.get(tenant, id: file.id)
        guard current.history.count == file.history.count else {
            throw DomainError(
                kind: .aborted, message: "usage file \(file.id) changed during the download; download it again")
        }
        try await chunks.send(writer.finish(), last: true)
    }

    /// An empty usage file for one of the vendor's products: the columns its schema and
    /// capabilities call for, and for XLSX the instructions, general and categories sheets.
    public func downloadTemplate(
        request: Usageflow_V1_DownloadTemplateRequest, response: ResponseWriter<Usageflow_V1_FileChunk>,
        context: ServerContext
    ) async throws {
        let tenant = try context.tenant()
        var validation = Validation()
        let format = Self.format(request.format, field: "format", into: &validation) ?? .xlsx
        try validation.check()
        let product = try await CatalogueOperations(environment: environment).getProduct(tenant, id: request.productId)
        let bytes = try UsageFileWriter.template(for: product, format: format)
        var chunks = DownloadChunks(
            name: "\(product.id)-template.\(format.rawValue)", contentType: format.contentType, response: response)
        try await chunks.send(bytes, last: true)
    }

    /// A wire format, nil for unspecified; a violation for a number the API does not define.
    private static func format(
        _ wire: Usageflow_V1_UsageFileFormat, field: String, into validation: inout Validation
    ) -> UsageIngest.UsageFileFormat? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: [(.xlsx, .xlsx), (.csv, .csv)], into: &validation)
    }

    var usageFiles: UsageFileOperations { UsageFileOperations(environment: environment, limits: usageLimits) }
}
