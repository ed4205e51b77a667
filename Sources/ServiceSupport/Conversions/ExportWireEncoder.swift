// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

/// Encodes a batch of exported records straight to their protobuf bytes: the `records` entries of an
/// `ExportRecordsResponse`, byte for byte what encoding the `ExportedRecord` messages would give.
///
/// Why: an export is a million records of the same few items, subscriptions and parties. Building
/// a message struct per record, copying in the shared sub-messages and encoding it cost several
/// times SQLite's own read (every string field retained, copied and released per record). Here
/// each file's facts and each item, subscription and its parties are encoded once per batch, and a
/// record costs its own fields plus a copy of those bytes. `RecordExport` sends the result as the
/// response's pre-encoded fields; the wire format lets fields come in any order, so clients decode
/// the same message.
public struct ExportWireEncoder {
    private var output: [UInt8] = []
    private var scratch: [UInt8] = []

    public init() {
        output.reserveCapacity(1 << 20)
        scratch.reserveCapacity(1024)
    }

    /// The batch's records as repeated field 1 (`records`) of `ExportRecordsResponse`; with
    /// `includingBilling`, each carries the caller's billing mark (a reseller's view).
    public mutating func encode(_ batch: ExportedRecordBatch, includingBilling: Bool) -> [UInt8] {
        var files: [String: [UInt8]] = [:]
        for (id, file) in batch.files {
            var bytes: [UInt8] = []
            Self.string(2, file.vendorID, into: &bytes)
            Self.string(3, file.distributorID, into: &bytes)
            Self.string(4, file.productID, into: &bytes)
            Self.string(5, file.marketplaceID, into: &bytes)
            Self.string(6, file.contractID, into: &bytes)
            Self.string(7, file.currency, into: &bytes)
            Self.string(8, file.periodFrom.description, into: &bytes)
            Self.string(9, file.periodTo.description, into: &bytes)
            files[id] = bytes
        }
        var items: [String: [UInt8]] = [:]
        for (id, item) in batch.items {
            var bytes: [UInt8] = []
            Self.message(10, into: &bytes) { body in
                Self.string(1, item.id, into: &body)
                Self.string(2, item.localID, into: &body)
                Self.string(3, item.mpn, into: &body)
                Self.string(4, item.name, into: &body)
                Self.int(5, Int64(item.type.proto.rawValue), into: &body)
                Self.int(6, Int64(item.precision.proto.rawValue), into: &body)
                Self.string(7, item.unit, into: &body)
            }
            items[id] = bytes
        }
        func party(_ field: UInt32, id: String, name: String, externalID: String, into bytes: inout [UInt8]) {
            Self.message(field, into: &bytes) { body in
                Self.string(1, id, into: &body)
                Self.string(2, name, into: &body)
                Self.string(3, externalID, into: &body)
            }
        }
        // A subscription's entry carries its customer and reseller tiers too: they follow from it.
        var subscriptions: [String: [UInt8]] = [:]
        for (id, subscription) in batch.subscriptions {
            var bytes: [UInt8] = []
            Self.message(11, into: &bytes) { body in
                Self.string(1, subscription.id, into: &body)
                Self.string(2, subscription.externalID, into: &body)
                Self.string(3, subscription.externalUID, into: &body)
                Self.string(4, subscription.reconciliationID ?? "", into: &body)
                for parameter in subscription.parameters {
                    Self.message(5, into: &body) { entry in
                        Self.string(1, parameter.name, into: &entry)
                        Self.string(2, parameter.value, into: &entry)
                        if parameter.reconciliation { Self.int(3, 1, into: &entry) }
                    }
                }
                Self.int(6, Int64(subscription.status.proto.rawValue), into: &body)
            }
            if let customer = batch.customers[subscription.tiers.customerID] {
                party(12, id: customer.id, name: customer.name, externalID: customer.externalID, into: &bytes)
            }
            if let id = subscription.tiers.tier1ID, let reseller = batch.resellers[id] {
                party(13, id: reseller.id, name: reseller.name, externalID: "", into: &bytes)
            }
            if let id = subscription.tiers.tier2ID, let reseller = batch.resellers[id] {
                party(14, id: reseller.id, name: reseller.name, externalID: "", into: &bytes)
            }
            subscriptions[id] = bytes
        }

        output.removeAll(keepingCapacity: true)
        let empty: [UInt8] = []
        // By index, and the record borrowed: copying a record retains and releases each of its
        // strings, which costs more than encoding them.
        for index in batch.records.indices {
            scratch.removeAll(keepingCapacity: true)
            Self.encodeRecord(batch.records[index].record, into: &scratch)
            var billing: [UInt8] = []
            if includingBilling, let mark = batch.records[index].billing {
                Self.message(15, into: &billing) { body in
                    Self.string(1, mark.resellerID, into: &body)
                    Self.string(2, mark.externalBillingID, into: &body)
                    Self.string(3, mark.note, into: &body)
                    Self.timestamp(4, mark.billedAt, into: &body)
                }
            }
            let file = files[batch.records[index].record.fileID] ?? empty
            let item = batch.records[index].record.itemID.flatMap { items[$0] } ?? empty
            let subscription = batch.records[index].record.subscriptionID.flatMap { subscriptions[$0] } ?? empty
            let length = 1 + Self.varintSize(UInt64(scratch.count)) + scratch.count + file.count + item.count
                + subscription.count + billing.count
            Self.tag(1, 2, into: &output)
            Self.varint(UInt64(length), into: &output)
            Self.tag(1, 2, into: &output)
            Self.varint(UInt64(scratch.count), into: &output)
            output.append(contentsOf: scratch)
            output.append(contentsOf: file)
            output.append(contentsOf: item)
            output.append(contentsOf: subscription)
            output.append(contentsOf: billing)
        }
        return output
    }

    /// A `UsageRecord` message's fields, as `Usageflow_V1_UsageRecord.init(_:)` fills them.
    static func encodeRecord(_ record: borrowing UsageRecord, into bytes: inout [UInt8]) {
        string(1, record.fileID, into: &bytes)
        int(2, Int64(record.position), into: &bytes)
        string(3, record.recordID, into: &bytes)
        string(4, record.note, into: &bytes)
        string(5, record.itemID ?? "", into: &bytes)
        string(6, record.subscriptionID ?? "", into: &bytes)
        if let quantity = record.quantity { string(7, quantity.description, into: &bytes) }
        if let amount = record.amount { string(8, amount.description, into: &bytes) }
        if let tier = record.tier {
            // Optional: present even when 0.
            tag(9, 0, into: &bytes)
            varint(UInt64(bitPattern: Int64(Int32(clamping: tier))), into: &bytes)
        }
        if let start = record.start { timestamp(10, start, into: &bytes) }
        if let end = record.end { timestamp(11, end, into: &bytes) }
        string(12, record.categoryID ?? "", into: &bytes)
        string(13, record.assetReconID ?? "", into: &bytes)
        for parameter in record.parameters {
            // Sized up front: every record has its parameters, so no body buffer per parameter.
            tag(14, 2, into: &bytes)
            varint(UInt64(stringSize(1, parameter.name) + stringSize(2, parameter.value)), into: &bytes)
            string(1, parameter.name, into: &bytes)
            string(2, parameter.value, into: &bytes)
        }
        int(15, Int64(record.status.proto.rawValue), into: &bytes)
        for error in record.errors {
            message(16, into: &bytes) { entry in
                string(1, error.code, into: &entry)
                string(2, error.column ?? "", into: &entry)
                string(3, error.message, into: &entry)
            }
        }
        string(17, record.externalBillingID ?? "", into: &bytes)
        string(18, record.externalBillingNote ?? "", into: &bytes)
        if let closed = record.closedAt { timestamp(19, closed, into: &bytes) }
        for value in record.rawValues {
            // Repeated strings are written even when empty.
            tag(20, 2, into: &bytes)
            var value = value
            value.withUTF8 { utf8 in
                varint(UInt64(utf8.count), into: &bytes)
                bytes.append(contentsOf: utf8)
            }
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

    /// The encoded size of a proto3 string field (field numbers below 16).
    static func stringSize(_ field: UInt32, _ value: String) -> Int {
        let count = value.utf8.count
        return count == 0 ? 0 : 1 + varintSize(UInt64(count)) + count
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
