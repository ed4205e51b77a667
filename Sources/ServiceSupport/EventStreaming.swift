// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import RPCCore
import WellKnownTypes

/// `ListEvents` and `WatchEvents`, the same for every role's service: each service passes its
/// caller's tenant, and the audience rules decide what that tenant sees.
///
/// The stream sends what is recorded after the client's position one batch at a time, each
/// written with the transport's flow control before the next is read, so a slow client holds the
/// server to one batch (`EventOperations.streamBatchSize`) however far behind it is. When it has
/// caught up it waits for the next commit that appends events (no timer, no polling) and reads
/// again. It ends when the client cancels or its deadline passes: both cancel the handler's task,
/// which ends the wait or the write it is in.
public struct EventStreaming: Sendable {
    public let operations: EventOperations

    public init(environment: DomainEnvironment) {
        self.operations = EventOperations(environment: environment)
    }

    public func list(_ request: Usageflow_V1_ListEventsRequest, tenant: Tenant) async throws
        -> Usageflow_V1_ListEventsResponse
    {
        let query = try EventOperations.query(
            tenant, afterPosition: request.afterPosition, objectTypes: request.objectTypes,
            objectID: request.objectId, pageSize: Int(request.pageSize))
        let batch = try await operations.read(query)
        var response = Usageflow_V1_ListEventsResponse()
        response.events = batch.events.map(Usageflow_V1_Event.init)
        response.lastPosition = batch.events.last?.position ?? request.afterPosition
        return response
    }

    public func watch(
        _ request: Usageflow_V1_WatchEventsRequest, tenant: Tenant, response: ResponseWriter<Usageflow_V1_Event>
    ) async throws {
        let query = try EventOperations.query(
            tenant, afterPosition: request.afterPosition, objectTypes: request.objectTypes,
            pageSize: EventOperations.streamBatchSize)
        var position = request.afterPosition
        while true {
            try Task.checkCancellation()
            let batch = try await operations.read(query, after: position)
            for event in batch.events {
                try await response.write(Usageflow_V1_Event(event))
            }
            if batch.events.count < query.limit {
                // Caught up: the batch held every event of ours up to the head of the same
                // snapshot, so the next one can only come from a later commit. Continuing from
                // the head also skips the other tenants' events (and, with a type filter, our
                // other types) up to it, instead of scanning them again after every commit.
                position = max(batch.events.last?.position ?? position, batch.head)
                try await operations.waitForEvents(after: position)
            } else if let last = batch.events.last {
                position = last.position
            }
        }
    }
}

extension Usageflow_V1_Event {
    /// The wire form of a recorded event.
    public init(_ event: Event) {
        self.init()
        position = event.position
        objectType = event.objectType.rawValue
        objectId = event.objectID
        from = event.from
        to = event.to
        reason = event.reason
        self.actor = event.actor
        at = Google_Protobuf_Timestamp(event.at)
    }
}
