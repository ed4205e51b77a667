// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// One attribute of a start tag, with entities already decoded.
public struct XMLAttribute: Sendable, Hashable {
    /// The name as written, prefix included (`r:id`).
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The name without its namespace prefix (`id` for `r:id`).
    public var localName: Substring {
        guard let colon = name.utf8.lastIndex(of: UInt8(ascii: ":")) else { return Substring(name) }
        return name[name.index(after: colon)...]
    }
}
