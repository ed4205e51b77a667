// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// Writes protobuf values into a buffer that the size pass has already made exactly large enough.
///
/// Encoding is two passes over the message: `serializedSize()` computes the exact byte count, one
/// buffer of that size is allocated, and `encodeFields(to:)` fills it front to back. The writer
/// therefore does no capacity checks in release builds; a debug assertion guards the size pass.
public struct WireWriter {
    @usableFromInline var cursor: UnsafeMutableRawPointer
    @usableFromInline let start: UnsafeMutableRawPointer
    @usableFromInline let end: UnsafeMutableRawPointer

    /// Creates a writer over `buffer`; the buffer must outlive the writer.
    public init(buffer: UnsafeMutableRawBufferPointer) {
        let base = buffer.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 0x1)!
        self.cursor = base
        self.start = base
        self.end = base + buffer.count
    }

    /// The number of bytes written so far.
    @inlinable public var bytesWritten: Int { cursor - start }

    @inlinable
    public mutating func writeByte(_ byte: UInt8) {
        assert(cursor < end, "size pass under-counted")
        cursor.storeBytes(of: byte, as: UInt8.self)
        cursor += 1
    }

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        writeByte(UInt8(value))
    }

    @inlinable
    public mutating func writeVarint32(_ value: UInt32) {
        if value < 0x80 {
            writeByte(UInt8(value))
        } else {
            writeVarint(UInt64(value))
        }
    }

    /// Writes a tag given as its raw `fieldNumber << 3 | wireType` value.
    @inlinable
    public mutating func writeTag(_ raw: UInt32) { writeVarint32(raw) }

    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        assert(end - cursor >= 4, "size pass under-counted")
        cursor.storeBytes(of: value.littleEndian, as: UInt32.self)
        cursor += 4
    }

    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        assert(end - cursor >= 8, "size pass under-counted")
        cursor.storeBytes(of: value.littleEndian, as: UInt64.self)
        cursor += 8
    }

    @inlinable
    public mutating func writeRawBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        assert(end - cursor >= bytes.count, "size pass under-counted")
        cursor.copyMemory(from: base, byteCount: bytes.count)
        cursor += bytes.count
    }

    /// Writes a length prefix and the UTF-8 bytes of `string`.
    @inlinable
    public mutating func writeString(_ string: String) {
        // Native strings lend their bytes in place; `withUTF8` needs a `var` copy (a retain and a
        // release per string field).
        let lent: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            writeVarint(UInt64(utf8.count))
            writeRawBytes(UnsafeRawBufferPointer(utf8))
        }
        if lent != nil { return }
        var string = string
        string.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            writeRawBytes(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Writes a length prefix and `bytes`.
    @inlinable
    public mutating func writeBytes(_ bytes: [UInt8]) {
        writeVarint(UInt64(bytes.count))
        bytes.withUnsafeBytes { writeRawBytes($0) }
    }

    /// Writes a length prefix and the fields of `message`.
    @inlinable
    public mutating func writeMessage<M: ProtoMessage>(_ message: M) {
        writeVarint(UInt64(message.serializedSize()))
        message.encodeFields(to: &self)
    }

    /// Writes kept unknown fields verbatim.
    @inlinable
    public mutating func writeUnknownFields(_ fields: UnknownFields) {
        if fields.isEmpty { return }
        fields.bytes.withUnsafeBytes { writeRawBytes($0) }
    }
}
