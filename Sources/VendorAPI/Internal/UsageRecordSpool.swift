// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import Domain
import Glibc
import ProtoWire
import ServiceSupport

/// The records of one `UploadRecords` stream, kept in an unlinked temporary file between the
/// network and processing.
///
/// Processing pulls rows inside the store's write transaction, which must never wait on a client;
/// so the stream is first written here as it arrives (memory stays flat whatever its size) and
/// read back as rows once it has ended. The file is unlinked as soon as it is created, so nothing
/// is left behind by a crash, and closed when the spool goes.
///
/// @unchecked Sendable: one task writes it (the handler, while the stream arrives), then one
/// thread reads it (the store's, inside `process`) after the handler has stopped writing; the
/// store's hand-off orders the two, and nothing touches it concurrently.
final class UsageRecordSpool: @unchecked Sendable {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Bytes written to the file so far (the buffer not included).
    private var written = 0
    /// Records appended so far.
    private(set) var recordCount = 0

    /// Bytes appended so far, framing included: what the bytes-per-upload limit counts.
    var byteCount: Int { written + buffer.count }

    private static let bufferSize = 64 * 1024

    /// A fresh spool in `directory`.
    init(directory: String) throws {
        var template = Array((directory + "/usageflow-records-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw Self.failure("create a spool file in \(directory)", errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        close(descriptor)
    }

    /// Appends one record: its length (4 bytes, little-endian) and its serialized bytes.
    func append(_ record: Usageflow_V1_UsageRecordInput) throws {
        let bytes = record.serializedBytes()
        let length = UInt32(bytes.count)
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: length >> shift)) }
        buffer.append(contentsOf: bytes)
        recordCount += 1
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes what is buffered; call once the stream has ended, before reading.
    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.failure("write the spooled records", errno)
            }
            offset += count
        }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// The spooled records as rows laid out by `layout`, read back in order.
    func rows(_ layout: UsageRecordStreamLayout) -> any UsageRowSource {
        Rows(spool: self, layout: layout, end: written)
    }

    /// Reads the file from the start in large chunks, one record at a time.
    private struct Rows: UsageRowSource {
        let spool: UsageRecordSpool
        let layout: UsageRecordStreamLayout
        let end: Int
        var fileOffset = 0
        var chunk: [UInt8] = []
        var chunkStart = 0
        var position = 0

        mutating func next() throws -> UsageRow? {
            guard let length = try take(4) else { return nil }
            let size = length.withUnsafeBufferPointer { bytes in
                (0..<4).reduce(0) { $0 | Int(bytes[$1]) << ($1 * 8) }
            }
            guard let bytes = try take(size) else {
                throw DomainError.internalFailure("the record spool ended inside a record")
            }
            position += 1
            let record: Usageflow_V1_UsageRecordInput
            do {
                record = try Usageflow_V1_UsageRecordInput(serializedBytes: bytes)
            } catch {
                throw DomainError.internalFailure("a spooled record does not decode: \(error)")
            }
            return try layout.row(record, position: position, field: "record")
        }

        /// The next `count` bytes, or nil at the end of the file.
        private mutating func take(_ count: Int) throws -> [UInt8]? {
            while chunk.count - chunkStart < count {
                guard fileOffset < end else {
                    if chunk.count == chunkStart { return nil }
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
            defer { chunkStart += count }
            return Array(chunk[chunkStart..<chunkStart + count])
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
