// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A category of a usage file (the optional `categories` sheet) that records may name in
/// `category_id`; categories belong to the file and are replaced with its records.
public struct UsageCategory: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String

    public init(id: String, name: String, description: String) {
        self.id = id
        self.name = name
        self.description = description
    }
}
