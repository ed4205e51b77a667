// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import Contracts

/// The health service's state: the serving status per service and the open Watch streams.
///
/// Transitions notify watchers themselves, and the caller holds the service's lock while they run.
/// That breaks our usual "compute under the lock, act outside" rule on purpose: two `setStatus`
/// calls racing outside the lock could reach a watcher in the opposite order and leave it on a
/// stale status. Notifying is safe under the lock because `yield` and `finish` never block and
/// call nothing back (no `onTermination` handlers are installed).
struct HealthTable {
    typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus
    typealias Watcher = AsyncStream<ServingStatus>.Continuation

    private var statuses: [String: ServingStatus]
    private var watchers: [String: [Int: Watcher]] = [:]
    private var nextWatcherID = 0
    /// Set by `shutDown()`: every status is NOT_SERVING for good and Watch streams end at once.
    private(set) var isShutDown = false

    init(statuses: [String: ServingStatus]) {
        self.statuses = statuses
    }

    /// The recorded status, or nil for a service never set.
    func status(for service: String) -> ServingStatus? {
        statuses[service]
    }

    /// Records `status` and tells the service's watchers if it changed; ignored after shutdown,
    /// so nothing flips back to SERVING while the server drains.
    mutating func setStatus(_ status: ServingStatus, for service: String) {
        guard !isShutDown, statuses[service] != status else { return }
        statuses[service] = status
        for watcher in watchers[service, default: [:]].values {
            watcher.yield(status)
        }
    }

    /// Sends the current status (SERVICE_UNKNOWN if none) to a new watcher and keeps it for later
    /// changes; returns its id for `removeWatcher`, or nil after shutdown, when the watcher gets
    /// the final status and is finished at once.
    mutating func addWatcher(_ watcher: Watcher, for service: String) -> Int? {
        watcher.yield(statuses[service] ?? .serviceUnknown)
        if isShutDown {
            watcher.finish()
            return nil
        }
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[service, default: [:]][id] = watcher
        return id
    }

    mutating func removeWatcher(_ id: Int, for service: String) {
        watchers[service]?[id] = nil
        if watchers[service]?.isEmpty == true { watchers[service] = nil }
    }

    /// Marks every known service NOT_SERVING, tells each watcher, and ends every Watch stream.
    ///
    /// Ending the streams is what lets a graceful shutdown drain: a Watch never ends on its own,
    /// so without this each open one would hold the server until the grace period runs out.
    /// Watchers of services never set were already told SERVICE_UNKNOWN, which stays true.
    mutating func shutDown() {
        isShutDown = true
        for service in statuses.keys {
            statuses[service] = .notServing
        }
        for (service, serviceWatchers) in watchers {
            for watcher in serviceWatchers.values {
                if statuses[service] != nil { watcher.yield(.notServing) }
                watcher.finish()
            }
        }
        watchers = [:]
    }

    /// How many Watch streams are open, for tests.
    var watcherCount: Int { watchers.values.reduce(0) { $0 + $1.count } }
}
