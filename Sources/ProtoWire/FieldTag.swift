// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// A validated field tag: a field number in 1...2^29-1 and a wire type in 0...5.
///
/// The reader constructs tags only after checking both parts, so code that switches on `rawValue`
/// never has to test validity again.
public struct FieldTag: Sendable, Hashable {
    /// The tag as it appears on the wire: `fieldNumber << 3 | wireType`.
    public let rawValue: UInt32

    /// The largest field number the format allows.
    public static let maxFieldNumber = (1 << 29) - 1

    @inlinable
    init(uncheckedRawValue: UInt32) { self.rawValue = uncheckedRawValue }

    /// Builds a tag for encoding; returns nil for field number 0 or one above the maximum.
    public init?(fieldNumber: Int, wireFormat: WireFormat) {
        guard fieldNumber >= 1, fieldNumber <= FieldTag.maxFieldNumber else { return nil }
        self.rawValue = UInt32(fieldNumber) << 3 | UInt32(wireFormat.rawValue)
    }

    @inlinable public var fieldNumber: Int { Int(rawValue >> 3) }

    // Safe: the reader rejects wire types 6 and 7 before a tag exists.
    @inlinable public var wireFormat: WireFormat { WireFormat(rawValue: UInt8(rawValue & 7))! }
}
