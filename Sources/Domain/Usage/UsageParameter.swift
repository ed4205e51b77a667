// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A column of a usage file that is not a known record column, kept on each record as a name and
/// the row's value, in the order of the columns.
public struct UsageParameter: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
