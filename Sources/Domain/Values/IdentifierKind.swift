// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One of the Connect-style identifier formats, such as `VA-ddd-ddd` for a vendor.
///
/// Ids follow CloudBlue Connect so that clients and files written for Connect read naturally here.
/// Knowing each format lets a service tell a malformed id (`INVALID_ARGUMENT`) from a well-formed
/// one that names nothing the caller may see (`NOT_FOUND`), and lets the generator make new ones.
/// Prefixes are upper case and matched exactly; `d` is an ASCII digit.
public enum IdentifierKind: Sendable, Hashable, CaseIterable {
    /// A vendor account, `VA-ddd-ddd`.
    case vendor
    /// A distributor account, `PA-ddd-ddd`.
    case distributor
    /// A reseller or customer account, `TA-d-dddd-dddd-dddd`.
    case tierAccount
    /// A product, `PRD-ddd-ddd-ddd`.
    case product
    /// A product's item, `PRD-ddd-ddd-ddd-dddd`: the product id and a sequence number, not random.
    case item
    /// An item's local id, `PRD_ddd_ddd_ddd_dddd`: the item id with underscores, not random.
    case itemLocal
    /// A distributor's marketplace, `MP-ddddd`.
    case marketplace
    /// A distribution contract, `CRD-ddddd-ddddd-ddddd`.
    case distributionContract
    /// A listing of a product under a contract, `LST-ddd-ddd-ddd`.
    case listing
    /// A subscription, `AS-dddd-dddd-dddd`.
    case subscription
    /// A usage file, `UF-yyyy-mm-dddd-dddd`, dated by the year and month it was created in.
    case usageFile
    /// A usage record, `UR-yyyy-mm-dddd-dddd-dddd`, dated by the year and month it was created in.
    case usageRecord
    /// A distributor's service identity for mutual TLS, `SI-ddd-ddd`.
    case serviceIdentity
    /// An API key's public id, `KEY-dddd-dddd`.
    case apiKey
    /// A reconciliation (a batch of closes), `RC-dddd-dddd-dddd`.
    case reconciliation

    /// The kind of a well-formed id, or nil when `string` matches no format.
    ///
    /// For fields that accept several kinds of id, such as an item searched by id or local id.
    public init?(matching string: some StringProtocol) {
        guard let kind = IdentifierKind.allCases.first(where: { $0.matches(string) }) else { return nil }
        self = kind
    }

    /// Whether `string` is exactly an id of this kind: prefix in upper case, digit groups of the
    /// right lengths, nothing before or after.
    ///
    /// Dated kinds also need a year in `0001...9999` and a month in `01...12`.
    public func matches(_ string: some StringProtocol) -> Bool {
        layout.matches(string.utf8)
    }

    /// The format as text, such as `VA-ddd-ddd` or `UF-yyyy-mm-dddd-dddd`, for error messages.
    public var format: String { layout.format }

    /// The upper-case prefix before the first separator, such as `VA` or `PRD`.
    public var prefix: String { layout.prefix }

    /// Whether the id starts with the year and month it was made in (`usageFile`, `usageRecord`).
    public var isDated: Bool { layout.isDated }

    /// Whether `IdentifierGenerator` makes ids of this kind at random; item ids are derived from
    /// their product instead.
    public var isRandom: Bool { self != .item && self != .itemLocal }

    /// The formats' layouts, in one place.
    var layout: IdentifierLayout {
        switch self {
        case .vendor: IdentifierLayout(prefix: "VA", groups: [3, 3])
        case .distributor: IdentifierLayout(prefix: "PA", groups: [3, 3])
        case .tierAccount: IdentifierLayout(prefix: "TA", groups: [1, 4, 4, 4])
        case .product: IdentifierLayout(prefix: "PRD", groups: [3, 3, 3])
        case .item: IdentifierLayout(prefix: "PRD", groups: [3, 3, 3, 4])
        case .itemLocal: IdentifierLayout(prefix: "PRD", separator: "_", groups: [3, 3, 3, 4])
        case .marketplace: IdentifierLayout(prefix: "MP", groups: [5])
        case .distributionContract: IdentifierLayout(prefix: "CRD", groups: [5, 5, 5])
        case .listing: IdentifierLayout(prefix: "LST", groups: [3, 3, 3])
        case .subscription: IdentifierLayout(prefix: "AS", groups: [4, 4, 4])
        case .usageFile: IdentifierLayout(prefix: "UF", isDated: true, groups: [4, 4])
        case .usageRecord: IdentifierLayout(prefix: "UR", isDated: true, groups: [4, 4, 4])
        case .serviceIdentity: IdentifierLayout(prefix: "SI", groups: [3, 3])
        case .apiKey: IdentifierLayout(prefix: "KEY", groups: [4, 4])
        case .reconciliation: IdentifierLayout(prefix: "RC", groups: [4, 4, 4])
        }
    }
}

extension IdentifierKind: CustomStringConvertible {
    /// A name for messages, such as `vendor` or `usage file`.
    public var description: String {
        switch self {
        case .vendor: "vendor"
        case .distributor: "distributor"
        case .tierAccount: "tier account"
        case .product: "product"
        case .item: "item"
        case .itemLocal: "item local"
        case .marketplace: "marketplace"
        case .distributionContract: "distribution contract"
        case .listing: "listing"
        case .subscription: "subscription"
        case .usageFile: "usage file"
        case .usageRecord: "usage record"
        case .serviceIdentity: "service identity"
        case .apiKey: "API key"
        case .reconciliation: "reconciliation"
        }
    }
}
