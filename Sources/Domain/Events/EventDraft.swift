// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// An event to append inside a write transaction: everything but the position, which the store
/// gives out when the event is written, plus who may see it.
public struct EventDraft: Sendable, Hashable {
    public var objectType: EventObjectType
    public var objectID: String
    public var from: String
    public var to: String
    public var reason: String
    public var actor: String
    public var at: Timestamp
    /// The tenants that see the event; an empty audience records it for no one but the trail.
    public var audience: EventAudience

    public init(
        objectType: EventObjectType, objectID: String, from: String, to: String, reason: String = "",
        actor: String, at: Timestamp, audience: EventAudience
    ) {
        self.objectType = objectType
        self.objectID = objectID
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
        self.at = at
        self.audience = audience
    }

    /// The event of one entry of an object's status history.
    public init(
        _ change: StatusChange, objectType: EventObjectType, objectID: String, audience: EventAudience
    ) {
        self.init(
            objectType: objectType, objectID: objectID, from: change.from, to: change.to, reason: change.reason,
            actor: change.actor, at: change.at, audience: audience)
    }
}
