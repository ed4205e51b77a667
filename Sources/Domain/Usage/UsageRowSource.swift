// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The data rows of one upload, in order, read on demand: a record stream, a CSV file or the
/// `records` sheet of a workbook.
///
/// Processing pulls rows one at a time inside the write transaction that stores them, so an
/// upload of any size is never held in memory. A source reads from something already on hand
/// (a spooled file), never from the network: the transaction holds the store's only writer.
public protocol UsageRowSource {
    /// The next row, or nil after the last.
    ///
    /// Throws `DomainError` `.invalidArgument` when the input cannot be read on (a truncated
    /// archive, a broken quote): its message becomes the file's error detail and the file
    /// `invalid`. Any other error abandons the upload and the file keeps its previous records.
    mutating func next() throws -> UsageRow?
}

/// Rows already in memory: for small uploads and tests.
public struct UsageRowList: UsageRowSource, Sendable {
    private var rows: [UsageRow]
    private var index = 0

    public init(_ rows: [UsageRow]) {
        self.rows = rows
    }

    public mutating func next() throws -> UsageRow? {
        guard index < rows.count else { return nil }
        defer { index += 1 }
        return rows[index]
    }
}
