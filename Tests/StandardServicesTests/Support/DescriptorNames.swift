// SPDX-License-Identifier: Apache-2.0
// UsageFlow — test support for StandardServicesTests

import ProtoWire

/// Reads the `name` (field 1) of a serialized `FileDescriptorProto`, so tests can check that
/// reflection returned real descriptors without depending on the descriptor compiler.
enum DescriptorNames {
    static func fileName(of descriptor: [UInt8]) throws -> String {
        try descriptor.withUnsafeBytes { bytes throws(WireError) -> String in
            var reader = WireReader(bytes: bytes)
            var name = ""
            while let tag = try reader.nextTag() {
                if tag.rawValue == 0x0A { name = try reader.readString() } else { try reader.skipValue(tag) }
            }
            return name
        }
    }

    static func fileNames(of descriptors: [[UInt8]]) throws -> [String] {
        try descriptors.map(fileName(of:))
    }
}
