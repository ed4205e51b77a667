// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// Call metadata: an ordered multimap of lower-case keys to ASCII or binary values.
///
/// Keys ending in `-bin` carry binary values, base64-encoded on the wire; every other value must
/// be printable ASCII. Order is kept because gRPC preserves the order of values for a key.
public struct Metadata: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public enum EntryValue: Sendable, Hashable {
        case string(String)
        case binary([UInt8])
    }

    public struct Entry: Sendable, Hashable {
        public let key: String
        public let value: EntryValue
    }

    public private(set) var entries: [Entry] = []

    public typealias Key = String
    public typealias Value = String

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { add(key, value) }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    /// Adds an ASCII value; the key is lower-cased.
    public mutating func add(_ key: String, _ value: String) {
        entries.append(Entry(key: key.lowercased(), value: .string(value)))
    }

    /// Adds a binary value; the key must end in `-bin`.
    public mutating func add(_ key: String, binary value: [UInt8]) {
        entries.append(Entry(key: key.lowercased(), value: .binary(value)))
    }

    public mutating func removeAll(_ key: String) {
        let key = key.lowercased()
        entries.removeAll { $0.key == key }
    }

    /// The first ASCII value for `key`.
    public subscript(key: String) -> String? {
        let key = key.lowercased()
        for entry in entries where entry.key == key {
            if case .string(let value) = entry.value { return value }
        }
        return nil
    }

    /// Every binary value for `key`.
    public func binaryValues(_ key: String) -> [[UInt8]] {
        let key = key.lowercased()
        return entries.compactMap { entry in
            guard entry.key == key, case .binary(let value) = entry.value else { return nil }
            return value
        }
    }

    /// Whether `key` is a legal metadata key: `[0-9a-z_.-]+`, not starting with `:` and not one of
    /// the headers the transport owns.
    public static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty else { return false }
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                return false
            }
        }
        return !reservedKeys.contains(key) && !key.hasPrefix("grpc-")
    }

    /// Whether `value` is legal as an ASCII metadata value: printable ASCII, with spaces allowed
    /// inside but not at either end (HTTP/2 forbids edge whitespace in header values).
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } && value.utf8.first != 0x20 && value.utf8.last != 0x20
    }

    /// Headers the HTTP/2 transport writes itself; applications cannot set them.
    public static let reservedKeys: Set<String> = [
        "content-type", "te", "user-agent", "content-length", "connection", "host", "transfer-encoding",
        "upgrade", "keep-alive", "proxy-connection",
    ]
}
