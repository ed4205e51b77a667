// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The reads of an export: usage records in export order (`ExportedRecord.Position`), filtered
/// and scoped in the store, with what they name looked up once per batch.
///
/// Scoping happens in the query rather than after it, so a caller's batch is never padded with
/// records it may not see and a long export never reads other tenants' rows to discard them.
public protocol UsageExportReader {
    /// Up to `limit` records of `query` after `after` (from the first when nil), in export order.
    func exportedRecords(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int
    ) throws -> ExportedRecordBatch

    /// The same records, handed to `sink` one by one as stored instead of returned as values.
    func exportedRecords(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int, into sink: inout some ExportRecordSink
    ) throws -> StreamedExportBatch
}

/// A checked export request: whose records, which ones, and what to read of them.
public struct UsageExportQuery: Sendable, Hashable {
    /// Whose records: a distributor's production files, or a reseller's customers within them.
    public enum Scope: Sendable, Hashable {
        case distributor(id: String)
        /// A tier-1 reseller sees subscriptions whose tier 1 it is (including those sold through its
        /// tier-2 resellers); a tier-2 reseller those whose tier 2 it is.
        case reseller(id: String, distributorID: String, tier: Int)
    }

    /// A reseller's list narrowed by its own billing marks.
    public enum Billed: Sendable, Hashable {
        case any, no, yes
    }

    public var scope: Scope
    /// Its statuses already resolved (never empty).
    public var filter: RecordFilter
    public var billed: Billed
    /// Whether to read each record's row as uploaded (a whole-file export writes it back out).
    public var includeRawValues: Bool

    public init(scope: Scope, filter: RecordFilter, billed: Billed = .any, includeRawValues: Bool = false) {
        self.scope = scope
        self.filter = filter
        self.billed = billed
        self.includeRawValues = includeRawValues
    }
}

extension UsageExportReader {
    /// Stores that hold no usage records (the in-memory ones of catalogue tests) export nothing.
    public func exportedRecords(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int
    ) throws -> ExportedRecordBatch {
        ExportedRecordBatch()
    }

    public func exportedRecords(
        _ query: UsageExportQuery, after: ExportedRecord.Position?, limit: Int, into sink: inout some ExportRecordSink
    ) throws -> StreamedExportBatch {
        StreamedExportBatch()
    }
}
