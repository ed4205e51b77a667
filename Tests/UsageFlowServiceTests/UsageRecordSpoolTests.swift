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
