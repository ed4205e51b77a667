// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The audit trail as each tenant sees it: its history in pages, and the reads and waits a live
/// stream is made of.
///
/// A tenant sees the events whose audience names it (see `EventAudience`); the operator has none.
/// Requests are checked here once, so the list and the stream refuse the same bad input with the
/// same field violations.
public struct EventOperations: Sendable {
    /// A checked request: whose events, after which position, narrowed how, how many at a time.
    public struct Query: Sendable, Hashable {
        public var filter: EventFilter
        public var limit: Int
    }

    /// One read: the events found, and the newest position in the whole trail at that read.
    ///
    /// Why the head: a stream that found nothing waits for a commit after the head rather than
    /// after its own last event, so other tenants' commits wake it once, not in a loop.
    public struct Batch: Sendable, Hashable {
        public var events: [Event]
        public var head: Int64
    }

    /// How many events a stream reads and sends at a time: large enough to amortize a read, small
    /// enough that a slow client never makes the server hold more than one batch.
    public static let streamBatchSize = 256

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// Checks a request: a position ≥ 0, known object types, a page size of 0 (the default) to
    /// `Limits.maxPageSize`; every violation is reported at once.
    public static func query(
        _ tenant: Tenant, afterPosition: Int64, objectTypes: [String], objectID: String = "",
        pageSize: Int = streamBatchSize
    ) throws -> Query {
        guard let tenantID = EventAudience.tenantID(of: tenant) else {
            throw DomainError.permissionDenied("the operator has no events")
        }
        var validation = Validation()
        if afterPosition < 0 {
            validation.fail("after_position", "must be 0 or a position received before (got \(afterPosition))")
        }
        var types: [EventObjectType] = []
        for (index, name) in objectTypes.enumerated() {
            if let type = EventObjectType(rawValue: name) {
                if !types.contains(type) { types.append(type) }
            } else {
                let known = EventObjectType.allCases.map(\.rawValue).joined(separator: ", ")
                validation.fail("object_types[\(index)]", "unknown object type \"\(name)\"; known: \(known)")
            }
        }
        validation.text("object_id", objectID, maxLength: 2 * Limits.externalIDLength + 1)
        if pageSize < 0 || pageSize > Limits.maxPageSize {
            validation.fail("page_size", "must be 0 to \(Limits.maxPageSize) (got \(pageSize))")
        }
        try validation.check()
        let filter = EventFilter(
            tenantID: tenantID, afterPosition: afterPosition, objectTypes: types,
            objectID: objectID.isEmpty ? nil : objectID)
        return Query(filter: filter, limit: pageSize == 0 ? Limits.defaultPageSize : pageSize)
    }

    /// The query's events after `position` (the query's own when nil), at most its limit, and the
    /// trail's head, from one snapshot.
    public func read(_ query: Query, after position: Int64? = nil) async throws -> Batch {
        var filter = query.filter
        if let position { filter.afterPosition = position }
        return try await environment.store.read { [filter] tx in
            Batch(events: try tx.events(filter, limit: query.limit), head: try tx.lastEventPosition())
        }
    }

    /// Returns once an event after `position` may have committed; see `DataStore.waitForEvents`.
    public func waitForEvents(after position: Int64) async throws {
        try await environment.store.waitForEvents(after: position)
    }
}
