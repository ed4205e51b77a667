// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import ServiceSupport
import Testing
import UsageIngest
@testable import VendorAPI
import WellKnownTypes

/// The record spool reads back exactly the rows its records lay out to, whatever their cells,
/// across its write buffer and read chunks, and counts bytes as the records' encodings.
@Suite struct UsageRecordSpoolTests {
    private static func layout() throws -> UsageRecordStreamLayout {
        var header = Usageflow_V1_UploadRecordsHeader()
        header.fileId = "UF-1"
        header.parameterColumns = ["region", "plan"]
        return try UsageRecordStreamLayout(header)
    }

    private static func time(_ seconds: Int64, _ nanos: Int32 = 0) -> Google_Protobuf_Timestamp {
        var time = Google_Protobuf_Timestamp()
        time.seconds = seconds
        time.nanos = nanos
        return time
    }

    /// Records covering every kind of cell: repeated and changing text, a long multi-byte text,
    /// tiers (number cells), times the domain holds (dates) and ones it cannot (text), a
    /// precision, missing and short parameter lists.
    private static func records(_ count: Int) -> [Usageflow_V1_UsageRecordInput] {
        (0..<count).map { index in
            var record = Usageflow_V1_UsageRecordInput()
            record.recordId = "R\(index)"
            if index % 7 == 0 { record.recordNote = String(repeating: "é ünïcode ", count: 20 + index % 5) }
            record.itemSearchCriteria = "item.mpn"
            record.itemSearchValue = index % 3 == 0 ? "STORAGE-GB-HOURS" : "XFER"
            record.quantity = index % 2 == 0 ? "12.50" : "3"
            if index % 5 == 0 { record.tier = Int32(index % 3) }
            if index % 11 != 0 { record.startTimeUtc = time(1_800_000_000 + Int64(index), Int32(index % 2) * 1000) }
            if index % 13 == 0 {
                record.endTimeUtc = time(Int64.max / 2)
            } else {
                record.endTimeUtc = time(1_800_000_060 + Int64(index))
            }
            record.assetSearchCriteria = "asset.external_id"
            record.assetSearchValue = "subscription-\(index % 10)"
            if index % 17 == 0 { record.itemPrecision = .decimal2 }
            if index % 4 != 0 { record.parameterValues.append(index % 8 == 1 ? "eu-west" : "us-east") }
            if index % 4 == 3 { record.parameterValues.append("") }
            return record
        }
    }

    @Test func rowsReadBackAsTheyLayOut() async throws {
        let layout = try Self.layout()
        let spool = try UsageRecordSpool(directory: "/tmp", layout: layout)
        // Enough records to cross the spool's 1 MiB write buffer and read chunk several times.
        let records = Self.records(12_000)
        var byteCount = 0
        for (index, record) in records.enumerated() {
            try spool.append(record, position: index + 1, field: "record")
            byteCount += record.serializedSize() + 4
            if spool.needsFlush { try await spool.flush(on: .shared) }
        }
        try await spool.flush(on: .shared)
        #expect(spool.recordCount == records.count)
        #expect(spool.byteCount == byteCount)

        var rows = spool.rows()
        for (index, record) in records.enumerated() {
            let expected = try layout.row(record, position: index + 1, field: "record")
            let row = try #require(try rows.next())
            #expect(row == expected)
            if row != expected { break }
        }
        #expect(try rows.next() == nil)
    }

    /// Reads every row back and compares it with the decoded record's layout.
    private static func expectRows(
        _ spool: UsageRecordSpool, _ layout: UsageRecordStreamLayout, _ records: [Usageflow_V1_UsageRecordInput]
    ) throws {
        var rows = spool.rows()
        for (index, record) in records.enumerated() {
            let expected = try layout.row(record, position: index + 1, field: "record")
            let row = try #require(try rows.next())
            #expect(row == expected, "row \(index + 1)")
            if row != expected { break }
        }
        #expect(try rows.next() == nil)
    }

    @Test func encodedRecordsLayOutAsTheirDecodedForm() async throws {
        let layout = try Self.layout()
        let spool = try UsageRecordSpool(directory: "/tmp", layout: layout)
        let records = Self.records(12_000)
        var fields = UsageRecordWireFields()
        var byteCount = 0
        for record in records {
            let bytes = record.serializedBytes()
            #expect(bytes.withUnsafeBytes { spool.appendEncoded($0, fields: &fields) })
            byteCount += bytes.count + 4
            if spool.needsFlush { try await spool.flush(on: .shared) }
        }
        try await spool.flush(on: .shared)
        #expect(spool.recordCount == records.count)
        #expect(spool.byteCount == byteCount)
        try Self.expectRows(spool, layout, records)
    }

    /// Encodings no serializer of ours writes but a client may send: the wire path reads them as
    /// the decoder does (fields out of order, a repeated text field whose last value wins, a known
    /// field under another wire type and unknown fields, both skipped, an empty record, explicit
    /// empty strings, a timestamp with unknown fields and a repeated seconds field).
    @Test func unusualEncodingsLayOutAsTheDecoderReadsThem() async throws {
        func tag(_ field: Int, _ wireType: Int) -> [UInt8] {
            var value = field << 3 | wireType
            var bytes: [UInt8] = []
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F | 0x80))
                value >>= 7
            }
            return bytes + [UInt8(value)]
        }
        func text(_ field: Int, _ value: String) -> [UInt8] { tag(field, 2) + [UInt8(value.utf8.count)] + Array(value.utf8) }
        let encodings: [[UInt8]] = [
            text(11, "SUB-1") + text(1, "R1") + text(5, "2.5") + tag(7, 0) + [2] + text(18, "eu"),
            text(1, "first") + text(1, "second") + text(4, "MPN") + text(4, "MPN-2"),
            text(1, "R3") + tag(1, 0) + [42] + tag(99, 0) + [1] + tag(100, 5) + [1, 2, 3, 4] + text(101, "unknown"),
            [],
            text(1, "") + text(2, "") + text(18, "") + text(18, "b"),
            text(1, "R5") + tag(8, 2) + [9] + tag(1, 0) + [5] + tag(1, 0) + [0x80, 0x01] + tag(3, 0) + [7] + tag(2, 0) + [1],
            text(1, "R6") + tag(17, 0) + [0x7F] + tag(7, 0) + Array(repeating: 0xFF, count: 9) + [0x01],
        ]
        let layout = try Self.layout()
        let spool = try UsageRecordSpool(directory: "/tmp", layout: layout)
        var fields = UsageRecordWireFields()
        var decoded: [Usageflow_V1_UsageRecordInput] = []
        for bytes in encodings {
            decoded.append(try Usageflow_V1_UsageRecordInput(serializedBytes: bytes))
            // An empty record has no bytes to point at: the caller decodes it.
            let appended = bytes.withUnsafeBytes { spool.appendEncoded($0, fields: &fields) }
            if !appended {
                #expect(bytes.isEmpty)
                try spool.append(decoded.last!, position: decoded.count, field: "record")
            }
        }
        try await spool.flush(on: .shared)
        #expect(decoded[1].recordId == "second" && decoded[2].unknownFields.isEmpty == false)
        try Self.expectRows(spool, layout, decoded)
    }

    /// What the decoder refuses or merges is left to it: nothing is appended and the answer is
    /// false, so the caller decodes the message and gets the decoder's error or value.
    @Test func encodingsForTheDecoderAppendNothing() async throws {
        func text(_ field: UInt8, _ value: [UInt8]) -> [UInt8] { [field << 3 | 2, UInt8(value.count)] + value }
        let refused: [[UInt8]] = [
            text(1, [0x52, 0xFF]),  // invalid UTF-8
            text(18, [0xC3]),  // invalid UTF-8 in a parameter value
            text(1, Array("R".utf8)) + [8 << 3 | 2, 2, 1 << 3, 5] + [8 << 3 | 2, 2, 2 << 3, 5],  // a timestamp twice
            text(18, [0x61]) + text(18, [0x62]) + text(18, [0x63]),  // three values for two columns
            text(1, Array("R".utf8)) + [2 << 3 | 2, 10, 0x61],  // truncated
            [1 << 3 | 7],  // wire type 7
            [0],  // field number 0
        ]
        let layout = try Self.layout()
        let spool = try UsageRecordSpool(directory: "/tmp", layout: layout)
        var fields = UsageRecordWireFields()
        for bytes in refused {
            #expect(bytes.withUnsafeBytes { spool.appendEncoded($0, fields: &fields) } == false, "\(bytes)")
            #expect(bytes.withUnsafeBytes { layout.acceptsEncodedRecord($0, fields: &fields) } == false)
        }
        #expect(spool.recordCount == 0 && spool.byteCount == 0 && !spool.needsFlush)
        try await spool.flush(on: .shared)
        var rows = spool.rows()
        #expect(try rows.next() == nil)
    }

    /// A rolled-back message leaves the spool as it was, the previous row for the repeat tag
    /// included.
    @Test func rollingBackForgetsTheMessage() async throws {
        let layout = try Self.layout()
        let spool = try UsageRecordSpool(directory: "/tmp", layout: layout)
        let records = Self.records(40)
        var fields = UsageRecordWireFields()
        for record in records[0..<20] {
            #expect(record.serializedBytes().withUnsafeBytes { spool.appendEncoded($0, fields: &fields) })
        }
        let mark = spool.mark()
        for record in records[20..<40].reversed() {
            #expect(record.serializedBytes().withUnsafeBytes { spool.appendEncoded($0, fields: &fields) })
        }
        spool.rollBack(to: mark)
        #expect(spool.recordCount == 20)
        for (offset, record) in records[20..<40].enumerated() {
            try spool.append(record, position: 21 + offset, field: "record")
        }
        try await spool.flush(on: .shared)
        try Self.expectRows(spool, layout, records)
    }

    @Test func anEmptySpoolHasNoRows() async throws {
        let spool = try UsageRecordSpool(directory: "/tmp", layout: try Self.layout())
        try await spool.flush(on: .shared)
        var rows = spool.rows()
        #expect(try rows.next() == nil)
        #expect(spool.byteCount == 0)
    }

    @Test func aRecordWithTooManyParameterValuesIsRefused() throws {
        let spool = try UsageRecordSpool(directory: "/tmp", layout: try Self.layout())
        var record = Usageflow_V1_UsageRecordInput()
        record.recordId = "R1"
        record.parameterValues = ["a", "b", "c"]
        #expect(throws: DomainError.self) { try spool.append(record, position: 1, field: "batch.records[0]") }
        #expect(spool.recordCount == 0)
    }
}
