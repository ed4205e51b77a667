// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// What became of a reconciliation file's rows so far, kept on the reconciliation so a status
/// call never counts its rows.
public struct ReconciliationCounts: Sendable, Hashable {
    /// Rows applied (each is closed, unchanged or failed).
    public var rows: Int
    /// Records this file closed.
    public var closed: Int
    /// Records already closed with the row's billing id: a replay that changed nothing.
    public var unchanged: Int
    public var failed: Int

    public init(rows: Int = 0, closed: Int = 0, unchanged: Int = 0, failed: Int = 0) {
        self.rows = rows
        self.closed = closed
        self.unchanged = unchanged
        self.failed = failed
    }

    public static let zero = ReconciliationCounts()

    /// Counts one more row with this outcome.
    public mutating func add(_ outcome: ReconciliationRow.Outcome) {
        rows += 1
        switch outcome {
        case .closed: closed += 1
        case .unchanged: unchanged += 1
        default: failed += 1
        }
    }
}
