// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import Domain
import Glibc
import ProtoWire
import ServiceSupport
import UsageIngest

/// The records of one `UploadRecords` stream, kept in an unlinked temporary file between the
/// network and processing.
///
/// Processing pulls rows inside the store's write transaction, which must never wait on a client;
/// so the stream is first written here as it arrives (memory stays flat whatever its size) and
/// read back as rows once it has ended. The file is unlinked as soon as it is created, so nothing
/// is left behind by a crash, and closed when the spool goes.
///
/// Each record is stored as the row it lays out to, not as protobuf: the row is what processing
/// reads, so it is built once on arrival and read back without a second decode. A row is its
/// length (4 bytes, little-endian), its cell count (varint), then one tag byte per cell and the
/// cell's value:
///
/// ```
/// 0 empty    1 text, 2 number: varint byte count, UTF-8    3 date: Int64 microseconds, little-endian
/// 4 false    5 true    6 the same text or number as the previous row's cell at this index
/// ```
///
/// The repeat tag keeps the spool small (records of a stream repeat their search criteria, items
/// and subscriptions) and lets the rows read back share one string instead of allocating each.
///
/// @unchecked Sendable: one task writes it (the handler, while the stream arrives), then one
/// thread reads it (the store's, inside `process`) after the handler has stopped writing; the
/// store's hand-off orders the two, and nothing touches it concurrently.
final class UsageRecordSpool: @unchecked Sendable {
    private let descriptor: Int32
    private let layout: UsageRecordStreamLayout
    private var encoder = RowEncoder()
    /// Bytes written to the file so far (the buffer not included).
    private var written = 0
    /// Records appended so far.
    private(set) var recordCount = 0
    /// The appended records' protobuf encodings (their length as received, or as serialized again
    /// when decoded; the same for any encoder that writes no default values) plus 4 framing bytes
    /// each: what the bytes-per-upload limit counts, independent of how compactly the spool stores
    /// them.
    private(set) var byteCount = 0

    /// Large writes: each `write` into the page cache has a fixed cost, and the buffer is reused.
    private static let bufferSize = 1024 * 1024

    enum Tag {
        static let empty: UInt8 = 0
        static let text: UInt8 = 1
        static let number: UInt8 = 2
        static let date: UInt8 = 3
        static let falseValue: UInt8 = 4
        static let trueValue: UInt8 = 5
        static let repeated: UInt8 = 6
    }

    /// A fresh spool in `directory` for records laid out by `layout`.
    init(directory: String, layout: UsageRecordStreamLayout) throws {
        var template = Array((directory + "/usageflow-records-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw Self.failure("create a spool file in \(directory)", errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        self.layout = layout
        encoder.buffer.reserveCapacity(Self.bufferSize + 4096)
    }

    deinit {
        close(descriptor)
    }

    /// Appends one record, the `position`th of the stream, as its row. Throws the layout's refusal
    /// (named by `field`) for a record that cannot be laid out.
    func append(_ record: Usageflow_V1_UsageRecordInput, position: Int, field: @autoclosure () -> String) throws {
        let cells = try layout.row(record, position: position, field: field()).cells
        byteCount += record.serializedSize() + 4
        // The encoder is moved out of the object while the row is written: every access to a
        // class's stored property is checked for exclusivity at run time, and a row makes dozens.
        var encoder = takeEncoder()
        encoder.write(cells)
        self.encoder = encoder
        recordCount += 1
    }

    /// Appends one record still in its wire form (`bytes`, a `UsageRecordInput`), or appends
    /// nothing and returns false when the record must be decoded and appended with
    /// `append(_:position:field:)` (see `UsageRecordStreamLayout.writeEncodedRecord`).
    ///
    /// The bytes-per-upload count takes the record's length as received.
    func appendEncoded(_ bytes: UnsafeRawBufferPointer, fields: inout UsageRecordWireFields) -> Bool {
        var encoder = takeEncoder()
        let written = layout.writeEncodedRecord(bytes, fields: &fields, to: &encoder)
        self.encoder = encoder
        guard written else { return false }
        byteCount += bytes.count + 4
        recordCount += 1
        return true
    }

    /// Where the spool stands, to return to with `rollBack(to:)` before anything more is flushed.
    struct Mark {
        fileprivate let encoder: RowEncoder.Mark
        fileprivate let recordCount: Int
        fileprivate let byteCount: Int
    }

    func mark() -> Mark {
        Mark(encoder: encoder.mark(), recordCount: recordCount, byteCount: byteCount)
    }

    /// Forgets every record appended since `mark` was taken (with no flush in between).
    func rollBack(to mark: Mark) {
        var encoder = takeEncoder()
        encoder.rollBack(to: mark.encoder)
        self.encoder = encoder
        recordCount = mark.recordCount
        byteCount = mark.byteCount
    }

    private func takeEncoder() -> RowEncoder {
        let taken = encoder
        encoder = RowEncoder()
        return taken
    }

    /// Whether enough is buffered to be worth a write: the caller then awaits `flush(on:)`.
    var needsFlush: Bool { encoder.buffer.count >= Self.bufferSize }

    /// Writes rows in the spool's format into a buffer: its length, its cell count, then each
    /// cell, a text or number the same as the previous row's at its index written as the repeat
    /// tag (compared byte for byte).
    struct RowEncoder: UsageCellWriter {
        var buffer: [UInt8] = []
        /// The previous and the current row's cells: tag, and value offset and length in the
        /// matching byte buffer (text and number cells only).
        private var previous: [(tag: UInt8, offset: Int, length: Int)] = []
        private var previousBytes: [UInt8] = []
        private var current: [(tag: UInt8, offset: Int, length: Int)] = []
        private var currentBytes: [UInt8] = []
        private var lengthOffset = 0

        /// What a roll back restores: the buffer's length and the previous row.
        struct Mark {
            fileprivate let bufferCount: Int
            fileprivate let previous: [(tag: UInt8, offset: Int, length: Int)]
            fileprivate let previousBytes: [UInt8]
        }

        func mark() -> Mark {
            Mark(bufferCount: buffer.count, previous: previous, previousBytes: previousBytes)
        }

        mutating func rollBack(to mark: Mark) {
            buffer.removeLast(buffer.count - min(mark.bufferCount, buffer.count))
            previous = mark.previous
            previousBytes = mark.previousBytes
        }

        mutating func beginRow(cellCount: Int) {
            lengthOffset = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 4))
            UsageRecordSpool.appendVarint(cellCount, to: &buffer)
            current.removeAll(keepingCapacity: true)
            currentBytes.removeAll(keepingCapacity: true)
        }

        mutating func writeEmpty() {
            buffer.append(Tag.empty)
            current.append((Tag.empty, 0, 0))
        }

        mutating func writeText(_ utf8: UnsafeRawBufferPointer, isNumber: Bool) {
            let tag = isNumber ? Tag.number : Tag.text
            let index = current.count
            let offset = currentBytes.count
            currentBytes.append(contentsOf: utf8)
            current.append((tag, offset, utf8.count))
            if index < previous.count, previous[index].tag == tag, previous[index].length == utf8.count,
                previousBytes.withUnsafeBytes({ stored in
                    utf8.count == 0
                        || memcmp(stored.baseAddress! + previous[index].offset, utf8.baseAddress!, utf8.count) == 0
                })
            {
                buffer.append(Tag.repeated)
                return
            }
            buffer.append(tag)
            UsageRecordSpool.appendVarint(utf8.count, to: &buffer)
            buffer.append(contentsOf: utf8)
        }

        mutating func writeDate(_ time: Timestamp) {
            buffer.append(Tag.date)
            withUnsafeBytes(of: time.microsecondsSinceEpoch.littleEndian) { buffer.append(contentsOf: $0) }
            current.append((Tag.date, 0, 0))
        }

        mutating func writeBoolean(_ value: Bool) {
            let tag = value ? Tag.trueValue : Tag.falseValue
            buffer.append(tag)
            current.append((tag, 0, 0))
        }

        mutating func endRow() {
            let length = UInt32(buffer.count - lengthOffset - 4)
            buffer.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: length.littleEndian, toByteOffset: lengthOffset, as: UInt32.self)
            }
            swap(&previous, &current)
            swap(&previousBytes, &currentBytes)
        }
    }

    /// Writes what is buffered on one of `io`'s threads (never on the caller's event loop); call
    /// whenever `needsFlush` says so, and once the stream has ended, before reading.
    func flush(on io: BlockingIO) async throws {
        guard !encoder.buffer.isEmpty else { return }
        // The buffer travels to the writer thread and comes back, so its capacity is reused.
        let full = encoder.buffer
        encoder.buffer = []
        try await io.writeAll(descriptor, full, action: "write the spooled records")
        written += full.count
        encoder.buffer = full
        encoder.buffer.removeAll(keepingCapacity: true)
    }

    /// The spooled records as rows, read back in order.
    func rows() -> any UsageRowSource {
        Rows(spool: self, end: written)
    }

    fileprivate static func appendVarint(_ value: Int, to buffer: inout [UInt8]) {
        var value = UInt(value)
        while value >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.append(UInt8(value))
    }

    /// Reads the file from the start in large chunks, one row at a time.
    private struct Rows: UsageRowSource {
        let spool: UsageRecordSpool
        let end: Int
        var fileOffset = 0
        var chunk: [UInt8] = []
        var chunkStart = 0
        var position = 0
        var previous: [UsageCell] = []

        mutating func next() throws -> UsageRow? {
            guard try fill(4) else { return nil }
            let size = chunk.withUnsafeBytes { raw in
                Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: chunkStart, as: UInt32.self)))
            }
            chunkStart += 4
            guard try fill(size) else {
                throw DomainError.internalFailure("the record spool ended inside a record")
            }
            let start = chunkStart
            chunkStart += size
            let previous = self.previous
            let cells = chunk.withUnsafeBytes { raw in
                Self.cells(UnsafeRawBufferPointer(rebasing: raw[start..<start + size]), previous: previous)
            }
            guard let cells else { throw DomainError.internalFailure("a spooled record is malformed") }
            self.previous = cells
            position += 1
            return UsageRow(position: position, cells: cells)
        }

        /// The cells of one row's bytes, or nil when they are not a row this spool wrote.
        private static func cells(_ bytes: UnsafeRawBufferPointer, previous: [UsageCell]) -> [UsageCell]? {
            var cursor = 0
            func varint() -> Int? {
                var value = 0
                var shift = 0
                while cursor < bytes.count, shift < 63 {
                    let byte = bytes[cursor]
                    cursor += 1
                    value |= Int(byte & 0x7F) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
                return nil
            }
            guard let count = varint(), count <= bytes.count else { return nil }
            var cells: [UsageCell] = []
            cells.reserveCapacity(count)
            for index in 0..<count {
                guard cursor < bytes.count else { return nil }
                let tag = bytes[cursor]
                cursor += 1
                switch tag {
                case Tag.empty:
                    cells.append(.empty)
                case Tag.text, Tag.number:
                    guard let length = varint(), length <= bytes.count - cursor else { return nil }
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[cursor..<cursor + length]), as: UTF8.self)
                    cursor += length
                    cells.append(tag == Tag.text ? .text(text) : .number(text))
                case Tag.date:
                    guard bytes.count - cursor >= 8 else { return nil }
                    let micros = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: cursor, as: Int64.self))
                    cursor += 8
                    cells.append(.date(Timestamp(microsecondsSinceEpoch: micros)))
                case Tag.falseValue, Tag.trueValue:
                    cells.append(.boolean(tag == Tag.trueValue))
                case Tag.repeated:
                    guard index < previous.count else { return nil }
                    cells.append(previous[index])
                default:
                    return nil
                }
            }
            return cursor == bytes.count ? cells : nil
        }

        /// Makes the next `count` bytes available at `chunkStart`; false at the end of the file.
        private mutating func fill(_ count: Int) throws -> Bool {
            while chunk.count - chunkStart < count {
                guard fileOffset < end else {
                    if chunk.count == chunkStart { return false }
                    throw DomainError.internalFailure("the record spool ended inside a record")
                }
                chunk.removeFirst(chunkStart)
                chunkStart = 0
                let wanted = min(max(UsageRecordSpool.bufferSize, count - chunk.count), end - fileOffset)
                let previous = chunk.count
                chunk.append(contentsOf: repeatElement(0, count: wanted))
                let read = chunk.withUnsafeMutableBytes { raw in
                    pread(spool.descriptor, raw.baseAddress! + previous, wanted, off_t(fileOffset))
                }
                if read < 0 {
                    chunk.removeLast(wanted)
                    if errno == EINTR { continue }
                    throw UsageRecordSpool.failure("read the spooled records", errno)
                }
                guard read > 0 else { throw DomainError.internalFailure("the record spool is shorter than written") }
                chunk.removeLast(wanted - read)
                fileOffset += read
            }
            return true
        }
    }

    /// A full disk is a limit the caller can act on; anything else is the server's failure.
    private static func failure(_ action: String, _ code: Int32) -> DomainError {
        if code == ENOSPC || code == EDQUOT {
            return DomainError(kind: .resourceExhausted, message: "the server has no space left to receive the upload")
        }
        return DomainError.internalFailure("could not \(action): errno \(code)")
    }
}
