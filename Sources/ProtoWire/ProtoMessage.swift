// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// A protobuf message: a value type that decodes from and encodes to the binary wire format.
///
/// Generated code implements the three field-level requirements; everything a caller uses —
/// decoding from bytes, merging, encoding to bytes — is built on them here.
public protocol ProtoMessage: Sendable, Hashable {
    /// A message with every field at its default.
    init()

    /// The fully-qualified protobuf name, such as `grpc.health.v1.HealthCheckRequest`.
    static var protoMessageName: String { get }

    /// Fields this message's schema does not define, kept to be re-emitted.
    var unknownFields: UnknownFields { get set }

    /// Reads fields until the end of the current message (or group) and merges them into `self`.
    mutating func decodeFields(from reader: inout WireReader) throws(WireError)

    /// The exact number of bytes `encodeFields(to:)` writes.
    func serializedSize() -> Int

    /// Writes every present field in field-number order, then the unknown fields.
    func encodeFields(to writer: inout WireWriter)
}

extension ProtoMessage {
    /// Decodes a message from its binary encoding.
    @inlinable
    public init(serializedBytes bytes: [UInt8], depthLimit: Int = WireReader.defaultDepthLimit) throws(WireError) {
        self.init()
        try merge(serializedBytes: bytes, depthLimit: depthLimit)
    }

    /// Decodes a message from raw bytes that stay valid for the duration of the call.
    @inlinable
    public init(
        serializedBytes bytes: UnsafeRawBufferPointer,
        depthLimit: Int = WireReader.defaultDepthLimit
    ) throws(WireError) {
        self.init()
        try merge(serializedBytes: bytes, depthLimit: depthLimit)
    }

    /// Decodes a message from a slice of a larger buffer, without copying the slice.
    @inlinable
    public init(serializedBytes bytes: ArraySlice<UInt8>, depthLimit: Int = WireReader.defaultDepthLimit) throws(WireError) {
        self.init()
        var failure: WireError?
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { try merge(serializedBytes: raw, depthLimit: depthLimit) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Merges the fields encoded in `bytes` into this message, as protobuf's MergeFrom does.
    @inlinable
    public mutating func merge(serializedBytes bytes: [UInt8], depthLimit: Int = WireReader.defaultDepthLimit) throws(WireError) {
        var failure: WireError?
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { try merge(serializedBytes: raw, depthLimit: depthLimit) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Merges the fields encoded in `bytes` into this message.
    @inlinable
    public mutating func merge(
        serializedBytes bytes: UnsafeRawBufferPointer,
        depthLimit: Int = WireReader.defaultDepthLimit
    ) throws(WireError) {
        var reader = WireReader(bytes: bytes, depthLimit: depthLimit)
        try decodeFields(from: &reader)
    }

    /// Encodes the message: one size pass, one allocation of exactly that size, one write pass.
    @inlinable
    public func serializedBytes() -> [UInt8] {
        let size = serializedSize()
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = WireWriter(buffer: UnsafeMutableRawBufferPointer(buffer))
            encodeFields(to: &writer)
            precondition(writer.bytesWritten == size, "\(Self.protoMessageName): size pass and write pass disagree")
            initialized = size
        }
    }

    /// Appends the encoding to `buffer`, for framing a message behind a prefix without a second copy.
    @inlinable
    public func appendSerializedBytes(to buffer: inout [UInt8]) {
        let size = serializedSize()
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: size))
        buffer.withUnsafeMutableBytes { raw in
            var writer = WireWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: raw[oldCount...]))
            encodeFields(to: &writer)
            precondition(writer.bytesWritten == size, "\(Self.protoMessageName): size pass and write pass disagree")
        }
    }
}

/// A protobuf enum: an `Int32` that keeps values the schema does not name (open enums).
///
/// Generated enums are structs with one static member per named value, so an unknown value read
/// from the wire survives a round trip unchanged.
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable, CustomStringConvertible where RawValue == Int32 {
    init(rawValue: Int32)

    /// Whether the schema names `rawValue`; proto2 (closed) enums keep other values as unknown fields.
    static func isKnown(_ rawValue: Int32) -> Bool
}
