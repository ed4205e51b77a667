// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reads the optional `categories` sheet of an upload: `category_id`, `category_name`,
/// `category_description`, matched by header name like the records sheet.
///
/// Categories are few and belong to the whole file, so a problem with one is a file-level error
/// (`invalidArgument` naming the row and column), not a record error: records that name a category
/// can only be checked once the categories are known. Read the sheet before the records and pass
/// `categoryIDs` to `UsageRecordValidator`.
public struct UsageCategorySheet: Sendable {
    /// The most categories a file may define: far more than any real file needs, few enough that
    /// the set of ids stays small.
    public static let maximumCategories = 10_000

    private let idIndex: Int
    private let nameIndex: Int?
    private let descriptionIndex: Int?
    /// The ids read so far.
    public private(set) var categoryIDs: Set<String> = []

    /// Reads the sheet's header row: `category_id` is required, the other two are optional; other
    /// columns are ignored. Throws `invalidArgument` for a missing `category_id` or a repeated column.
    public init(columns: [String]) throws(DomainError) {
        var indexes: [String: Int] = [:]
        for (index, column) in columns.enumerated() {
            let key = UsageCell.trim(column).lowercased()
            guard !key.isEmpty else { continue }
            guard indexes[key] == nil else {
                throw DomainError.invalid(
                    field: "categories", "the categories sheet has the column \(String(reflecting: key)) more than once"
                )
            }
            indexes[key] = index
        }
        guard let idIndex = indexes["category_id"] else {
            throw DomainError.invalid(field: "categories", "the categories sheet has no category_id column")
        }
        self.idIndex = idIndex
        self.nameIndex = indexes["category_name"]
        self.descriptionIndex = indexes["category_description"]
    }

    /// Reads one row: the category, or nil for a blank row.
    ///
    /// The name defaults to the id. Throws `invalidArgument` for an empty or repeated id, a value
    /// over 255 characters, or more than `maximumCategories` categories.
    public mutating func read(_ row: UsageRow) throws(DomainError) -> UsageCategory? {
        guard !row.isBlank else { return nil }
        let place = "categories row \(row.position)"
        guard let id = row[idIndex].trimmedText else {
            throw DomainError.invalid(field: "categories", "\(place): category_id is empty")
        }
        let name = nameIndex.flatMap { row[$0].trimmedText } ?? id
        let description = descriptionIndex.flatMap { row[$0].trimmedText } ?? ""
        for (column, value) in [("category_id", id), ("category_name", name), ("category_description", description)]
        where value.count > Limits.nameLength {
            throw DomainError.invalid(
                field: "categories",
                "\(place): \(column) has \(value.count) characters; at most \(Limits.nameLength) are accepted")
        }
        guard !categoryIDs.contains(id) else {
            throw DomainError.invalid(
                field: "categories", "\(place): category_id \(UsageRecordValidator.quoted(id)) appears more than once")
        }
        guard categoryIDs.count < Self.maximumCategories else {
            throw DomainError.invalid(
                field: "categories", "the categories sheet has more than \(Self.maximumCategories) categories")
        }
        categoryIDs.insert(id)
        return UsageCategory(id: id, name: name, description: description)
    }
}
