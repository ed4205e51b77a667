// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Which events to read: one tenant's, after a position, optionally narrowed.
public struct EventFilter: Sendable, Hashable {
    /// The tenant whose audience the events are in (a vendor, distributor or reseller id).
    public var tenantID: String
    /// Only events after this position; 0 reads from the oldest.
    public var afterPosition: Int64
    /// Only these kinds of object; empty means every kind.
    public var objectTypes: [EventObjectType]
    /// Only this object's events.
    public var objectID: String?

    public init(
        tenantID: String, afterPosition: Int64 = 0, objectTypes: [EventObjectType] = [], objectID: String? = nil
    ) {
        self.tenantID = tenantID
        self.afterPosition = afterPosition
        self.objectTypes = objectTypes
        self.objectID = objectID
    }
}

/// The reads of the audit trail.
public protocol EventReader {
    /// At most `limit` of the filter's events, in position order.
    func events(_ filter: EventFilter, limit: Int) throws -> [Event]
    /// The position of the newest event of any tenant; 0 when there is none.
    func lastEventPosition() throws -> Int64
}

/// The writes of the audit trail, inside the caller's write transaction.
///
/// Any operation that changes an object's state appends its event in the same transaction as the
/// change, so the trail holds a change exactly when the change committed. Status histories of
/// contracts, listings, subscriptions and usage files are recorded by the store when they are
/// saved; other changes (items, products, record closes, billing marks, reconciliation files)
/// call `appendEvent` themselves.
public protocol EventWriter: EventReader {
    /// Appends one event and returns its position, the next in commit order.
    @discardableResult
    func appendEvent(_ draft: EventDraft) throws -> Int64
}
