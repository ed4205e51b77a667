// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One reason a usage record is invalid.
///
/// A record carries every error it has, not only the first, so a vendor fixes a file in one pass.
public struct UsageRecordError: Sendable, Hashable {
    /// Stable, machine-readable: a snake_case or dotted code such as `quantity.precision`; clients
    /// match on it, so a released code never changes meaning.
    public var code: String
    /// The input column the error is about, when there is one.
    public var column: String?
    /// For people: names the column and the value.
    public var message: String

    public init(code: String, column: String?, message: String) {
        self.code = code
        self.column = column
        self.message = message
    }
}
