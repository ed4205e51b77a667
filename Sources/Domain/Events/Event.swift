// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One recorded change of state: which object, from which state to which, who did it, when and why.
///
/// `position` is global and increases in commit order, so a reader that continues after the last
/// position it saw never misses an event nor sees one twice; one party's positions have gaps,
/// where other parties' events lie.
public struct Event: Sendable, Hashable {
    public var position: Int64
    public var objectType: EventObjectType
    /// The object's id; for a usage record, `<file id>/<record id>`.
    public var objectID: String
    /// Lower-case state name before the change; "" for a creation.
    public var from: String
    public var to: String
    public var reason: String
    /// The account, key or service identity that made the change, or `system`.
    public var actor: String
    public var at: Timestamp

    public init(
        position: Int64, objectType: EventObjectType, objectID: String, from: String, to: String, reason: String,
        actor: String, at: Timestamp
    ) {
        self.position = position
        self.objectType = objectType
        self.objectID = objectID
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
        self.at = at
    }
}
