// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A column of the `records` sheet (and of a usage CSV) with a meaning of its own (SPEC §3.1).
///
/// Names follow Connect's usage file template so that files written for Connect upload unchanged.
/// Any other column becomes a record parameter.
public enum UsageColumn: String, Sendable, Hashable, CaseIterable {
    case recordID = "record_id"
    case recordNote = "record_note"
    case itemSearchCriteria = "item_search_criteria"
    case itemSearchValue = "item_search_value"
    case quantity
    case amount
    case tier
    case startTime = "start_time_utc"
    case endTime = "end_time_utc"
    case assetSearchCriteria = "asset_search_criteria"
    case assetSearchValue = "asset_search_value"
    case categoryID = "category_id"
    case assetReconID = "asset_recon_id"
    /// Dynamic items only: the new item's name.
    case itemName = "item_name"
    /// Dynamic items only: the new item's MPN.
    case itemMPN = "item_mpn"
    /// Dynamic items only: the new item's unit.
    case itemUnit = "item_unit"
    /// Dynamic items only: the new item's precision, such as `decimal(2)`.
    case itemPrecision = "item_precision"

    /// The header name, as the template writes it.
    public var name: String { rawValue }

    /// The columns every upload must have, whatever the schema.
    ///
    /// `amount` and `tier` depend on the schema (see `required(for:)`); the rest are optional.
    public static let alwaysRequired: [UsageColumn] = [
        .recordID, .itemSearchCriteria, .itemSearchValue, .quantity, .startTime, .endTime,
        .assetSearchCriteria, .assetSearchValue,
    ]

    /// The columns a file of `schema` must have: `amount` for PR, CR and TR, and `tier` for TR.
    public static func required(for schema: PPUSchema?) -> [UsageColumn] {
        switch schema {
        case .tr: alwaysRequired + [.amount, .tier]
        case .pr, .cr: alwaysRequired + [.amount]
        case .qt, nil: alwaysRequired
        }
    }

    /// The known column a header names, matched case-insensitively after trimming.
    public init?(header: String) {
        let key = UsageCell.trim(header).lowercased()
        guard let column = UsageColumn(rawValue: key) else { return nil }
        self = column
    }
}
