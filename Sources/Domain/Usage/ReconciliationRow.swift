// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// What became of one row of a reconciliation file: stored for every row applied, so the
/// distributor can list the failed ones after the upload call returned.
public struct ReconciliationRow: Sendable, Hashable {
    /// A row's result: the record closed now, already closed with this id, or why it was not.
    ///
    /// The failures are exactly a single close's refusals (`UsageReconciliationOperations
    /// .isRecordRefusal`), so a row answers what a `CloseRecord` of it would have. Raw values are
    /// stored.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case closed
        case unchanged
        case invalidArgument = "invalid_argument"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case failedPrecondition = "failed_precondition"

        /// The outcome of a row refused with `kind`; nil for a kind that is no row's refusal.
        public init?(refusal kind: DomainError.Kind) {
            switch kind {
            case .invalidArgument: self = .invalidArgument
            case .notFound: self = .notFound
            case .alreadyExists: self = .alreadyExists
            case .failedPrecondition: self = .failedPrecondition
            default: return nil
            }
        }

        public var succeeded: Bool { self == .closed || self == .unchanged }

        /// The error kind of a failure; nil for a success.
        public var errorKind: DomainError.Kind? {
            switch self {
            case .closed, .unchanged: nil
            case .invalidArgument: .invalidArgument
            case .notFound: .notFound
            case .alreadyExists: .alreadyExists
            case .failedPrecondition: .failedPrecondition
            }
        }
    }

    public var reconciliationID: String
    /// The row number in the sheet, or the CSV line the row starts on.
    public var position: Int
    public var recordID: String
    public var externalBillingID: String
    public var note: String
    public var outcome: Outcome
    /// Why the row failed; "" for a success.
    public var message: String

    public init(
        reconciliationID: String, position: Int, recordID: String, externalBillingID: String, note: String,
        outcome: Outcome, message: String = ""
    ) {
        self.reconciliationID = reconciliationID
        self.position = position
        self.recordID = recordID
        self.externalBillingID = externalBillingID
        self.note = note
        self.outcome = outcome
        self.message = message
    }

    /// The refusal as an error, as a single close would have thrown it; nil for a success.
    public var error: DomainError? {
        outcome.errorKind.map { DomainError(kind: $0, message: message) }
    }
}
