// SPDX-License-Identifier: Apache-2.0

/// An ordered HTTP/2 header list: pseudo-headers first, then regular fields, duplicates kept.
///
/// Order matters on the wire (pseudo-headers must lead) and gRPC preserves the order of duplicate
/// keys, so this is a list rather than a dictionary. Names are lowercase. Values that are not valid
/// UTF-8 (HTTP allows obs-text) are decoded with replacement characters; gRPC values are ASCII,
/// and binary metadata travels base64-encoded in `-bin` fields, so nothing gRPC needs is lost.
public struct HTTP2Headers: Hashable, Sendable {
    /// One header field.
    public struct Field: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// The field's size as SETTINGS_MAX_HEADER_LIST_SIZE counts it: name + value + 32 octets.
        public var listSize: Int { name.utf8.count + value.utf8.count + 32 }
    }

    /// The fields in wire order.
    public var fields: [Field]

    public init() { fields = [] }

    public init(_ fields: [Field]) { self.fields = fields }

    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    public mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    /// The first value for `name`, or nil.
    public subscript(name: String) -> String? {
        for field in fields where field.name == name { return field.value }
        return nil
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The list size as SETTINGS_MAX_HEADER_LIST_SIZE counts it.
    public var listSize: Int { fields.reduce(0) { $0 + $1.listSize } }
}

extension HTTP2Headers: RandomAccessCollection {
    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> Field { fields[position] }
}

extension HTTP2Headers: ExpressibleByDictionaryLiteral {
    /// Builds headers in literal order; repeated names are kept, unlike a `Dictionary`.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }
}

extension HTTP2Headers: CustomStringConvertible {
    public var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
