// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A record's row as uploaded: its values as text, aligned with the file's columns.
///
/// Validation keeps the row's cells rather than their text: a time cell becomes text only when the
/// values are read or stored, and a store can write the text of each cell straight into its own
/// encoding (`forEachUTF8`) without a string per value. Read back from a store, the values are
/// plain strings. Equality and hashing go by the text either way.
public struct UsageRawValues: Sendable, Hashable {
    private enum Form: Sendable {
        case strings([String])
        /// The row's cells, padded with empty cells (or cut) to `count` values.
        case cells([UsageCell], count: Int)
    }

    private var form: Form

    public init(_ values: [String] = []) {
        form = .strings(values)
    }

    /// The first `count` cells of a row (empty past its end), as `UsageRow[_:]` reads them.
    public init(cells: [UsageCell], count: Int) {
        form = .cells(cells, count: count)
    }

    /// The values as text.
    public var values: [String] {
        switch form {
        case .strings(let values):
            return values
        case .cells(let cells, let count):
            return (0..<count).map { $0 < cells.count ? cells[$0].text : "" }
        }
    }

    public var count: Int {
        switch form {
        case .strings(let values): values.count
        case .cells(_, let count): count
        }
    }

    /// Passes each value's UTF-8 to `body`, in order, without making a string of a cell.
    public func forEachUTF8(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        switch form {
        case .strings(let values):
            for value in values { try UsageCell.withUTF8(of: value, body) }
        case .cells(let cells, let count):
            for index in 0..<count {
                if index < cells.count {
                    try cells[index].withTextUTF8(body)
                } else {
                    try body(UnsafeRawBufferPointer(start: nil, count: 0))
                }
            }
        }
    }

    public static func == (left: UsageRawValues, right: UsageRawValues) -> Bool {
        left.values == right.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(values)
    }
}
