// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// How a usage row names its subscription: the `asset_search_criteria` column (SPEC §3.1).
public enum UsageSubscriptionCriteria: Sendable, Hashable {
    /// `asset.id`: `AS-dddd-dddd-dddd`.
    case id
    /// `asset.external_id`: the subscription's external id.
    case externalID
    /// `asset.external_uid`: the subscription's external uid.
    case externalUID
    /// `asset.recon_id`: the value of the parameter marked as the reconciliation id.
    case reconciliationID
    /// `parameter.<name>`: the value of the named subscription parameter (name matched exactly).
    case parameter(String)

    /// The criteria a cell names, or nil.
    ///
    /// The `asset.` and `parameter.` prefixes are matched case-insensitively after trimming; a
    /// parameter's name keeps its case, since subscription parameters are named by the vendor.
    public init?(parsing text: String) {
        // Files almost always spell it exactly so; only other spellings pay for lower-casing.
        switch text {
        case "asset.id":
            self = .id
            return
        case "asset.external_id":
            self = .externalID
            return
        default: break
        }
        let trimmed = UsageCell.trim(text)
        let lowered = trimmed.lowercased()
        switch lowered {
        case "asset.id": self = .id
        case "asset.external_id": self = .externalID
        case "asset.external_uid": self = .externalUID
        case "asset.recon_id": self = .reconciliationID
        default:
            let prefix = "parameter."
            guard lowered.hasPrefix(prefix) else { return nil }
            let name = UsageCell.trim(String(trimmed.dropFirst(prefix.count)))
            guard !name.isEmpty else { return nil }
            self = .parameter(name)
        }
    }

    /// The criteria as a file writes it.
    public var name: String {
        switch self {
        case .id: "asset.id"
        case .externalID: "asset.external_id"
        case .externalUID: "asset.external_uid"
        case .reconciliationID: "asset.recon_id"
        case .parameter(let name): "parameter.\(name)"
        }
    }

    /// Whether `subscription` has `value` under this criteria: what a lookup must implement.
    ///
    /// Given here so that stores and test fakes agree on what a match is.
    public func matches(_ subscription: Subscription, value: String) -> Bool {
        switch self {
        case .id: subscription.id == value
        case .externalID: subscription.externalID == value
        case .externalUID: subscription.externalUID == value
        case .reconciliationID: subscription.reconciliationID == value
        case .parameter(let name): subscription.parameters.contains { $0.name == name && $0.value == value }
        }
    }

    /// Every spelling accepted, for error messages.
    static let accepted = "asset.id, asset.external_id, asset.external_uid, asset.recon_id or parameter.<name>"
}
