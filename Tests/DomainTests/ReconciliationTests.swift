// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain
import Testing

/// A reconciliation file's status machine, counts and row outcomes, without a store.
@Suite("Reconciliation")
struct ReconciliationTests {
    static let start = Timestamp(secondsSinceEpoch: 1_000)
    static let end = Timestamp(secondsSinceEpoch: 2_000)

    static func processing(_ counts: ReconciliationCounts = .zero) -> Reconciliation {
        Reconciliation(
            id: "RC-1234-5678-9012", distributorID: "PA-123-456", fileID: "UF-2026-01-1234-5678", format: .csv,
            counts: counts, actor: "PA-123-456", createdAt: start)
    }

    @Test("completing gives completed without failed rows and completed_with_errors with any")
    func complete() throws {
        var clean = Self.processing(ReconciliationCounts(rows: 2, closed: 1, unchanged: 1))
        try clean.complete(at: Self.end)
        #expect(clean.status == .completed && clean.completedAt == Self.end && clean.errorDetail.isEmpty)

        var mixed = Self.processing(ReconciliationCounts(rows: 2, closed: 1, failed: 1))
        try mixed.complete(at: Self.end)
        #expect(mixed.status == .completedWithErrors)
    }

    @Test("invalid only before any row applied; failed keeps the rows applied")
    func invalidAndFailed() throws {
        var unread = Self.processing()
        try unread.markInvalid("no record_id column", at: Self.end)
        #expect(unread.status == .invalid && unread.errorDetail == "no record_id column")

        var applied = Self.processing(ReconciliationCounts(rows: 3, closed: 3))
        #expect(throws: DomainError.self) { try applied.markInvalid("late", at: Self.end) }
        try applied.fail("stopped", at: Self.end)
        #expect(applied.status == .failed && applied.counts.rows == 3 && applied.completedAt == Self.end)
    }

    @Test("a final reconciliation moves no more", arguments: [ReconciliationStatus.completed, .invalid, .failed])
    func finalStates(status: ReconciliationStatus) {
        var reconciliation = Self.processing()
        reconciliation.status = status
        #expect(status.isFinal)
        #expect(throws: DomainError.self) { try reconciliation.complete(at: Self.end) }
        #expect(throws: DomainError.self) { try reconciliation.fail("again", at: Self.end) }
        #expect(throws: DomainError.self) { try reconciliation.markInvalid("again", at: Self.end) }
        #expect(reconciliation.status == status, "a refused transition changed the status")
    }

    @Test("counts follow outcomes: closed, unchanged, and every failure as failed")
    func counts() {
        var counts = ReconciliationCounts()
        for outcome in ReconciliationRow.Outcome.allCases { counts.add(outcome) }
        #expect(counts == ReconciliationCounts(rows: 6, closed: 1, unchanged: 1, failed: 4))
    }

    @Test(
        "a row's refusal is the error a single close would throw",
        arguments: [DomainError.Kind.invalidArgument, .notFound, .alreadyExists, .failedPrecondition])
    func refusals(kind: DomainError.Kind) throws {
        let outcome = try #require(ReconciliationRow.Outcome(refusal: kind))
        #expect(!outcome.succeeded)
        let row = ReconciliationRow(
            reconciliationID: "RC-1234-5678-9012", position: 4, recordID: "r", externalBillingID: "B", note: "",
            outcome: outcome, message: "why")
        #expect(row.error == DomainError(kind: kind, message: "why"))
    }

    @Test("storage and other failures are no row's refusal; successes carry no error")
    func notRefusals() {
        #expect(ReconciliationRow.Outcome(refusal: .internalFailure) == nil)
        #expect(ReconciliationRow.Outcome(refusal: .unavailable) == nil)
        #expect(ReconciliationRow.Outcome(refusal: .permissionDenied) == nil)
        let row = ReconciliationRow(
            reconciliationID: "RC-1234-5678-9012", position: 2, recordID: "r", externalBillingID: "B", note: "",
            outcome: .unchanged)
        #expect(row.error == nil && row.outcome.succeeded)
    }

    @Test("reconciliation ids are RC-dddd-dddd-dddd")
    func identifiers() {
        #expect(IdentifierKind.reconciliation.matches("RC-1234-5678-9012"))
        #expect(!IdentifierKind.reconciliation.matches("RC-1234-5678"))
        #expect(!IdentifierKind.reconciliation.matches("rc-1234-5678-9012"))
    }
}
