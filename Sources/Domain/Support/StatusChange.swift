// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One committed change of an object's status: who, when, from what to what, and why.
public struct StatusChange: Sendable, Hashable {
    /// The status before, as its lower-case name; "" for creation.
    public var from: String
    public var to: String
    public var at: Timestamp
    /// `operator`, an account id, or `system`.
    public var actor: String
    public var reason: String

    public init(from: String, to: String, at: Timestamp, actor: String, reason: String = "") {
        self.from = from
        self.to = to
        self.at = at
        self.actor = actor
        self.reason = reason
    }
}
