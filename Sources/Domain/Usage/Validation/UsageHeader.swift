// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The header row of an upload: where each known column is, and which columns are parameters.
///
/// Columns are matched by name, never by position, as Connect's template requires: a vendor may
/// reorder them or add their own. Built once per upload, it lets the validator read a row with an
/// array index per column instead of a name lookup per cell.
public struct UsageHeader: Sendable, Hashable {
    /// The header as uploaded (trimmed), in order: the processed file repeats it.
    public let columns: [String]
    /// The index of each known column present, by `UsageColumn` declaration order.
    private let indexes: [Int?]
    /// The parameter columns: every named column that is not a known one, in header order.
    public let parameterColumns: [(index: Int, name: String)]

    /// Reads a header row.
    ///
    /// Throws `invalidArgument` naming the problem when a column that every upload needs (or that
    /// `schema` needs: `amount` for PR, CR and TR, `tier` for TR) is missing, or when two columns
    /// have the same name (case-insensitively), since a value could then be read from either.
    /// Columns with an empty name are ignored: spreadsheets often carry empty header cells.
    public init(columns: [String], schema: PPUSchema? = nil) throws(DomainError) {
        let trimmed = columns.map(UsageCell.trim)
        var indexes = [Int?](repeating: nil, count: UsageColumn.allCases.count)
        var parameters: [(index: Int, name: String)] = []
        var seen: [String: Int] = [:]
        var duplicates: [String] = []
        for (index, name) in trimmed.enumerated() where !name.isEmpty {
            let key = name.lowercased()
            if seen[key] != nil {
                if !duplicates.contains(name) { duplicates.append(name) }
                continue
            }
            seen[key] = index
            if let column = UsageColumn(header: name) {
                indexes[column.ordinal] = index
            } else {
                parameters.append((index, name))
            }
        }
        var validation = Validation()
        for name in duplicates {
            validation.fail("columns", "the column \(String(reflecting: name)) appears more than once")
        }
        let missing = UsageColumn.required(for: schema).filter { indexes[$0.ordinal] == nil }
        if !missing.isEmpty {
            let names = missing.map(\.name).joined(separator: ", ")
            let reason = schema.map { " for the \($0.rawValue.uppercased()) schema" } ?? ""
            validation.fail(
                "columns",
                "the required column\(missing.count == 1 ? "" : "s") \(names) \(missing.count == 1 ? "is" : "are") "
                    + "missing\(reason)")
        }
        try validation.check()
        self.columns = trimmed
        self.indexes = indexes
        self.parameterColumns = parameters
    }

    /// The index of `column` in the row, or nil when the upload has no such column.
    public func index(of column: UsageColumn) -> Int? {
        indexes[column.ordinal]
    }

    /// Whether the upload has `column`.
    public func contains(_ column: UsageColumn) -> Bool {
        indexes[column.ordinal] != nil
    }

    /// The cell of `column` in `row`, `.empty` when the column is absent.
    public func cell(_ column: UsageColumn, in row: UsageRow) -> UsageCell {
        guard let index = indexes[column.ordinal] else { return .empty }
        return row[index]
    }

    public static func == (lhs: UsageHeader, rhs: UsageHeader) -> Bool {
        lhs.columns == rhs.columns
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(columns)
    }
}

extension UsageColumn {
    /// The column's place in `allCases`, for array-indexed lookups without hashing a name per cell.
    fileprivate var ordinal: Int {
        switch self {
        case .recordID: 0
        case .recordNote: 1
        case .itemSearchCriteria: 2
        case .itemSearchValue: 3
        case .quantity: 4
        case .amount: 5
        case .tier: 6
        case .startTime: 7
        case .endTime: 8
        case .assetSearchCriteria: 9
        case .assetSearchValue: 10
        case .categoryID: 11
        case .assetReconID: 12
        case .itemName: 13
        case .itemMPN: 14
        case .itemUnit: 15
        case .itemPrecision: 16
        }
    }
}
