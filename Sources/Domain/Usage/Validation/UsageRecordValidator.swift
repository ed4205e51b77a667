// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Turns the rows of one upload into usage records, each with every error it has (SPEC §3.2).
///
/// One validator serves one upload of one file, whatever the input (record stream, CSV, XLSX):
/// the caller feeds it rows in order inside the write transaction and stores what it returns.
/// It never stops at a row's first error, so the vendor can fix a whole file in one pass; it
/// throws only when the store fails. Its memory does not grow with the file beyond the record ids
/// seen so far (kept compactly for within-file uniqueness) and two bounded lookup memos.
///
/// Decisions beyond the specification's words:
/// - Text cells are trimmed before use; number cells of a spreadsheet may use an exponent
///   (`1E-3`, as Excel writes small values) and are expanded exactly, while text must be a plain
///   decimal, so `"1e400"` typed as text is `exponent_not_allowed`.
/// - `-0` is refused as `negative_zero` for quantity and amount (see `UsageErrorCode`).
/// - A duplicate `record_id` invalidates the later row only; its message names the first row.
/// - `tier` is read only for TR files and `amount` is ignored for QT files.
/// - A period ends at `to` 23:59:59 and includes that whole second.
/// - A dynamic item is created only from a row that is otherwise valid and searches by
///   `item.mpn`, so an invalid file never leaves items behind; until then the row's quantity is
///   checked against its `item_precision`.
public struct UsageRecordValidator {
    /// The longest `record_id`, parameter value, or `item_*` value accepted, in characters.
    public static let maximumTextLength = Limits.externalIDLength
    /// The longest `record_note` accepted, in characters.
    public static let maximumNoteLength = Limits.descriptionLength
    /// How many distinct items and subscriptions the validator remembers between rows.
    static let lookupMemoCapacity = 4096

    let file: UsageFile
    let product: Product
    let header: UsageHeader
    let categoryIDs: Set<String>
    let lookup: any UsageLookup
    /// The file's period as instants: records may lie in `[periodStart, periodEnd]`.
    let periodStart: Timestamp
    let periodEnd: Timestamp
    private var recordIDs = RecordIDSet()
    var items = LookupCache<ItemKey, ItemFacts?>(capacity: lookupMemoCapacity)
    var subscriptions = LookupCache<SubscriptionKey, SubscriptionMatch>(capacity: lookupMemoCapacity)
    /// The previous row's answers: consecutive rows usually repeat them, and comparing a key is
    /// cheaper than hashing it.
    var lastItem: (key: ItemKey, item: ItemFacts?)?
    var lastSubscription: (key: SubscriptionKey, match: SubscriptionMatch)?

    /// A validator for one upload of `file`, a file of `product`, whose header is `header`.
    ///
    /// `categoryIDs` are the ids of the upload's categories (its `categories` sheet); `lookup`
    /// reads and writes the store inside the upload's transaction.
    public init(
        file: UsageFile, product: Product, header: UsageHeader, categoryIDs: Set<String>, lookup: any UsageLookup
    ) {
        self.file = file
        self.product = product
        self.header = header
        self.categoryIDs = categoryIDs
        self.lookup = lookup
        self.periodStart = file.periodStart
        // The whole last second of the period counts: 23:59:59.5 is still "to 23:59:59".
        self.periodEnd = Timestamp(microsecondsSinceEpoch: file.periodEnd.microsecondsSinceEpoch + 999_999)
    }

    /// How many distinct record ids the upload has had so far.
    public var recordIDCount: Int { recordIDs.count }

    /// Validates one row: a record with status `valid` or `invalid` and every error of the row.
    ///
    /// Rows must come in upload order, since a repeated `record_id` is reported on its later row.
    /// Throws only what the lookup throws for a storage failure.
    public mutating func validate(_ row: UsageRow) throws -> UsageRecord {
        var errors = RowErrors()
        let recordID = try readRecordID(row, &errors)
        let note = readNote(row, &errors)
        let times = readTimes(row, &errors)
        let quantity = readDecimal(.quantity, row, &errors)
        if let quantity, quantity.isNegative {
            errors.fail(
                .quantityNegative, .quantity,
                "quantity \(Self.quoted(quantity.description)) is negative; "
                    + "quantities must be zero or more")
        }
        let amount = file.schema == .qt ? nil : readDecimal(.amount, row, &errors)
        let tier = file.schema == .tr ? readTier(row, &errors) : nil
        var item = try resolveItem(row, &errors)
        checkPrecision(quantity, item: item, &errors)
        let subscription = try resolveSubscription(row, times: times, tier: tier, &errors)
        let categoryID = readCategory(row, &errors)
        let reconID = readReconciliationID(row, subscription: subscription, &errors)
        let parameters = readParameters(row, &errors)
        if errors.isEmpty, case .pending(let draft) = item {
            item = try createDynamicItem(draft, &errors)
        }

        var record = UsageRecord(
            fileID: file.id, position: row.position, recordID: recordID ?? "", note: note,
            itemID: item.resolved?.id, subscriptionID: subscription?.id, quantity: quantity, amount: amount,
            tier: tier, start: times.start, end: times.end, categoryID: categoryID,
            assetReconID: reconID ?? subscription?.reconciliationID, parameters: parameters,
            status: errors.isEmpty ? .valid : .invalid, errors: errors.list)
        // The row's cells, not their text: times are formatted only where the record is stored.
        record.raw = UsageRawValues(cells: row.cells, count: header.columns.count)
        return record
    }
}

// MARK: - Row errors

extension UsageRecordValidator {
    /// The errors of the row being validated.
    struct RowErrors {
        private(set) var list: [UsageRecordError] = []

        var isEmpty: Bool { list.isEmpty }

        mutating func fail(_ code: UsageErrorCode, _ column: UsageColumn, _ message: String) {
            list.append(UsageRecordError(code: code.code, column: column.name, message: message))
        }

        mutating func fail(_ code: UsageErrorCode, column: String, _ message: String) {
            list.append(UsageRecordError(code: code.code, column: column, message: message))
        }
    }

    /// Whether `text` has more than `limit` characters.
    ///
    /// Counting characters means grapheme breaking; a text with no more UTF-8 bytes than the
    /// limit cannot have more characters, which settles nearly every cell without counting.
    static func isLonger(_ text: String, than limit: Int) -> Bool {
        text.utf8.count > limit && text.count > limit
    }

    /// The text as a quoted, escaped literal, cut to a short prefix.
    ///
    /// A cell can hold a megabyte; a message only has to let a person find the value, and escaping
    /// keeps control characters out of logs and spreadsheets.
    static func quoted(_ text: String) -> String {
        let limit = 60
        guard text.count > limit else { return String(reflecting: text) }
        return String(reflecting: String(text.prefix(limit)) + "…")
    }
}

// MARK: - Plain columns

extension UsageRecordValidator {
    /// `record_id`: present, not too long, new in this file and unused by the product's live files.
    private mutating func readRecordID(_ row: UsageRow, _ errors: inout RowErrors) throws -> String? {
        guard let recordID = header.cell(.recordID, in: row).trimmedText else {
            errors.fail(.recordIDRequired, .recordID, "record_id is empty; every record needs an id unique in the file")
            return nil
        }
        guard !Self.isLonger(recordID, than: Self.maximumTextLength) else {
            errors.fail(
                .recordIDTooLong, .recordID,
                "record_id \(Self.quoted(recordID)) has \(recordID.count) characters; at most "
                    + "\(Self.maximumTextLength) are accepted")
            return recordID
        }
        if case .duplicate(let first) = recordIDs.insert(recordID, position: row.position) {
            errors.fail(
                .recordIDDuplicate, .recordID,
                "record_id \(Self.quoted(recordID)) already appears in row \(first); record ids must be unique "
                    + "in the file")
        }
        if let other = try lookup.fileUsingRecordID(recordID, productID: file.productID, excludingFileID: file.id) {
            errors.fail(
                .recordIDUsedByAnotherFile, .recordID,
                "record_id \(Self.quoted(recordID)) is already used by usage file \(other) of this product; "
                    + "reporting it again would bill it twice")
        }
        return recordID
    }

    /// `record_note`: optional, bounded.
    private func readNote(_ row: UsageRow, _ errors: inout RowErrors) -> String {
        let note = header.cell(.recordNote, in: row).trimmedText ?? ""
        if Self.isLonger(note, than: Self.maximumNoteLength) {
            errors.fail(
                .recordNoteTooLong, .recordNote,
                "record_note \(Self.quoted(note)) has \(note.count) characters; at most "
                    + "\(Self.maximumNoteLength) are accepted")
        }
        return note
    }

    /// `category_id`: optional; when given, one of the upload's categories.
    private func readCategory(_ row: UsageRow, _ errors: inout RowErrors) -> String? {
        guard let categoryID = header.cell(.categoryID, in: row).trimmedText else { return nil }
        if !categoryIDs.contains(categoryID) {
            errors.fail(
                .categoryIDNotFound, .categoryID,
                "category_id \(Self.quoted(categoryID)) is not in the file's categories sheet")
        }
        return categoryID
    }

    /// `asset_recon_id`: optional; when given, the resolved subscription's reconciliation id.
    private func readReconciliationID(_ row: UsageRow, subscription: SubscriptionFacts?, _ errors: inout RowErrors)
        -> String?
    {
        guard let reconID = header.cell(.assetReconID, in: row).trimmedText else { return nil }
        if let subscription, subscription.reconciliationID != reconID {
            errors.fail(
                .assetReconIDMismatch, .assetReconID,
                "asset_recon_id \(Self.quoted(reconID)) is not the reconciliation id of subscription "
                    + "\(subscription.id)")
        }
        return reconID
    }

    /// Every other named column, in header order; blank cells are left out.
    private func readParameters(_ row: UsageRow, _ errors: inout RowErrors) -> [UsageParameter] {
        var parameters: [UsageParameter] = []
        for (index, name) in header.parameterColumns {
            let cell = row[index]
            guard let value = cell.trimmedText else { continue }
            if Self.isLonger(value, than: Self.maximumTextLength) {
                errors.fail(
                    .parameterTooLong, column: name,
                    "\(name) \(Self.quoted(value)) has \(value.count) characters; at most "
                        + "\(Self.maximumTextLength) are accepted")
            }
            parameters.append(UsageParameter(name: name, value: value))
        }
        return parameters
    }
}
