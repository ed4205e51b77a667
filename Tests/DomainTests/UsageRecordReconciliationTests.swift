// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain
import Testing

@Suite("Usage record close")
struct UsageRecordReconciliationTests {
    static let time = Timestamp(secondsSinceEpoch: 1_767_225_600)

    static func record(_ status: UsageRecordStatus) -> UsageRecord {
        UsageRecord(
            fileID: "UF-2026-01-0000-0001", position: 3, recordID: "r-3", quantity: Decimal("1.25"), status: status)
    }

    @Test("approved → closed with the billing id, note and time")
    func closesApproved() throws {
        var record = Self.record(.approved)
        #expect(try record.close(externalBillingID: "INV-7", note: "January", at: Self.time))
        #expect(record.status == .closed)
        #expect(record.externalBillingID == "INV-7" && record.externalBillingNote == "January")
        #expect(record.closedAt == Self.time)
        #expect(record.quantity == Decimal("1.25"), "closing changed what was reported")
    }

    @Test("the same billing id again changes nothing, whatever the note; another id is ALREADY_EXISTS")
    func replayAndConflict() throws {
        var record = Self.record(.approved)
        _ = try record.close(externalBillingID: "INV-7", note: "January", at: Self.time)
        let closed = record
        #expect(try !record.close(externalBillingID: "INV-7", note: "other", at: Timestamp(secondsSinceEpoch: 9)))
        #expect(record == closed)

        let error = #expect(throws: DomainError.self) {
            _ = try record.close(externalBillingID: "INV-8", note: "", at: Self.time)
        }
        #expect(error?.kind == .alreadyExists)
        #expect(error?.message == "record r-3 of usage file UF-2026-01-0000-0001 is already closed with external_billing_id INV-7")
        #expect(error?.violations.map(\.field) == ["external_billing_id"])
        #expect(record == closed)
    }

    @Test("records not approved cannot be closed: FAILED_PRECONDITION naming the state", arguments: [
        UsageRecordStatus.valid, .invalid, .rejected,
    ])
    func otherStates(_ status: UsageRecordStatus) {
        var record = Self.record(status)
        let error = #expect(throws: DomainError.self) {
            _ = try record.close(externalBillingID: "INV-7", note: "", at: Self.time)
        }
        #expect(error?.kind == .failedPrecondition)
        #expect(error?.message == "record r-3 of usage file UF-2026-01-0000-0001 is \(status.rawValue); only approved records can be closed")
        #expect(record == Self.record(status))
    }
}
