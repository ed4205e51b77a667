// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain

/// The audit trail for the in-memory stores of tests that do not look at events: appending keeps
/// nothing and reading finds nothing. Unlike the usage defaults, appending must succeed, because
/// the operations these stores serve append events as part of their writes; the trail itself is
/// tested over SQLite (`StorageTests/EventStoreTests.swift`).
extension EventWriter {
    func events(_ filter: EventFilter, limit: Int) throws -> [Event] { [] }
    func lastEventPosition() throws -> Int64 { 0 }
    @discardableResult
    func appendEvent(_ draft: EventDraft) throws -> Int64 { 0 }
}
