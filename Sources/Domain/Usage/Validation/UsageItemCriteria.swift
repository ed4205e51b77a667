// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// How a usage row names its item: the `item_search_criteria` column (SPEC §3.1).
public enum UsageItemCriteria: Sendable, Hashable, CaseIterable {
    /// `item.mpn`: the item's MPN, unique within the product.
    case mpn
    /// `item.local_id`: `PRD_ddd_ddd_ddd_dddd`.
    case localID
    /// `item.global_id` or its alias `item.id`: `PRD-ddd-ddd-ddd-dddd`.
    case id

    /// The criteria a cell names, matched case-insensitively after trimming, or nil.
    public init?(parsing text: String) {
        // Files almost always spell it exactly so; only other spellings pay for lower-casing.
        switch text {
        case "item.mpn": self = .mpn
        case "item.local_id": self = .localID
        case "item.global_id", "item.id": self = .id
        default: self.init(lowercased: UsageCell.trim(text).lowercased())
        }
    }

    private init?(lowercased text: String) {
        switch text {
        case "item.mpn": self = .mpn
        case "item.local_id": self = .localID
        case "item.global_id", "item.id": self = .id
        default: return nil
        }
    }

    /// The criteria as a file writes it.
    public var name: String {
        switch self {
        case .mpn: "item.mpn"
        case .localID: "item.local_id"
        case .id: "item.global_id"
        }
    }

    /// Every spelling accepted, for error messages.
    static let accepted = "item.mpn, item.local_id, item.global_id or item.id"
}
