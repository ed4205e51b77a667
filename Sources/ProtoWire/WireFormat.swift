// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// The six wire types of the protobuf binary format; 6 and 7 are invalid and never constructed.
///
/// The raw values are the low three bits of a field tag, so a tag is `fieldNumber << 3 | wireFormat`.
public enum WireFormat: UInt8, Sendable, Hashable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}
