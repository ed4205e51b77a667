// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Where an uploaded reconciliation file is.
///
/// ```
/// processing → completed | completed_with_errors     (every row applied)
/// processing → failed                                (the server stopped part way; a restart says so)
/// invalid                                            (unreadable: no row applied)
/// ```
public enum ReconciliationStatus: String, Sendable, Hashable, CaseIterable {
    /// Its rows are being applied.
    case processing
    /// Every row closed its record, now or before.
    case completed
    /// Some rows failed; the others closed their records.
    case completedWithErrors = "completed_with_errors"
    /// The file could not be read, or broke a limit: no row was applied.
    case invalid
    /// The server stopped while applying it: the rows stored were applied, the rest were not.
    case failed

    /// Whether no row will be applied any more.
    public var isFinal: Bool { self != .processing }
}
