// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The data rows of a reconciliation file, in order, read on demand from something already on
/// hand (a spooled upload), so a file of any size is never held in memory.
public protocol ReconciliationEntrySource {
    /// The next row, or nil after the last.
    ///
    /// Throws `DomainError` `.invalidArgument` when the file cannot be read on (a truncated
    /// archive, a broken quote); its message becomes the reconciliation's error detail.
    mutating func next() throws -> ReconciliationEntry?
}

/// Rows already in memory: for small files and tests.
public struct ReconciliationEntryList: ReconciliationEntrySource, Sendable {
    private var entries: [ReconciliationEntry]
    private var index = 0

    public init(_ entries: [ReconciliationEntry]) {
        self.entries = entries
    }

    public mutating func next() throws -> ReconciliationEntry? {
        guard index < entries.count else { return nil }
        defer { index += 1 }
        return entries[index]
    }
}
