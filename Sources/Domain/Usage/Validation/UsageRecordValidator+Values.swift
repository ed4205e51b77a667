// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

// Quantities, amounts, tiers and times: the cells that are parsed rather than looked up.

extension UsageRecordValidator {
    /// The record's times as far as they could be read.
    struct Times {
        var start: Timestamp?
        var end: Timestamp?

        /// Both times, when both were read and start is before end: only then can the
        /// subscription's activity be checked against them.
        var interval: (start: Timestamp, end: Timestamp)? {
            guard let start, let end, start < end else { return nil }
            return (start, end)
        }
    }

    /// `start_time_utc` and `end_time_utc`: UTC, start before end, inside the period unless the
    /// product allows late (before) or future (after) charges.
    func readTimes(_ row: UsageRow, _ errors: inout RowErrors) -> Times {
        let start = readTime(.startTime, row, &errors)
        let end = readTime(.endTime, row, &errors)
        if let start, let end, !(start < end) {
            errors.fail(
                .endTimeNotAfterStart, .endTime,
                "end_time_utc \(UsageTime.format(end)) is not after start_time_utc \(UsageTime.format(start))")
        }
        if let start, start < periodStart, !product.capabilities.late {
            errors.fail(
                .startTimeBeforePeriod, .startTime,
                "start_time_utc \(UsageTime.format(start)) is before the file's period, which starts "
                    + "\(UsageTime.format(periodStart)); the product does not allow late charges")
        }
        if let end, end > periodEnd, !product.capabilities.future {
            errors.fail(
                .endTimeAfterPeriod, .endTime,
                "end_time_utc \(UsageTime.format(end)) is after the file's period, which ends "
                    + "\(UsageTime.format(file.periodEnd)); the product does not allow future charges")
        }
        return Times(start: start, end: end)
    }

    private func readTime(_ column: UsageColumn, _ row: UsageRow, _ errors: inout RowErrors) -> Timestamp? {
        let isStart = column == .startTime
        let cell = header.cell(column, in: row)
        let text: String
        switch cell {
        case .date(let time):
            return time
        case .empty, .text, .number, .boolean:
            guard let trimmed = cell.trimmedText else {
                errors.fail(isStart ? .startTimeRequired : .endTimeRequired, column, "\(column.name) is empty")
                return nil
            }
            text = trimmed
        }
        do {
            return try UsageTime.parse(text)
        } catch {
            let code: UsageErrorCode =
                switch error.reason {
                case .malformed: isStart ? .startTimeInvalid : .endTimeInvalid
                case .impossible: isStart ? .startTimeImpossible : .endTimeImpossible
                case .notUTC: isStart ? .startTimeNotUTC : .endTimeNotUTC
                }
            errors.fail(code, column, "\(column.name) \(Self.quoted(text)) \(error.message)")
            return nil
        }
    }

    /// `quantity` or `amount` as an exact decimal, or nil with an error.
    ///
    /// Text must be a plain decimal; a spreadsheet number cell may carry an exponent, which is
    /// expanded exactly (never through `Double`).
    func readDecimal(_ column: UsageColumn, _ row: UsageRow, _ errors: inout RowErrors) -> Decimal? {
        let cell = header.cell(column, in: row)
        do throws(DecimalError) {
            switch cell {
            case .empty:
                throw DecimalError.empty()
            case .text(let value):
                let text = UsageCell.trim(value)
                guard !text.isEmpty else { throw DecimalError.empty() }
                return try Decimal(parsing: text)
            case .number(let literal):
                guard !literal.isEmpty else { throw DecimalError.empty() }
                return try UsageRecordValidator.numberCell(literal)
            case .date, .boolean:
                let text = cell.text
                errors.fail(
                    UsageErrorCode.decimal(column, .notADecimal(text)), column,
                    "\(column.name) \(Self.quoted(text)) is a \(cell.kindName) cell, not a number")
                return nil
            }
        } catch {
            let code = UsageErrorCode.decimal(column, error)
            let message: String
            if code == .quantityRequired || code == .amountRequired {
                message =
                    column == .amount
                    ? "amount is empty; the \(file.schema.rawValue.uppercased()) schema needs an amount on every record"
                    : "quantity is empty; a quantity such as 12.5 is required"
            } else {
                message = "\(column.name): \(error.message)"
            }
            errors.fail(code, column, message)
            return nil
        }
    }

    /// Reads a spreadsheet number cell's literal exactly, expanding an exponent such as `1E-3`.
    ///
    /// An exponent beyond what 38 digits can show fails fast, before any text is built, so
    /// `1E999999999` costs nothing. Errors name the literal as written, not its expansion.
    static func numberCell(_ literal: String) throws(DecimalError) -> Decimal {
        guard let marker = literal.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return try Decimal(parsing: literal)
        }
        var mantissa = literal[..<marker]
        guard let exponent = Int(literal[literal.index(after: marker)...]) else { throw .notADecimal(literal) }
        let negative = mantissa.first == "-"
        if negative { mantissa = mantissa.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let digits = parts.joined()
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty,
            digits.allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw .notADecimal(literal) }
        if digits.allSatisfy({ $0 == "0" }) {
            if negative { throw .negativeZero(literal) }
            return .zero
        }
        let limit = Decimal.maximumSignificantDigits + Decimal.maximumParsedFractionalDigits
        guard abs(exponent) <= limit else {
            throw exponent > 0
                ? .tooManySignificantDigits(literal, digits: digits.count + exponent)
                : .tooManyFractionalDigits(literal, digits: -exponent, limit: Decimal.maximumParsedFractionalDigits)
        }
        let point = parts[0].count + exponent
        let plain: String
        if point <= 0 {
            plain = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            plain = digits + String(repeating: "0", count: point - digits.count)
        } else {
            plain = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        do {
            return try Decimal(parsing: (negative ? "-" : "") + plain)
        } catch {
            switch error.code {
            case "tooManyFractionalDigits":
                let fractional = plain.count - (plain.firstIndex(of: ".").map { plain[..<$0].count + 1 } ?? plain.count)
                throw .tooManyFractionalDigits(
                    literal, digits: fractional, limit: Decimal.maximumParsedFractionalDigits)
            case "overflow": throw .tooManySignificantDigits(literal, digits: digits.count)
            default: throw .notADecimal(literal)
            }
        }
    }

    /// `tier` for a TR file: required, 0 (customer), 1 or 2 (reseller tiers).
    func readTier(_ row: UsageRow, _ errors: inout RowErrors) -> Int? {
        let cell = header.cell(.tier, in: row)
        guard let text = cell.trimmedText else {
            errors.fail(.tierRequired, .tier, "tier is empty; the TR schema needs a tier (0, 1 or 2) on every record")
            return nil
        }
        let value: Decimal? =
            switch cell {
            case .number(let literal): try? Self.numberCell(literal)
            case .text: try? Decimal(parsing: text)
            case .empty, .date, .boolean: nil
            }
        guard let value, value.fits(fractionalDigits: 0), value >= .zero, value <= Decimal(2) else {
            errors.fail(
                .tierInvalid, .tier,
                "tier \(Self.quoted(text)) is not a tier; use 0 (customer), 1 (tier-1 reseller) or 2 (tier-2 reseller)")
            return nil
        }
        return value == .zero ? 0 : (value == Decimal(1) ? 1 : 2)
    }

    /// The quantity's fractional digits against the item's precision (or, for an item still to be
    /// created, the row's `item_precision`).
    func checkPrecision(_ quantity: Decimal?, item: ItemResolution, _ errors: inout RowErrors) {
        guard let quantity else { return }
        let precision: Precision
        switch item {
        case .resolved(let found): precision = found.precision
        case .pending(let draft): precision = draft.precision
        case .unresolved: return
        }
        guard !quantity.fits(fractionalDigits: precision.fractionalDigits) else { return }
        let itemName =
            switch item {
            case .resolved(let found): "item \(found.id) (\(Self.quoted(found.mpn)))"
            case .pending(let draft): "the new item \(Self.quoted(draft.mpn))"
            case .unresolved: "the item"
            }
        let digits = quantity.significantFractionalDigits
        errors.fail(
            .quantityPrecision, .quantity,
            "quantity \(Self.quoted(quantity.description)) has \(digits) fractional digit\(digits == 1 ? "" : "s"); "
                + "\(itemName) has precision \(precision.rawValue), which allows \(precision.fractionalDigits); "
                + "quantities are never rounded")
    }
}

extension UsageCell {
    /// What kind of cell this is, for messages.
    var kindName: String {
        switch self {
        case .empty: "empty"
        case .text: "text"
        case .number: "number"
        case .date: "date"
        case .boolean: "boolean"
        }
    }
}
