// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

@Suite struct DomainErrorTests {
    @Test("unavailable and resourceExhausted carry their kind, a message for the caller and a cause for the log")
    func retryAndLimitConstructors() {
        let busy = DomainError.unavailable("the database is busy; try again later", cause: "database is locked")
        #expect(busy.kind == .unavailable)
        #expect(busy.message == "the database is busy; try again later")
        #expect(busy.cause == "database is locked")
        #expect(busy.violations == [])
        #expect(busy.description == "unavailable: the database is busy; try again later (database is locked)")

        let full = DomainError.resourceExhausted("the storage is full")
        #expect(full.kind == .resourceExhausted)
        #expect(full.message == "the storage is full")
        #expect(full.cause == nil)
        #expect(full.description == "resource exhausted: the storage is full")
        #expect(full == DomainError(kind: .resourceExhausted, message: "the storage is full"))
        #expect(full != DomainError.unavailable("the storage is full"))
    }
}
