// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import ProtoWire

/// Encodes a batch of exported records straight to the bytes of an `ExportRecordsResponse`: its
/// `records` entries are byte for byte what encoding the `ExportedRecord` messages would give.
///
/// Why: an export is a million records of the same few items, subscriptions and parties. Building
/// a message struct per record, copying in the shared sub-messages and encoding it cost several
/// times SQLite's own read. The encoder is the store's `ExportRecordSink`: each record's own fields
/// go from the store's column bytes to wire bytes as they are read (`append`), and each file's
/// facts and each item, subscription and its parties are encoded once per batch (`encode`), when
/// the store has looked them up; a record then costs its own fields plus a copy of those bytes.
/// Fields are written through `WireWriter` into buffers sized ahead (a bound per record, the exact
/// size for the response), and `RecordExport` sends the result as it is
/// (`ResponseWriter.write(encoded:)`); the wire format lets an `ExportedRecord`'s fields come in any
/// order, so clients decode the same message.
public struct ExportWireEncoder: ExportRecordSink, Sendable {
    /// The records' `UsageRecord` message bodies, back to back, each followed by its billing mark.
    private var bodies = ByteArena()
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
            bodies.reserve(256 * 1024)
            entries.reserveCapacity(1024)
        }
        bodies.write(atMost: Self.sizeBound(record)) { Self.encodeRecord(record, into: &$0) }
        let recordEnd = bodies.count
        if let mark = record.billing {
            bodies.write(atMost: mark.externalBillingID.count + mark.note.count + 64) {
                Self.encodeBilling(mark, into: &$0)
            }
        }
        entries.append(
            Entry(
                recordEnd: recordEnd, billingEnd: bodies.count, file: Int32(record.fileKey),
                item: Int32(record.itemKey), subscription: Int32(record.subscriptionKey)))
    }

    /// An `ExportRecordsResponse`: the records appended so far as its repeated field 1 (`records`),
    /// with what `batch` names, and `cursor`; with `includingBilling` (a reseller's view,
    /// `resellerID`), each record carries the caller's billing mark.
    public func encode(_ batch: StreamedExportBatch, includingBilling resellerID: String?, cursor: String) -> [UInt8] {
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

        // Two passes, as the message codec does: the exact size, then one buffer filled front to back.
        func length(of entry: Entry, body: Int, mark: Int) -> Int {
            var length = 1 + Self.varintSize(UInt64(body)) + body
            if entry.file >= 0 { length += files[Int(entry.file)].count }
            if entry.item >= 0 { length += items[Int(entry.item)].count }
            if entry.subscription >= 0 { length += subscriptions[Int(entry.subscription)].count }
            if resellerID != nil, mark > 0 {
                let markLength = billingPrefix.count + mark
                length += 1 + Self.varintSize(UInt64(markLength)) + markLength
            }
            return length
        }
        var total = cursor.isEmpty ? 0 : 1 + Self.varintSize(UInt64(cursor.utf8.count)) + cursor.utf8.count
        var start = 0
        for entry in entries {
            let record = length(of: entry, body: entry.recordEnd - start, mark: entry.billingEnd - entry.recordEnd)
            total += 1 + Self.varintSize(UInt64(record)) + record
            start = entry.billingEnd
        }
        return bodies.withBytes { bodies in
            [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
                var writer = WireWriter(buffer: UnsafeMutableRawBufferPointer(buffer))
                var start = 0
                for entry in entries {
                    let body = UnsafeRawBufferPointer(rebasing: bodies[start..<entry.recordEnd])
                    let mark = UnsafeRawBufferPointer(rebasing: bodies[entry.recordEnd..<entry.billingEnd])
                    start = entry.billingEnd
                    writer.writeTag(1 << 3 | 2)
                    writer.writeVarint(UInt64(length(of: entry, body: body.count, mark: mark.count)))
                    writer.writeTag(1 << 3 | 2)
                    writer.writeVarint(UInt64(body.count))
                    writer.writeRawBytes(body)
                    if entry.file >= 0 { files[Int(entry.file)].withUnsafeBytes { writer.writeRawBytes($0) } }
                    if entry.item >= 0 { items[Int(entry.item)].withUnsafeBytes { writer.writeRawBytes($0) } }
                    if entry.subscription >= 0 {
                        subscriptions[Int(entry.subscription)].withUnsafeBytes { writer.writeRawBytes($0) }
                    }
                    if resellerID != nil, !mark.isEmpty {
                        writer.writeTag(15 << 3 | 2)
                        writer.writeVarint(UInt64(billingPrefix.count + mark.count))
                        billingPrefix.withUnsafeBytes { writer.writeRawBytes($0) }
                        writer.writeRawBytes(mark)
                    }
                }
                if !cursor.isEmpty {
                    writer.writeTag(2 << 3 | 2)
                    writer.writeString(cursor)
                }
                precondition(writer.bytesWritten == total, "export size pass and write pass disagree")
                initialized = writer.bytesWritten
            }
        }
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
    private static func encodeBilling(_ mark: StoredExportRecord.Billing, into writer: inout WireWriter) {
        write(2, mark.externalBillingID, into: &writer)
        write(3, mark.note, into: &writer)
        write(4, mark.billedAt, into: &writer)
    }

    /// At least what `encodeRecord` writes for `record`: every field's bytes, with room for its tag
    /// and length, and the fixed-size fields at their largest.
    static func sizeBound(_ record: StoredExportRecord) -> Int {
        // position, tier and status as ten-byte varints, three timestamps, tags and lengths.
        var bound = 160 + 8 * 12 + record.fileID.count + record.recordID.count + record.note.count
        bound += (record.itemID?.count ?? 0) + (record.subscriptionID?.count ?? 0)
        bound += (record.quantity?.count ?? 0) + (record.amount?.count ?? 0)
        bound += (record.categoryID?.count ?? 0) + (record.assetReconID?.count ?? 0)
        bound += (record.externalBillingID?.count ?? 0) + (record.externalBillingNote?.count ?? 0)
        for value in record.parameters { bound += 12 + value.count }
        for value in record.rawValues { bound += 12 + value.count }
        return bound
    }

    /// A `UsageRecord` message's fields, as `Usageflow_V1_UsageRecord.init(_:)` fills them.
    static func encodeRecord(_ record: StoredExportRecord, into writer: inout WireWriter) {
        write(1, record.fileID, into: &writer)
        write(2, record.position.position, into: &writer)
        write(3, record.recordID, into: &writer)
        write(4, record.note, into: &writer)
        if let id = record.itemID { write(5, id, into: &writer) }
        if let id = record.subscriptionID { write(6, id, into: &writer) }
        // A present decimal is never empty text.
        if let quantity = record.quantity { write(7, quantity, into: &writer) }
        if let amount = record.amount { write(8, amount, into: &writer) }
        if let tier = record.tier {
            // Optional: present even when 0.
            writer.writeTag(9 << 3)
            writer.writeVarint(UInt64(bitPattern: Int64(Int32(clamping: tier))))
        }
        if let start = record.start { write(10, start, into: &writer) }
        if let end = record.end { write(11, end, into: &writer) }
        if let id = record.categoryID { write(12, id, into: &writer) }
        if let id = record.assetReconID { write(13, id, into: &writer) }
        var index = 0
        while index + 1 < record.parameters.count {
            let name = record.parameters[index]
            let value = record.parameters[index + 1]
            writer.writeTag(14 << 3 | 2)
            writer.writeVarint(UInt64(bytesSize(name) + bytesSize(value)))
            write(1, name, into: &writer)
            write(2, value, into: &writer)
            index += 2
        }
        write(15, Int64(record.status.proto.rawValue), into: &writer)
        // `errors` (16) stays empty: exported records are valid ones.
        if let id = record.externalBillingID { write(17, id, into: &writer) }
        if let note = record.externalBillingNote { write(18, note, into: &writer) }
        if let closed = record.closedAt { write(19, closed, into: &writer) }
        for value in record.rawValues {
            // Repeated strings are written even when empty.
            writer.writeTag(20 << 3 | 2)
            writer.writeVarint(UInt64(value.count))
            writer.writeRawBytes(value)
        }
    }

    /// A proto3 string field from UTF-8 bytes: nothing when empty.
    @inline(__always)
    static func write(_ field: UInt32, _ value: UnsafeRawBufferPointer, into writer: inout WireWriter) {
        guard !value.isEmpty else { return }
        writer.writeTag(field << 3 | 2)
        writer.writeVarint(UInt64(value.count))
        writer.writeRawBytes(value)
    }

    /// A proto3 integer or enum field: nothing when 0.
    @inline(__always)
    static func write(_ field: UInt32, _ value: Int64, into writer: inout WireWriter) {
        guard value != 0 else { return }
        writer.writeTag(field << 3)
        writer.writeVarint(UInt64(bitPattern: value))
    }

    /// A `google.protobuf.Timestamp` message field (present even at the epoch).
    static func write(_ field: UInt32, _ time: Timestamp, into writer: inout WireWriter) {
        let seconds = time.secondsSinceEpoch
        let nanos = Int64(time.nanosecondsOfSecond)
        var length = 0
        if seconds != 0 { length += 1 + varintSize(UInt64(bitPattern: seconds)) }
        if nanos != 0 { length += 1 + varintSize(UInt64(bitPattern: nanos)) }
        writer.writeTag(field << 3 | 2)
        writer.writeVarint(UInt64(length))
        write(1, seconds, into: &writer)
        write(2, nanos, into: &writer)
    }

    /// Bytes written through `WireWriter` into a buffer that grows ahead of each write.
    private struct ByteArena: Sendable {
        private var storage: [UInt8] = []
        private(set) var count = 0

        mutating func reserve(_ capacity: Int) {
            if storage.count < capacity { storage.append(contentsOf: repeatElement(0, count: capacity - storage.count)) }
        }

        /// Runs `body` on a writer with room for `bound` bytes, keeping what it wrote.
        mutating func write(atMost bound: Int, _ body: (inout WireWriter) -> Void) {
            if storage.count - count < bound { reserve(max(count + bound, 2 * storage.count)) }
            let start = count
            let written = storage.withUnsafeMutableBytes { raw in
                var writer = WireWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + bound)]))
                body(&writer)
                return writer.bytesWritten
            }
            // The writer checks no bounds in release builds: a bound that fell short must stop here.
            precondition(written <= bound, "export record larger than its size bound")
            count = start + written
        }

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
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
