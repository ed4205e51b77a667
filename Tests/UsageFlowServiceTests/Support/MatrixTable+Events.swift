// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import Storage

// The ListEvents and WatchEvents rows of the vendor, distributor and reseller of the authorization
// matrix. ListEvents narrows by one object's id, so it is a filter row: world B's object and a
// missing one give an empty page. WatchEvents names no object; its own cell reads the caller's
// whole backlog (up to the newest event the store holds for it, read just before the call) and
// then cancels, so world B's ids would show in the bytes if one of its events leaked.

extension MatrixRequestContext {
    /// The id under which world A files the calling principal's events.
    var eventTenantID: String {
        let own = world.refs(.own)
        switch principal {
        case .vendorFull, .vendorReadOnly: return own.vendor
        case .resellerTier1: return own.tier1Reseller
        case .resellerTier2: return own.tier2Reseller
        default: return own.distributor
        }
    }
}

extension MatrixRow {
    /// A WatchEvents row: reads the stream until the caller's newest event, then cancels it.
    static func makeWatch(_ method: MethodSchema) -> MatrixRow {
        MatrixRow(
            method: method, shape: .ownOnly("streams the caller's own events: it names no object"), overrides: [],
            isList: false
        ) { context in
            let tenantID = context.eventTenantID
            let newest = try await context.world.store.read { tx in
                try tx.events(EventFilter(tenantID: tenantID), limit: 100_000).last?.position
            }
            return MatrixCall { client, options in
                var options = options
                // A stream that never reaches the newest event fails the cell instead of hanging it.
                options.timeout = .seconds(20)
                let stream = try await client.serverStreaming(
                    method, request: Usageflow_V1_WatchEventsRequest(), options: options,
                    output: Usageflow_V1_Event.self)
                var bytes: [UInt8] = []
                for try await event in stream {
                    bytes += event.serializedBytes()
                    if event.position >= (newest ?? 0) {
                        stream.call.cancel()
                        break
                    }
                }
                return MatrixResponse(bytes: bytes, pageCount: nil)
            }
        }
    }
}

extension MatrixTable {
    private typealias Vendor = Usageflow_V1_VendorService
    private typealias Distributor = Usageflow_V1_DistributorService
    private typealias Reseller = Usageflow_V1_ResellerService

    private static func listEvents(objectID: String) -> Usageflow_V1_ListEventsRequest {
        var request = Usageflow_V1_ListEventsRequest()
        request.objectId = objectID
        return request
    }

    static let eventRows: [MatrixRow] = [
        .make(Vendor.ListEvents.schema, Usageflow_V1_ListEventsResponse.self, .filter, page: { $0.events.count }) {
            listEvents(objectID: $0.refs.activeContract)
        },
        .makeWatch(Vendor.WatchEvents.schema),
        .make(
            Distributor.ListEvents.schema, Usageflow_V1_ListEventsResponse.self, .filter, page: { $0.events.count }
        ) { listEvents(objectID: $0.refs.activeContract) },
        .makeWatch(Distributor.WatchEvents.schema),
        .make(Reseller.ListEvents.schema, Usageflow_V1_ListEventsResponse.self, .filter, page: { $0.events.count }) {
            listEvents(objectID: $0.byTier(\.tier1Subscription, \.tier2Subscription))
        },
        .makeWatch(Reseller.WatchEvents.schema),
    ]
}
