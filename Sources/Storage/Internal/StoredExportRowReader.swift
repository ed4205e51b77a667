// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import Glibc
import SQLite

/// Reads export rows (the columns of `exportRecordSQL`) as `StoredExportRecord` views, without
/// building a string per column, and notes the items and subscriptions they name.
///
/// The parameter and raw-value lists are split into reused arrays of views, so a row costs no
/// allocation; an id becomes a string only the first time the batch names it, and every record
/// gets the key of its file, item and subscription among the batch's distinct ids.
struct StoredExportRowReader {
    let includeRaw: Bool
    let billing: Bool
    private var files = SeenIDs()
    private var items = SeenIDs()
    private var subscriptions = SeenIDs()
    /// The distinct ids read so far, in key order (`StoredExportRecord.itemKey` …).
    var fileIDs: [String] { files.ids }
    var itemIDs: [String] { items.ids }
    var subscriptionIDs: [String] { subscriptions.ids }
    private var fileOrder: Int64 = -1
    private var fileBytes: [UInt8] = []
    private var fileKey = -1
    private var parameters: [UnsafeRawBufferPointer] = []
    private var rawValues: [UnsafeRawBufferPointer] = []

    init(includeRaw: Bool, billing: Bool) {
        self.includeRaw = includeRaw
        self.billing = billing
    }

    /// Hands the row to `body` as a view valid only during the call; returns its position.
    mutating func read(
        _ row: borrowing SQLiteRow, fileID: String, order: Int64, _ body: (StoredExportRecord) throws -> Void
    ) throws -> ExportedRecord.Position {
        let position = ExportedRecord.Position(fileOrder: order, position: try row.int64(0))
        let statusBytes = try row.textBytes(2)
        guard let status = Self.status(statusBytes) else {
            throw StorageFailure.unreadable(
                column: "usage_records.status", value: "'\(String(decoding: statusBytes, as: UTF8.self))'")
        }
        parameters.removeAll(keepingCapacity: true)
        try UsageEncoding.forEachElement(in: try row.textBytes(13), column: "usage_records.parameters") {
            parameters.append($0 ?? StoredExportRecord.none)
        }
        guard parameters.count % 2 == 0 else {
            throw StorageFailure.unreadable(column: "usage_records.parameters", value: "an odd number of parameter fields")
        }
        rawValues.removeAll(keepingCapacity: true)
        if includeRaw {
            try UsageEncoding.forEachElement(in: try row.textBytes(17), column: "usage_records.raw_values") {
                rawValues.append($0 ?? StoredExportRecord.none)
            }
        }
        let recordID = try row.textBytes(1)
        if order != fileOrder || fileKey < 0 {
            // Rows come file by file: the file's id bytes and key are found once per file.
            fileOrder = order
            fileBytes = Array(fileID.utf8)
            fileKey = fileBytes.withUnsafeBytes { files.key(of: $0) }
        }
        let fileKey = fileKey
        try fileBytes.withUnsafeBytes { fileBytes in
            var record = StoredExportRecord(
                position: position, fileID: fileBytes, recordID: recordID, status: status)
            record.note = try row.textBytes(3)
            record.itemID = try row.optionalTextBytes(4)
            record.subscriptionID = try row.optionalTextBytes(5)
            record.quantity = try row.optionalTextBytes(6)
            record.amount = try row.optionalTextBytes(7)
            record.tier = try row.optionalInt64(8)
            record.start = try row.optionalTimestamp(9)
            record.end = try row.optionalTimestamp(10)
            record.categoryID = try row.optionalTextBytes(11)
            record.assetReconID = try row.optionalTextBytes(12)
            record.externalBillingID = try row.optionalTextBytes(14)
            record.externalBillingNote = try row.optionalTextBytes(15)
            record.closedAt = try row.optionalTimestamp(16)
            if billing, let billingID = try row.optionalTextBytes(18) {
                record.billing = StoredExportRecord.Billing(
                    externalBillingID: billingID, note: try row.optionalTextBytes(19) ?? StoredExportRecord.none,
                    billedAt: try row.timestamp(20))
            }
            record.fileKey = fileKey
            if let id = record.itemID { record.itemKey = items.key(of: id) }
            if let id = record.subscriptionID { record.subscriptionKey = subscriptions.key(of: id) }
            try parameters.withUnsafeBufferPointer { parameters in
                try rawValues.withUnsafeBufferPointer { rawValues in
                    record.parameters = parameters
                    record.rawValues = rawValues
                    try body(record)
                }
            }
        }
        return position
    }

    private static let statuses: [(bytes: [UInt8], status: UsageRecordStatus)] =
        UsageRecordStatus.allCases.map { (Array($0.rawValue.utf8), $0) }

    private static func status(_ bytes: UnsafeRawBufferPointer) -> UsageRecordStatus? {
        // The statuses differ in their first letter: one comparison per row.
        guard let first = bytes.first, let candidate = statusesByFirstByte[first] else { return nil }
        return bytes.equals(candidate.bytes) ? candidate.status : nil
    }

    private static let statusesByFirstByte: [UInt8: (bytes: [UInt8], status: UsageRecordStatus)] =
        Dictionary(statuses.map { ($0.bytes[0], $0) }, uniquingKeysWith: { first, _ in first })

    /// The distinct ids of a batch; a batch names a handful, so a list searched from the last
    /// match costs less per row than hashing a string.
    private struct SeenIDs {
        private(set) var ids: [String] = []
        private var bytes: [[UInt8]] = []
        /// Per id its length and last eight bytes, compared before the bytes themselves: the ids
        /// of a batch share their prefix and differ at the end.
        private var fingerprints: [UInt64] = []
        private var last = 0

        /// The id's index in `ids`, adding it when new.
        mutating func key(of id: UnsafeRawBufferPointer) -> Int {
            let fingerprint = Self.fingerprint(id)
            if last < bytes.count, fingerprints[last] == fingerprint, id.equals(bytes[last]) { return last }
            for index in fingerprints.indices where fingerprints[index] == fingerprint && id.equals(bytes[index]) {
                last = index
                return index
            }
            bytes.append(Array(id))
            fingerprints.append(fingerprint)
            ids.append(String(decoding: id, as: UTF8.self))
            last = bytes.count - 1
            return last
        }

        private static func fingerprint(_ id: UnsafeRawBufferPointer) -> UInt64 {
            let count = UInt64(truncatingIfNeeded: id.count)
            guard id.count >= 8 else {
                return id.reduce(count) { $0 &* 31 &+ UInt64($1) }
            }
            return id.loadUnaligned(fromByteOffset: id.count - 8, as: UInt64.self) ^ (count &* 0x9E37_79B9_7F4A_7C15)
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Byte equality with `other`, without the generic sequence comparison.
    fileprivate func equals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        return other.withUnsafeBytes { memcmp(baseAddress!, $0.baseAddress!, count) == 0 }
    }
}
