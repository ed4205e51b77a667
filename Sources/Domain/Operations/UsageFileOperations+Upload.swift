// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Uploads: one pipeline for the record stream, CSV and XLSX.
///
/// ```
/// beginUpload   draft | invalid | ready | rejected → uploading      (the caller spools the input)
/// process       uploading → processing → ready | invalid            (one write transaction)
/// failUpload    uploading | processing → processing → invalid       (a file-level error, no records)
/// abandonUpload uploading | processing → the status before          (the old record set stands)
/// ```
///
/// Atomicity: `process` validates every row and replaces the record set and categories in one
/// write transaction, so a reader sees the old set until it commits and the new one after. A crash
/// while it runs rolls the transaction back and leaves the file in `processing` with its old
/// records; `recoverInterruptedUploads` (run at startup) returns such files, and those caught in
/// `uploading`, to the status they had before the upload.
extension UsageFileOperations {
    /// draft | invalid | ready | rejected → uploading, by the file's vendor: the input may now
    /// arrive. Another upload of the same file is refused until this one ends.
    public func beginUpload(_ tenant: Tenant, id: String) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "upload usage files")
        return try await transition(tenant, id: id) { file, now, actor, _ in
            try file.beginUpload(at: now, by: actor)
        }
    }

    /// Validates an uploaded file's rows and makes them the file's record set: uploading →
    /// processing → `ready`, or `invalid` when any record is.
    ///
    /// `columns` is the header row and `categories` the upload's categories; `rows` makes the
    /// row source, and is called once, inside the write transaction. A header the file's schema
    /// cannot use (a required column missing, a duplicate), a source that throws `DomainError`
    /// `.invalidArgument`, or more rows than `limits.recordsPerFile` make the file `invalid` with
    /// that error as its detail and no records. Any other failure (the store's) returns the file
    /// to its status before the upload, with its previous records, and is rethrown.
    public func process(
        _ tenant: Tenant, id: String, columns: [String], categories: [UsageCategory] = [],
        rows: @escaping @Sendable () throws -> any UsageRowSource
    ) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "upload usage files")
        let started = try await transition(tenant, id: id) { file, now, actor, _ in
            try file.beginProcessing(at: now, by: actor)
        }
        let limits = self.limits
        let header: UsageHeader
        do {
            header = try UsageHeader(columns: columns, schema: started.schema)
        } catch {
            return try await finishInvalid(tenant, id: id, columns: columns, detail: error.message)
        }
        do {
            let now = environment.clock.now()
            return try await environment.store.write { tx in
                var file = try Self.file(id, visibleTo: tenant, in: tx)
                try Self.checkProcessing(file, since: started)
                guard let product = try tx.product(id: file.productID) else {
                    throw DomainError.internalFailure("usage file \(file.id) names a missing product")
                }
                try tx.removeUsageRecords(fileID: file.id)
                try tx.insert(categories, fileID: file.id)
                var validator = UsageRecordValidator(
                    file: file, product: product, header: header, categoryIDs: Set(categories.map(\.id)),
                    lookup: try UsageFileLookup(tx: tx, file: file, now: now))
                var source = try rows()
                var counts = UsageFileCounts()
                var batch: [UsageRecord] = []
                batch.reserveCapacity(Self.batchSize)
                while let row = try source.next() {
                    guard counts.uploaded < limits.recordsPerFile else { throw RecordLimitExceeded() }
                    let record = try validator.validate(row)
                    counts.uploaded += 1
                    if record.status == .valid { counts.valid += 1 } else { counts.invalid += 1 }
                    batch.append(record)
                    if batch.count == Self.batchSize {
                        try tx.appendUsageRecords(batch, fileID: file.id)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                try tx.appendUsageRecords(batch, fileID: file.id)
                try file.finishProcessing(
                    counts: counts, columns: header.columns, errorDetail: "", at: environment.clock.now(),
                    by: tenant.actor)
                try tx.update(file)
                return file
            }
        } catch is RecordLimitExceeded {
            return try await finishInvalid(tenant, id: id, columns: header.columns, detail: limits.recordsExceededDetail)
        } catch let error as DomainError where error.kind == .invalidArgument {
            return try await finishInvalid(tenant, id: id, columns: header.columns, detail: error.message)
        } catch {
            _ = try? await abandonUpload(tenant, id: id, reason: "processing failed")
            throw error
        }
    }

    /// uploading | processing → invalid with `detail` as the file-level error and no records: the
    /// input broke a limit (bytes per upload) or could not be read at all.
    public func failUpload(_ tenant: Tenant, id: String, detail: String) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "upload usage files")
        return try await finishInvalid(tenant, id: id, columns: [], detail: detail)
    }

    /// uploading | processing → the status before the upload: the upload was cancelled or broke
    /// off, and the file keeps its previous records.
    public func abandonUpload(_ tenant: Tenant, id: String, reason: String) async throws -> UsageFile {
        _ = try ChannelOperations.vendorID(tenant, "upload usage files")
        return try await transition(tenant, id: id) { file, now, actor, _ in
            try file.abandonUpload(at: now, by: actor, reason: reason)
        }
    }

    /// Returns every file an interrupted upload left in `uploading` or `processing` to its
    /// status before the upload, with its previous records (which the interrupted transaction
    /// never replaced), as the `system` actor. Run once at startup, before uploads are served.
    ///
    /// - Returns: the files it changed.
    @discardableResult
    public func recoverInterruptedUploads() async throws -> [UsageFile] {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var recovered: [UsageFile] = []
            let filter = UsageFileFilter(statuses: [.uploading, .processing])
            let stuck = try ChannelOperations.all { try tx.usageFiles(filter, page: $0) }
            for var file in stuck {
                try file.abandonUpload(at: now, by: "system", reason: "the upload was interrupted by a restart")
                try tx.update(file)
                recovered.append(file)
            }
            return recovered
        }
    }

    // MARK: Internals

    /// Records stored per statement batch: large enough to amortise a call, small enough that
    /// memory stays flat whatever the upload's size.
    static var batchSize: Int { 512 }

    /// → invalid (through processing) with `detail`, no records and no categories.
    private func finishInvalid(_ tenant: Tenant, id: String, columns: [String], detail: String) async throws
        -> UsageFile
    {
        try await transition(tenant, id: id) { file, now, actor, tx in
            if file.status == .uploading {
                try file.beginProcessing(at: now, by: actor)
            }
            try tx.removeUsageRecords(fileID: file.id)
            try file.finishProcessing(counts: .zero, columns: columns, errorDetail: detail, at: now, by: actor)
        }
    }

    /// The file is still in the processing step that `started` began: no one abandoned or
    /// restarted the upload between the two transactions.
    private static func checkProcessing(_ file: UsageFile, since started: UsageFile) throws(DomainError) {
        guard file.status == .processing, file.history.count == started.history.count else {
            throw .wrongState("usage file \(file.id) is \(file.status.rawValue); its upload was abandoned")
        }
    }
}

/// Thrown inside the processing transaction to roll back everything stored so far once an upload
/// has more records than a file may hold.
private struct RecordLimitExceeded: Error {}
