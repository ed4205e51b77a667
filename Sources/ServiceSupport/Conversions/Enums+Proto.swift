// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

// Domain enums ↔ wire enums. Wire enums are open (a client may send any number), so every
// conversion from the wire says which field it read and refuses unknown values with a field
// violation; `unspecified` is a separate answer, because some fields mean "unchanged" or "all" by it.

/// Reads a wire enum into a domain enum, refusing numbers the API does not define.
public enum WireEnum {
    /// The domain value, nil for `unspecified` (0); INVALID_ARGUMENT for an unknown number.
    public static func decode<Wire: Equatable, Value>(
        _ wire: Wire, raw: Int32, field: String, table: [(Wire, Value)], into validation: inout Validation
    ) -> Value? {
        if raw == 0 { return nil }
        if let match = table.first(where: { $0.0 == wire }) { return match.1 }
        validation.fail(field, "unknown value \(raw)")
        return nil
    }
}

extension Role {
    static let wireTable: [(Usageflow_V1_Role, Role)] = [
        (.operator, .operator), (.vendor, .vendor), (.distributor, .distributor), (.reseller, .reseller),
    ]
    public var proto: Usageflow_V1_Role { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(_ wire: Usageflow_V1_Role, field: String, into validation: inout Validation) -> Role? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension KeyScope {
    static let wireTable: [(Usageflow_V1_KeyScope, KeyScope)] = [(.full, .full), (.readOnly, .readOnly)]
    public var proto: Usageflow_V1_KeyScope { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(_ wire: Usageflow_V1_KeyScope, field: String, into validation: inout Validation) -> KeyScope? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension PPUSchema {
    static let wireTable: [(Usageflow_V1_PpuSchema, PPUSchema)] = [(.qt, .qt), (.tr, .tr), (.pr, .pr), (.cr, .cr)]
    public var proto: Usageflow_V1_PpuSchema { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(_ wire: Usageflow_V1_PpuSchema, field: String, into validation: inout Validation) -> PPUSchema? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension ItemType {
    static let wireTable: [(Usageflow_V1_ItemType, ItemType)] = [(.ppu, .ppu), (.reservation, .reservation)]
    public var proto: Usageflow_V1_ItemType { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(_ wire: Usageflow_V1_ItemType, field: String, into validation: inout Validation) -> ItemType? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension Precision {
    static let wireTable: [(Usageflow_V1_Precision, Precision)] = [
        (.integer, .integer), (.decimal1, .decimal1), (.decimal2, .decimal2), (.decimal4, .decimal4),
        (.decimal8, .decimal8),
    ]
    public var proto: Usageflow_V1_Precision { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(_ wire: Usageflow_V1_Precision, field: String, into validation: inout Validation) -> Precision? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension ItemStatus {
    static let wireTable: [(Usageflow_V1_ItemStatus, ItemStatus)] = [
        (.draft, .draft), (.published, .published), (.endOfSale, .endOfSale),
    ]
    public var proto: Usageflow_V1_ItemStatus { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(_ wire: Usageflow_V1_ItemStatus, field: String, into validation: inout Validation) -> ItemStatus? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension ContractStatus {
    static let wireTable: [(Usageflow_V1_ContractStatus, ContractStatus)] = [
        (.pending, .pending), (.active, .active), (.terminated, .terminated),
    ]
    public var proto: Usageflow_V1_ContractStatus { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(
        _ wire: Usageflow_V1_ContractStatus, field: String, into validation: inout Validation
    ) -> ContractStatus? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension ListingStatus {
    static let wireTable: [(Usageflow_V1_ListingStatus, ListingStatus)] = [
        (.pending, .pending), (.listed, .listed), (.declined, .declined), (.unlisted, .unlisted),
    ]
    public var proto: Usageflow_V1_ListingStatus { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(
        _ wire: Usageflow_V1_ListingStatus, field: String, into validation: inout Validation
    ) -> ListingStatus? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension SubscriptionStatus {
    static let wireTable: [(Usageflow_V1_SubscriptionStatus, SubscriptionStatus)] = [
        (.active, .active), (.suspended, .suspended), (.terminated, .terminated),
    ]
    public var proto: Usageflow_V1_SubscriptionStatus { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(
        _ wire: Usageflow_V1_SubscriptionStatus, field: String, into validation: inout Validation
    ) -> SubscriptionStatus? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}
