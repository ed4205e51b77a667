// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import ProtoWire
import WellKnownTypes

/// The record stream's rows read straight from the records' wire bytes.
///
/// A million-record upload would otherwise build a `UsageRecordInput` (a dozen strings, two
/// timestamps, an array) per record, lay it out as cells (as many strings again) and take it
/// apart once more to write it down: 7 % of the server's time for a million-record stream (0.6 s
/// of 8.6 s, `bench/ingest/run.sh`, before this path replaced it). Here a
/// record's fields are located in its bytes and handed to a `UsageCellWriter` as they are.
///
/// The result is the row `row(_:position:field:)` makes of the decoded record, cell for cell.
/// Whatever the decoder would treat differently is left to it: invalid UTF-8 (which it refuses),
/// a timestamp sent twice (which it merges), malformed bytes, and a record with more parameter
/// values than the header has columns (which `check` refuses, naming the record). For those
/// `writeEncodedRecord` writes nothing and answers false, and the caller decodes the message.
extension UsageRecordStreamLayout {
    /// Lays out one encoded `UsageRecordInput` into `writer`, or writes nothing and returns false
    /// when the record must be decoded instead. `fields` is scratch space, reused across records.
    public func writeEncodedRecord(
        _ bytes: UnsafeRawBufferPointer, fields: inout UsageRecordWireFields, to writer: inout some UsageCellWriter
    ) -> Bool {
        guard acceptsEncodedRecord(bytes, fields: &fields), let base = bytes.baseAddress else { return false }
        writer.beginRow(cellCount: Self.knownColumns.count + fields.parameterCount)
        for field in Self.knownFieldNumbers {
            switch field {
            case UsageRecordWireFields.tier:
                if let tier = fields.tier {
                    var text = String(Int32(truncatingIfNeeded: tier))
                    text.withUTF8 { writer.writeText(UnsafeRawBufferPointer($0), isNumber: true) }
                } else {
                    writer.writeEmpty()
                }
            case UsageRecordWireFields.startTime:
                if let time = fields.startTime { writer.write(Self.time(time)) } else { writer.writeEmpty() }
            case UsageRecordWireFields.endTime:
                if let time = fields.endTime { writer.write(Self.time(time)) } else { writer.writeEmpty() }
            case UsageRecordWireFields.precision:
                writer.write(Self.precision(Usageflow_V1_Precision(rawValue: Int32(truncatingIfNeeded: fields.precision))))
            default:
                Self.writeText(base, offset: fields.offsets[field], length: fields.lengths[field], to: &writer)
            }
        }
        var index = 0
        while index < fields.parameters.count {
            Self.writeText(base, offset: fields.parameters[index], length: fields.parameters[index + 1], to: &writer)
            index += 2
        }
        writer.endRow()
        return true
    }

    /// Whether `writeEncodedRecord` would lay out the record: the record is read but not written.
    public func acceptsEncodedRecord(_ bytes: UnsafeRawBufferPointer, fields: inout UsageRecordWireFields) -> Bool {
        bytes.baseAddress != nil && (try? fields.scan(bytes)) == true && fields.parameterCount <= parameterCount
    }

    /// A text field's cell: empty when absent or empty, as `text(_:)` makes it.
    @inline(__always)
    private static func writeText(
        _ base: UnsafeRawPointer, offset: Int, length: Int, to writer: inout some UsageCellWriter
    ) {
        if offset < 0 || length == 0 {
            writer.writeEmpty()
        } else {
            writer.writeText(UnsafeRawBufferPointer(start: base + offset, count: length), isNumber: false)
        }
    }

    /// The field number of each known column, in column order.
    static let knownFieldNumbers: [Int] = knownColumns.map { column in
        switch column {
        case .recordID: 1
        case .recordNote: 2
        case .itemSearchCriteria: 3
        case .itemSearchValue: 4
        case .quantity: 5
        case .amount: 6
        case .tier: UsageRecordWireFields.tier
        case .startTime: UsageRecordWireFields.startTime
        case .endTime: UsageRecordWireFields.endTime
        case .assetSearchCriteria: 10
        case .assetSearchValue: 11
        case .categoryID: 12
        case .assetReconID: 13
        case .itemName: 14
        case .itemMPN: 15
        case .itemUnit: 16
        case .itemPrecision: UsageRecordWireFields.precision
        }
    }
}

/// Where the fields of one encoded `UsageRecordInput` lie in its bytes, with its scalar values
/// read; scratch space that one stream reuses for every record.
public struct UsageRecordWireFields {
    static let tier = 7
    static let startTime = 8
    static let endTime = 9
    static let precision = 17
    static let parameterValues = 18

    /// Offset and length of each text field's value, by field number; offset -1 when absent.
    var offsets = [Int](repeating: -1, count: 18)
    var lengths = [Int](repeating: 0, count: 18)
    var tier: UInt64?
    var precision: UInt64 = 0
    var startTime: Google_Protobuf_Timestamp?
    var endTime: Google_Protobuf_Timestamp?
    /// Offset and length of each parameter value, in order, flattened.
    var parameters: [Int] = []

    public init() {}

    var parameterCount: Int { parameters.count / 2 }

    /// Locates the fields of `bytes`; false (or a wire error) when the record needs the decoder.
    ///
    /// Semantics as the generated decoder's: the last value of a repeated singular field wins, a
    /// field of another wire type than its own is an unknown field, unknown fields are skipped.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Bool {
        guard let base = bytes.baseAddress else { return bytes.isEmpty && reset() }
        _ = reset()
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            let field = Int(tag.fieldNumber)
            switch tag.rawValue {
            case 10, 18, 26, 34, 42, 50, 82, 90, 98, 106, 114, 122, 130, 146:
                let valid = try reader.withLengthDelimited { value throws(WireError) -> Bool in
                    guard UTF8Validation.isValid(value.assumingMemoryBound(to: UInt8.self)) else { return false }
                    let offset = value.baseAddress.map { $0 - base } ?? 0
                    if field == Self.parameterValues {
                        parameters.append(offset)
                        parameters.append(value.count)
                    } else {
                        offsets[field] = offset
                        lengths[field] = value.count
                    }
                    return true
                }
                guard valid else { return false }
            case 56:
                tier = try reader.readVarint()
            case 136:
                precision = try reader.readVarint()
            case 66, 74:
                // A second occurrence merges into the first; the decoder does that.
                guard (field == Self.startTime ? startTime : endTime) == nil else { return false }
                let time = try reader.withLengthDelimited { value throws(WireError) in try Self.timestamp(value) }
                if field == Self.startTime { startTime = time } else { endTime = time }
            default:
                try reader.skipValue(tag)
            }
        }
        return true
    }

    private mutating func reset() -> Bool {
        for field in 0..<offsets.count { offsets[field] = -1 }
        tier = nil
        precision = 0
        startTime = nil
        endTime = nil
        parameters.removeAll(keepingCapacity: true)
        return true
    }

    /// A `google.protobuf.Timestamp`'s two fields, the last of each winning, others skipped.
    private static func timestamp(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Google_Protobuf_Timestamp {
        var time = Google_Protobuf_Timestamp()
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            switch tag.rawValue {
            case 8: time.seconds = Int64(bitPattern: try reader.readVarint())
            case 16: time.nanos = Int32(truncatingIfNeeded: try reader.readVarint())
            default: try reader.skipValue(tag)
            }
        }
        return time
    }
}
