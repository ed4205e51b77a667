// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A 256-bit unsigned integer holding the exact intermediate magnitude of decimal arithmetic.
///
/// Aligning scales or multiplying two 38-digit coefficients can pass `Int128` even when the final
/// value, written with fewer fractional digits, fits again (`0.5 × 0.2 = 0.10`); computing in 256
/// bits and only then stripping trailing zeros keeps every result exact and every overflow real.
/// The operands in `Decimal` stay below 10^38 · 10^36 < 2^247, so no operation here can overflow.
struct WideMagnitude: Hashable, Comparable, Sendable {
    var high: UInt128
    var low: UInt128

    init(_ value: UInt128) {
        self.high = 0
        self.low = value
    }

    init(high: UInt128, low: UInt128) {
        self.high = high
        self.low = low
    }

    /// The full 256-bit product of two 128-bit magnitudes.
    static func product(_ lhs: UInt128, _ rhs: UInt128) -> WideMagnitude {
        let (high, low) = lhs.multipliedFullWidth(by: rhs)
        return WideMagnitude(high: high, low: low)
    }

    static func + (lhs: WideMagnitude, rhs: WideMagnitude) -> WideMagnitude {
        let (low, carry) = lhs.low.addingReportingOverflow(rhs.low)
        return WideMagnitude(high: lhs.high + rhs.high + (carry ? 1 : 0), low: low)
    }

    /// The difference; `lhs` must not be smaller than `rhs`.
    static func - (lhs: WideMagnitude, rhs: WideMagnitude) -> WideMagnitude {
        let (low, borrow) = lhs.low.subtractingReportingOverflow(rhs.low)
        return WideMagnitude(high: lhs.high - rhs.high - (borrow ? 1 : 0), low: low)
    }

    static func < (lhs: WideMagnitude, rhs: WideMagnitude) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    /// The quotient and remainder of division by ten.
    func dividedByTen() -> (quotient: WideMagnitude, remainder: UInt128) {
        let (highQuotient, highRemainder) = high.quotientAndRemainder(dividingBy: 10)
        // highRemainder < 10, so the quotient of (highRemainder, low) / 10 fits 128 bits.
        let (lowQuotient, remainder) = UInt128(10).dividingFullWidth((high: highRemainder, low: low))
        return (WideMagnitude(high: highQuotient, low: lowQuotient), remainder)
    }

    /// The value as a `UInt128`, or nil when it needs more bits.
    var narrow: UInt128? { high == 0 ? low : nil }
}
