// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The pay-as-you-go rating schema of a product: what a vendor reports besides quantities.
public enum PPUSchema: String, Sendable, Hashable, CaseIterable {
    /// Quantity only.
    case qt
    /// Tiers rated: an amount per tier.
    case tr
    /// Price rated: the end-customer price.
    case pr
    /// Cost rated: the distributor's cost.
    case cr
}

/// What a product allows; all off by default.
public struct Capabilities: Sendable, Hashable {
    public var ppu = false
    /// Required when `ppu` is on; nil otherwise.
    public var schema: PPUSchema?
    public var dynamic = false
    public var future = false
    public var late = false
    public var predictive = false
    public var reservationConsumption = false
    /// 1 or 2 reseller levels below the distributor.
    public var tierLevels = 1

    public init(
        ppu: Bool = false, schema: PPUSchema? = nil, dynamic: Bool = false, future: Bool = false, late: Bool = false,
        predictive: Bool = false, reservationConsumption: Bool = false, tierLevels: Int = 1
    ) {
        self.ppu = ppu
        self.schema = schema
        self.dynamic = dynamic
        self.future = future
        self.late = late
        self.predictive = predictive
        self.reservationConsumption = reservationConsumption
        self.tierLevels = tierLevels
    }

    /// Adds a violation for every rule of SPEC §2 the combination breaks.
    public func validate(into validation: inout Validation, field: String = "capabilities") {
        if ppu && schema == nil {
            validation.fail("\(field).schema", "is required when ppu is on (one of QT, TR, PR, CR)")
        }
        if !ppu && schema != nil {
            validation.fail("\(field).schema", "must be unset when ppu is off")
        }
        for (name, on) in [("dynamic", dynamic), ("future", future), ("late", late)] where on && !ppu {
            validation.fail("\(field).\(name)", "requires ppu")
        }
        if tierLevels != 1 && tierLevels != 2 {
            validation.fail("\(field).tier_levels", "must be 1 or 2 (got \(tierLevels))")
        }
    }
}
