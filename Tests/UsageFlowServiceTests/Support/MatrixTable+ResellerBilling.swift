// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore

// The reseller's MarkRecordsBilled row of the authorization matrix.
//
// A mark is answered on its own inside an OK reply, so the row sends one mark and takes that
// mark's status as the cell's: a record of another tenant must be refused exactly like one that
// does not exist. A cell expected to succeed marks a record of a fresh accepted file sold through
// the caller's tier; the other cells aim at world A's billable file (own), world B's pending file
// and its record (other), or a missing file under the same record id (missing).

/// An accepted file of a world with one approved record on each reseller tier's subscription.
struct MatrixBillableFile: Sendable {
    var file: String
    var tier1Record: String
    var tier2Record: String
}

/// One billable file per world, made the first time a cell needs one.
actor MatrixBillableFiles {
    static let shared = MatrixBillableFiles()

    private var files: [String: Task<MatrixBillableFile, any Error>] = [:]

    /// The world's billable file; `made` runs when it had to be created, so the caller can tell
    /// the matrix that the store changed.
    func file(of world: MatrixTenantWorld, made: @Sendable () -> Void) async throws -> MatrixBillableFile {
        if let existing = files[world.refs.vendor] { return try await existing.value }
        let task = Task { try await world.billableFile() }
        files[world.refs.vendor] = task
        let file = try await task.value
        made()
        return file
    }
}

extension MatrixTenantWorld {
    /// A fresh accepted file with a record on `tier1Subscription` and one on `tier2Subscription`.
    func billableFile() async throws -> MatrixBillableFile {
        let files = UsageFileOperations(environment: environment)
        let id = try await draftFile()
        let tier1Record = "RB-\(counter.next())"
        let tier2Record = "RB-\(counter.next())"
        let rows = [
            UsageRow(
                position: 1,
                cells: MatrixUsage.cells(
                    recordID: tier1Record, itemID: refs.publishedItem, subscriptionID: refs.tier1Subscription)),
            UsageRow(
                position: 2,
                cells: MatrixUsage.cells(
                    recordID: tier2Record, itemID: refs.publishedItem, subscriptionID: refs.tier2Subscription)),
        ]
        _ = try await files.beginUpload(vendor, id: id)
        let processed = try await files.process(vendor, id: id, columns: MatrixUsage.columns) { UsageRowList(rows) }
        guard processed.status == .ready else {
            throw DomainError.internalFailure("the matrix's billable file is \(processed.status): \(processed.errorDetail)")
        }
        _ = try await files.submit(vendor, id: id)
        _ = try await files.accept(distributor, id: id, note: "")
        return MatrixBillableFile(file: id, tier1Record: tier1Record, tier2Record: tier2Record)
    }
}

extension MatrixRequestContext {
    /// World A's billable file, made on first use.
    func billableFile() async throws -> MatrixBillableFile {
        try await MatrixBillableFiles.shared.file(of: world.a) { world.storeChanged() }
    }

    /// The file and record a cell's mark names (see the top of this file).
    func recordToMark() async throws -> (file: String, record: String) {
        let tier2 = principal == .resellerTier2
        switch target {
        case .own:
            let billable: MatrixBillableFile
            if expectsSuccess {
                billable = try await world.a.billableFile()
                world.storeChanged()
            } else {
                billable = try await billableFile()
            }
            return (billable.file, tier2 ? billable.tier2Record : billable.tier1Record)
        case .other:
            return (world.b.refs.usage.pendingFile, try await world.b.firstRecordID(of: world.b.refs.usage.pendingFile))
        case .missing:
            return (world.missing.usage.pendingFile, try await world.b.firstRecordID(of: world.b.refs.usage.pendingFile))
        }
    }
}

extension MatrixTable {
    private typealias Reseller = Usageflow_V1_ResellerService

    static let resellerBillingRows: [MatrixRow] = [
        MatrixRow(method: Reseller.MarkRecordsBilled.schema, shape: .object, overrides: [], isList: false) { context in
            let (file, record) = try await context.recordToMark()
            var mark = Usageflow_V1_RecordBillingMark()
            mark.fileId = file
            mark.recordId = record
            mark.externalBillingId = context.unique("RB")
            var request = Usageflow_V1_MarkRecordsBilledRequest()
            request.records = [mark]
            return MatrixCall { [request] client, options in
                let reply = try await client.unary(
                    Reseller.MarkRecordsBilled.schema, request: request, options: options,
                    output: Usageflow_V1_MarkRecordsBilledResponse.self)
                guard reply.results.count == 1, let result = reply.results.first else {
                    throw RPCError(code: .internal, message: "expected one result, got \(reply.results.count)")
                }
                if result.status.code != 0 {
                    throw RPCError(
                        code: Status.Code(rawValue: Int(result.status.code)), message: result.status.message,
                        statusDetails: result.status.details.isEmpty ? nil : result.status.serializedBytes())
                }
                return MatrixResponse(bytes: reply.serializedBytes(), pageCount: nil)
            }
        }
    ]
}
