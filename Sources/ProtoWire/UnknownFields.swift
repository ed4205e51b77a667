// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// Fields a message did not recognise, kept as their raw bytes (tags included) in arrival order.
///
/// They are re-emitted after the known fields when the message is encoded, so a message passed
/// through code built from an older schema loses nothing.
public struct UnknownFields: Hashable, Sendable {
    /// The raw encoded fields.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public init(bytes: [UInt8]) { self.bytes = bytes }

    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    /// Appends already-encoded fields.
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// Appends one varint field; used for proto2 enum values the schema does not know.
    public mutating func appendVarint(fieldNumber: Int, value: UInt64) {
        var scratch = [UInt8](repeating: 0, count: 20)
        let count = scratch.withUnsafeMutableBytes { buffer -> Int in
            var writer = WireWriter(buffer: buffer)
            writer.writeVarint(UInt64(fieldNumber << 3))
            writer.writeVarint(value)
            return writer.bytesWritten
        }
        bytes.append(contentsOf: scratch[0..<count])
    }

    /// Removes every kept field.
    public mutating func removeAll() { bytes.removeAll() }
}
