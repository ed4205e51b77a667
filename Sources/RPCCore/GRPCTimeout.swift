// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// The `grpc-timeout` header: 1 to 8 ASCII digits followed by a unit (H, M, S, m, u, n).
public struct GRPCTimeout: Sendable, Hashable {
    /// The timeout in nanoseconds, saturated at `Int64.max`.
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = max(0, nanoseconds) }

    public var duration: Duration { .nanoseconds(nanoseconds) }

    /// Parses a header value; nil for anything the gRPC specification does not allow.
    public init?(header value: String) {
        let bytes = Array(value.utf8)
        guard bytes.count >= 2, bytes.count <= 9 else { return nil }
        var amount: Int64 = 0
        for byte in bytes.dropLast() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        let perUnit: Int64
        switch bytes.last! {
        case UInt8(ascii: "H"): perUnit = 3_600_000_000_000
        case UInt8(ascii: "M"): perUnit = 60_000_000_000
        case UInt8(ascii: "S"): perUnit = 1_000_000_000
        case UInt8(ascii: "m"): perUnit = 1_000_000
        case UInt8(ascii: "u"): perUnit = 1_000
        case UInt8(ascii: "n"): perUnit = 1
        default: return nil
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: perUnit)
        self.nanoseconds = overflow ? Int64.max : product
    }

    /// The shortest header value that is at least as long as this timeout, within 8 digits.
    public var headerValue: String {
        let units: [(Int64, Character)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
            (3_600_000_000_000, "H"),
        ]
        for (perUnit, unit) in units {
            let amount = (nanoseconds + perUnit - 1) / perUnit
            if amount < 100_000_000 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }
}
