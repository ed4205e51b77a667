// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Every code a usage record error can have: the one table of them (SPEC §3.2).
///
/// Codes are `<column>.<reason>` for a problem with one cell, and `item.<reason>` or
/// `subscription.<reason>` for a row whose item or subscription could not be resolved (the error's
/// column is then the search value's). Clients match on them, so a released code never changes
/// meaning; new ones may be added. Messages, unlike codes, are for people and may change.
///
/// Decimal cells (`quantity`, `amount`) share one vocabulary with `Decimal(parsing:)`: the
/// reasons `not_a_decimal`, `exponent_not_allowed`, `not_a_number`, `negative_zero`,
/// `too_many_fractional_digits` and `overflow`. `-0` is refused as `negative_zero` for both:
/// the parser never silently drops a sign, and a quantity or credit of "minus nothing" is more
/// likely a mistake than a zero.
public enum UsageErrorCode: String, Sendable, Hashable, CaseIterable {
    // MARK: record_id, record_note

    /// The row has no `record_id`.
    case recordIDRequired = "record_id.required"
    /// The `record_id` is longer than `UsageRecordValidator.maximumTextLength` characters.
    case recordIDTooLong = "record_id.too_long"
    /// An earlier row of the same file has this `record_id`; the message names that row.
    case recordIDDuplicate = "record_id.duplicate"
    /// A `ready`, `pending`, `accepted` or `closed` file of the product has this `record_id`
    /// (it would be billed twice); the message names that file.
    case recordIDUsedByAnotherFile = "record_id.used_by_another_file"
    /// The `record_note` is longer than `UsageRecordValidator.maximumNoteLength` characters.
    case recordNoteTooLong = "record_note.too_long"

    // MARK: item

    /// The row has no `item_search_criteria`.
    case itemSearchCriteriaRequired = "item_search_criteria.required"
    /// The `item_search_criteria` is none of `item.mpn`, `item.local_id`, `item.global_id`, `item.id`.
    case itemSearchCriteriaUnknown = "item_search_criteria.unknown"
    /// The row has no `item_search_value`.
    case itemSearchValueRequired = "item_search_value.required"
    /// No item of the product matches, and none could be created (the product is not dynamic, the
    /// criteria is not `item.mpn`, or the row has no `item_*` columns).
    case itemNotFound = "item.not_found"
    /// The item is a reservation item and the product does not report reservation consumption.
    case itemNotPayAsYouGo = "item.not_pay_as_you_go"
    /// A dynamic item could not be created: the store refused it (an unknown unit, a name taken).
    case itemCreateFailed = "item.create_failed"
    /// A dynamic item needs `item_name`.
    case itemNameRequired = "item_name.required"
    /// `item_name` is longer than `UsageRecordValidator.maximumTextLength` characters.
    case itemNameTooLong = "item_name.too_long"
    /// `item_mpn` differs from the `item_search_value` it is searched by.
    case itemMPNMismatch = "item_mpn.mismatch"
    /// A dynamic item needs `item_unit`.
    case itemUnitRequired = "item_unit.required"
    /// A dynamic item needs `item_precision`.
    case itemPrecisionRequired = "item_precision.required"
    /// `item_precision` is none of `integer`, `decimal(1)`, `decimal(2)`, `decimal(4)`, `decimal(8)`.
    case itemPrecisionInvalid = "item_precision.invalid"

    // MARK: quantity

    /// The row has no `quantity`.
    case quantityRequired = "quantity.required"
    /// The `quantity` is not a plain decimal number (or is a date or boolean cell).
    case quantityNotADecimal = "quantity.not_a_decimal"
    /// The `quantity` is text in scientific notation, such as `1e400`.
    case quantityExponentNotAllowed = "quantity.exponent_not_allowed"
    /// The `quantity` is `NaN` or an infinity.
    case quantityNotANumber = "quantity.not_a_number"
    /// The `quantity` is `-0`.
    case quantityNegativeZero = "quantity.negative_zero"
    /// The `quantity` has more fractional digits than any value may (18).
    case quantityTooManyFractionalDigits = "quantity.too_many_fractional_digits"
    /// The `quantity` has more than 38 significant digits.
    case quantityOverflow = "quantity.overflow"
    /// The `quantity` is below zero.
    case quantityNegative = "quantity.negative"
    /// The `quantity` has more fractional digits than the item's precision (never rounded).
    case quantityPrecision = "quantity.precision"

    // MARK: amount

    /// The schema is PR, CR or TR and the row has no `amount`.
    case amountRequired = "amount.required"
    /// The `amount` is not a plain decimal number (or is a date or boolean cell).
    case amountNotADecimal = "amount.not_a_decimal"
    /// The `amount` is text in scientific notation.
    case amountExponentNotAllowed = "amount.exponent_not_allowed"
    /// The `amount` is `NaN` or an infinity.
    case amountNotANumber = "amount.not_a_number"
    /// The `amount` is `-0`.
    case amountNegativeZero = "amount.negative_zero"
    /// The `amount` has more than 18 fractional digits.
    case amountTooManyFractionalDigits = "amount.too_many_fractional_digits"
    /// The `amount` has more than 38 significant digits.
    case amountOverflow = "amount.overflow"

    // MARK: tier

    /// The schema is TR and the row has no `tier`.
    case tierRequired = "tier.required"
    /// The `tier` is not 0, 1 or 2.
    case tierInvalid = "tier.invalid"
    /// The subscription has no reseller at that tier (tier 1 or 2).
    case tierNotOnSubscription = "tier.not_on_subscription"

    // MARK: times

    /// The row has no `start_time_utc`.
    case startTimeRequired = "start_time_utc.required"
    /// The `start_time_utc` is not in an accepted layout (see `UsageTime`).
    case startTimeInvalid = "start_time_utc.invalid"
    /// The `start_time_utc` names a date or time that does not exist, such as 2026-02-30.
    case startTimeImpossible = "start_time_utc.impossible"
    /// The `start_time_utc` has a non-zero UTC offset.
    case startTimeNotUTC = "start_time_utc.not_utc"
    /// The `start_time_utc` is before the period and the product does not allow late charges.
    case startTimeBeforePeriod = "start_time_utc.before_period"
    /// The row has no `end_time_utc`.
    case endTimeRequired = "end_time_utc.required"
    /// The `end_time_utc` is not in an accepted layout.
    case endTimeInvalid = "end_time_utc.invalid"
    /// The `end_time_utc` names a date or time that does not exist.
    case endTimeImpossible = "end_time_utc.impossible"
    /// The `end_time_utc` has a non-zero UTC offset.
    case endTimeNotUTC = "end_time_utc.not_utc"
    /// The `end_time_utc` is after the period and the product does not allow future charges.
    case endTimeAfterPeriod = "end_time_utc.after_period"
    /// The `end_time_utc` is not after the `start_time_utc`.
    case endTimeNotAfterStart = "end_time_utc.not_after_start"

    // MARK: subscription

    /// The row has no `asset_search_criteria`.
    case assetSearchCriteriaRequired = "asset_search_criteria.required"
    /// The `asset_search_criteria` is none of `asset.id`, `asset.external_id`, `asset.external_uid`,
    /// `asset.recon_id`, `parameter.<name>`.
    case assetSearchCriteriaUnknown = "asset_search_criteria.unknown"
    /// The row has no `asset_search_value`.
    case assetSearchValueRequired = "asset_search_value.required"
    /// No subscription of the vendor matches.
    case subscriptionNotFound = "subscription.not_found"
    /// More than one subscription matches.
    case subscriptionAmbiguous = "subscription.ambiguous"
    /// The subscription is of another product than the file's.
    case subscriptionOtherProduct = "subscription.other_product"
    /// The subscription is under another contract than the file's (another distributor's or
    /// marketplace's); the message names neither.
    case subscriptionOtherContract = "subscription.other_contract"
    /// The subscription was not active at any time between the record's start and end.
    case subscriptionInactive = "subscription.inactive"

    // MARK: other columns

    /// The `category_id` is not in the file's categories.
    case categoryIDNotFound = "category_id.not_found"
    /// The `asset_recon_id` differs from the subscription's reconciliation id.
    case assetReconIDMismatch = "asset_recon_id.mismatch"
    /// A parameter column's value is longer than `UsageRecordValidator.maximumTextLength`.
    case parameterTooLong = "parameter.too_long"

    /// The code's text, as records carry it.
    public var code: String { rawValue }
}

extension UsageErrorCode {
    /// The code for a decimal cell of `column` that `Decimal(parsing:)` refused with `error`.
    static func decimal(_ column: UsageColumn, _ error: DecimalError) -> UsageErrorCode {
        let amount = column == .amount
        switch error.code {
        case "empty": return amount ? .amountRequired : .quantityRequired
        case "exponentNotAllowed": return amount ? .amountExponentNotAllowed : .quantityExponentNotAllowed
        case "notANumber": return amount ? .amountNotANumber : .quantityNotANumber
        case "negativeZero": return amount ? .amountNegativeZero : .quantityNegativeZero
        case "tooManyFractionalDigits":
            return amount ? .amountTooManyFractionalDigits : .quantityTooManyFractionalDigits
        case "overflow", "scaleOutOfRange": return amount ? .amountOverflow : .quantityOverflow
        default: return amount ? .amountNotADecimal : .quantityNotADecimal
        }
    }
}
