// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

/// Encodes a batch of exported records straight to their protobuf bytes: the `records` entries of an
/// `ExportRecordsResponse`, byte for byte what encoding the `ExportedRecord` messages would give.
///
/// Why: an export is a million records of the same few items, subscriptions and parties. Building
/// a message struct per record, copying in the shared sub-messages and encoding it cost several
/// times SQLite's own read. The encoder is the store's `ExportRecordSink`: each record's own fields
/// go from the store's column bytes to wire bytes as they are read (`append`), and each file's
/// facts and each item, subscription and its parties are encoded once per batch (`encode`), when
/// the store has looked them up; a record then costs its own fields plus a copy of those bytes.
/// `RecordExport` sends the result as the response's pre-encoded fields; the wire format lets
/// fields come in any order, so clients decode the same message.
public struct ExportWireEncoder: ExportRecordSink, Sendable {
    /// The records' `UsageRecord` message bodies, back to back, each followed by its billing mark.
    private var bodies: [UInt8] = []
    private var entries: [Entry] = []

    private struct Entry {
        var recordEnd: Int
        var billingEnd: Int
        var file: Int32
        var item: Int32
        var subscription: Int32
    }

    public init() {}

    /// Encodes one record's own fields (and a reseller's billing mark, whose reseller `encode` adds).
    public mutating func append(_ record: StoredExportRecord) throws {
        if entries.isEmpty {
            // A batch is up to a few thousand records of a few hundred bytes: grow once, not by doubling.
            bodies.reserveCapacity(256 * 1024)
            entries.reserveCapacity(1024)
        }
        Self.encodeRecord(record, into: &bodies)
        let recordEnd = bodies.count
        if let mark = record.billing {
            Self.encodeBilling(mark, into: &bodies)
        }
        entries.append(
            Entry(
                recordEnd: recordEnd, billingEnd: bodies.count, file: Int32(record.fileKey),
                item: Int32(record.itemKey), subscription: Int32(record.subscriptionKey)))
    }

    /// The records appended so far as repeated field 1 (`records`) of `ExportRecordsResponse`, with
    /// what `batch` names; with `includingBilling` (a reseller's view, `resellerID`), each carries
    /// the caller's billing mark.
    public func encode(_ batch: StreamedExportBatch, includingBilling resellerID: String?) -> [UInt8] {
        let named = batch.named
        let files = batch.fileIDs.map { id in
            var bytes: [UInt8] = []
            if let file = named.files[id] {
                Self.string(2, file.vendorID, into: &bytes)
                Self.string(3, file.distributorID, into: &bytes)
                Self.string(4, file.productID, into: &bytes)
                Self.string(5, file.marketplaceID, into: &bytes)
                Self.string(6, file.contractID, into: &bytes)
                Self.string(7, file.currency, into: &bytes)
                Self.string(8, file.periodFrom.description, into: &bytes)
                Self.string(9, file.periodTo.description, into: &bytes)
            }
            return bytes
        }
        let items = batch.itemIDs.map { id in
            var bytes: [UInt8] = []
            if let item = named.items[id] {
                Self.message(10, into: &bytes) { body in
                    Self.string(1, item.id, into: &body)
                    Self.string(2, item.localID, into: &body)
                    Self.string(3, item.mpn, into: &body)
                    Self.string(4, item.name, into: &body)
                    Self.int(5, Int64(item.type.proto.rawValue), into: &body)
                    Self.int(6, Int64(item.precision.proto.rawValue), into: &body)
                    Self.string(7, item.unit, into: &body)
                }
            }
            return bytes
        }
        let subscriptions = batch.subscriptionIDs.map { id in
            var bytes: [UInt8] = []
            if let subscription = named.subscriptions[id] {
                Self.encodeSubscription(subscription, named: named, into: &bytes)
            }
            return bytes
        }
        var billingPrefix: [UInt8] = []
        if let resellerID {
            // The mark's body is the reseller's id (field 1) followed by what `append` encoded.
            Self.string(1, resellerID, into: &billingPrefix)
        }

        var output: [UInt8] = []
        output.reserveCapacity(bodies.count + entries.count * 320)
        var start = 0
        bodies.withUnsafeBufferPointer { bodies in
            for entry in entries {
                let body = UnsafeBufferPointer(rebasing: bodies[start..<entry.recordEnd])
                let mark = UnsafeBufferPointer(rebasing: bodies[entry.recordEnd..<entry.billingEnd])
                start = entry.billingEnd
                let file = entry.file >= 0 ? files[Int(entry.file)] : []
                let item = entry.item >= 0 ? items[Int(entry.item)] : []
                let subscription = entry.subscription >= 0 ? subscriptions[Int(entry.subscription)] : []
                var length = 1 + Self.varintSize(UInt64(body.count)) + body.count + file.count + item.count
                    + subscription.count
                let markLength = billingPrefix.count + mark.count
                let includesMark = resellerID != nil && !mark.isEmpty
                if includesMark { length += 1 + Self.varintSize(UInt64(markLength)) + markLength }
                Self.tag(1, 2, into: &output)
                Self.varint(UInt64(length), into: &output)
                Self.tag(1, 2, into: &output)
                Self.varint(UInt64(body.count), into: &output)
                output.append(contentsOf: body)
                output.append(contentsOf: file)
                output.append(contentsOf: item)
                output.append(contentsOf: subscription)
                if includesMark {
                    Self.tag(15, 2, into: &output)
                    Self.varint(UInt64(markLength), into: &output)
                    output.append(contentsOf: billingPrefix)
                    output.append(contentsOf: mark)
                }
            }
        }
        return output
    }

    /// A subscription's entry, and its customer and reseller tiers, which follow from it.
    private static func encodeSubscription(
        _ subscription: Subscription, named: ExportedRecordBatch, into bytes: inout [UInt8]
    ) {
        func party(_ field: UInt32, id: String, name: String, externalID: String) {
            message(field, into: &bytes) { body in
                string(1, id, into: &body)
                string(2, name, into: &body)
                string(3, externalID, into: &body)
            }
        }
        message(11, into: &bytes) { body in
            string(1, subscription.id, into: &body)
            string(2, subscription.externalID, into: &body)
            string(3, subscription.externalUID, into: &body)
            string(4, subscription.reconciliationID ?? "", into: &body)
            for parameter in subscription.parameters {
                message(5, into: &body) { entry in
                    string(1, parameter.name, into: &entry)
                    string(2, parameter.value, into: &entry)
                    if parameter.reconciliation { int(3, 1, into: &entry) }
                }
            }
            int(6, Int64(subscription.status.proto.rawValue), into: &body)
        }
        if let customer = named.customers[subscription.tiers.customerID] {
            party(12, id: customer.id, name: customer.name, externalID: customer.externalID)
        }
        if let id = subscription.tiers.tier1ID, let reseller = named.resellers[id] {
            party(13, id: reseller.id, name: reseller.name, externalID: "")
        }
        if let id = subscription.tiers.tier2ID, let reseller = named.resellers[id] {
            party(14, id: reseller.id, name: reseller.name, externalID: "")
        }
    }

    /// A `ResellerBilling` body without its field 1 (the reseller, the same for every record).
    private static func encodeBilling(_ mark: StoredExportRecord.Billing, into output: inout [UInt8]) {
        bytes(2, mark.externalBillingID, into: &output)
        bytes(3, mark.note, into: &output)
        timestamp(4, mark.billedAt, into: &output)
    }

    /// A `UsageRecord` message's fields, as `Usageflow_V1_UsageRecord.init(_:)` fills them.
    static func encodeRecord(_ record: StoredExportRecord, into output: inout [UInt8]) {
        bytes(1, record.fileID, into: &output)
        int(2, record.position.position, into: &output)
        bytes(3, record.recordID, into: &output)
        bytes(4, record.note, into: &output)
        if let id = record.itemID { bytes(5, id, into: &output) }
        if let id = record.subscriptionID { bytes(6, id, into: &output) }
        // A present decimal is never empty text.
        if let quantity = record.quantity { bytes(7, quantity, into: &output) }
        if let amount = record.amount { bytes(8, amount, into: &output) }
        if let tier = record.tier {
            // Optional: present even when 0.
            tag(9, 0, into: &output)
            varint(UInt64(bitPattern: Int64(Int32(clamping: tier))), into: &output)
        }
        if let start = record.start { timestamp(10, start, into: &output) }
        if let end = record.end { timestamp(11, end, into: &output) }
        if let id = record.categoryID { bytes(12, id, into: &output) }
        if let id = record.assetReconID { bytes(13, id, into: &output) }
        var index = 0
        while index + 1 < record.parameters.count {
            let name = record.parameters[index]
            let value = record.parameters[index + 1]
            // Sized up front: every record has its parameters, so no body buffer per parameter.
            tag(14, 2, into: &output)
            varint(UInt64(bytesSize(name) + bytesSize(value)), into: &output)
            bytes(1, name, into: &output)
            bytes(2, value, into: &output)
            index += 2
        }
        int(15, Int64(record.status.proto.rawValue), into: &output)
        // `errors` (16) stays empty: exported records are valid ones.
        if let id = record.externalBillingID { bytes(17, id, into: &output) }
        if let note = record.externalBillingNote { bytes(18, note, into: &output) }
        if let closed = record.closedAt { timestamp(19, closed, into: &output) }
        for value in record.rawValues {
            // Repeated strings are written even when empty.
            tag(20, 2, into: &output)
            varint(UInt64(value.count), into: &output)
            output.append(contentsOf: value)
        }
    }

    // MARK: Wire primitives

    static func varint(_ value: UInt64, into bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func varintSize(_ value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    static func tag(_ field: UInt32, _ wireType: UInt32, into bytes: inout [UInt8]) {
        varint(UInt64(field << 3 | wireType), into: &bytes)
    }

    /// A proto3 string field: nothing when empty.
    static func string(_ field: UInt32, _ value: String, into bytes: inout [UInt8]) {
        guard !value.isEmpty else { return }
        tag(field, 2, into: &bytes)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count), into: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    /// A proto3 string field from UTF-8 bytes: nothing when empty.
    static func bytes(_ field: UInt32, _ value: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard !value.isEmpty else { return }
        tag(field, 2, into: &output)
        varint(UInt64(value.count), into: &output)
        output.append(contentsOf: value)
    }

    /// The encoded size of a proto3 string field from bytes (field numbers below 16).
    static func bytesSize(_ value: UnsafeRawBufferPointer) -> Int {
        value.isEmpty ? 0 : 1 + varintSize(UInt64(value.count)) + value.count
    }

    /// A proto3 integer or enum field: nothing when 0; negative values as ten-byte varints.
    static func int(_ field: UInt32, _ value: Int64, into bytes: inout [UInt8]) {
        guard value != 0 else { return }
        tag(field, 0, into: &bytes)
        varint(UInt64(bitPattern: value), into: &bytes)
    }

    /// A `google.protobuf.Timestamp` message field (present even at the epoch).
    static func timestamp(_ field: UInt32, _ time: Timestamp, into bytes: inout [UInt8]) {
        let seconds = time.secondsSinceEpoch
        let nanos = Int64(time.nanosecondsOfSecond)
        var length = 0
        if seconds != 0 { length += 1 + varintSize(UInt64(bitPattern: seconds)) }
        if nanos != 0 { length += 1 + varintSize(UInt64(bitPattern: nanos)) }
        tag(field, 2, into: &bytes)
        varint(UInt64(length), into: &bytes)
        int(1, seconds, into: &bytes)
        int(2, nanos, into: &bytes)
    }

    /// A message field whose body `fill` writes; the body is built apart to learn its length.
    static func message(_ field: UInt32, into bytes: inout [UInt8], _ fill: (inout [UInt8]) -> Void) {
        var body: [UInt8] = []
        fill(&body)
        tag(field, 2, into: &bytes)
        varint(UInt64(body.count), into: &bytes)
        bytes.append(contentsOf: body)
    }
}
