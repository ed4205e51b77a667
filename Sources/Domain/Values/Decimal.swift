// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// An exact decimal number: an integer coefficient and the number of fractional digits it was
/// written with.
///
/// Quantities and money must never pass through binary floating point, where `0.1` has no exact
/// value and sums drift. A coefficient and a scale represent every written value exactly and keep
/// its written precision (`1.50` stays `1.50`), so a vendor's file can be echoed back as sent and
/// precision rules can be checked without rounding. Equality, ordering and hashing follow the
/// numeric value: `1.50 == 1.5`.
///
/// The coefficient has at most 38 significant digits and the scale is at most 36, so every value
/// fits an `Int128` and negation can never overflow. Text is read with `init(parsing:)`, which
/// accepts only `-?[0-9]+(\.[0-9]+)?` with at most 18 fractional digits.
public struct Decimal: Sendable {
    /// The value times 10^`scale`: `12.50` has coefficient `1250`.
    public let coefficient: Int128
    /// The number of fractional digits as written, `0...maximumScale`: `12.50` has scale 2.
    public let scale: Int

    /// Creates a value whose invariants the caller has already checked.
    init(unchecked coefficient: Int128, scale: Int) {
        self.coefficient = coefficient
        self.scale = scale
    }
}

extension Decimal {
    /// The most significant digits a coefficient may have.
    ///
    /// 38 nines are the largest run of nines below `Int128.max`, so a value is always a plain
    /// `Int128` and its negation is always defined.
    public static let maximumSignificantDigits = 38

    /// The most fractional digits a value may carry, reached by multiplying two parsed values.
    public static let maximumScale = 36

    /// The most fractional digits accepted from text.
    ///
    /// Half of `maximumScale`, so the product of any two parsed values is still exact.
    public static let maximumParsedFractionalDigits = 18

    /// The largest coefficient magnitude: 10^38 − 1.
    static let maximumMagnitude: UInt128 = powersOfTen[maximumSignificantDigits] - 1

    /// 10^0 through 10^38.
    static let powersOfTen: [UInt128] = {
        var powers: [UInt128] = [1]
        for _ in 0..<maximumSignificantDigits { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// Zero, with no fractional digits.
    public static let zero = Decimal(unchecked: 0, scale: 0)

    /// Creates the integer `value` with no fractional digits.
    ///
    /// Every `Int` has at most 19 digits, so this cannot fail.
    public init(_ value: Int) {
        self.init(unchecked: Int128(value), scale: 0)
    }

    /// Creates `coefficient` × 10^−`scale`, keeping `scale` as the written precision.
    ///
    /// For values stored as a coefficient and a scale; throws `overflow` beyond 38 digits and
    /// `scaleOutOfRange` outside `0...maximumScale`, so a corrupt row can never become a value
    /// that breaks the invariants.
    public init(coefficient: Int128, scale: Int) throws(DecimalError) {
        guard (0...Decimal.maximumScale).contains(scale) else { throw .scaleOutOfRange(scale) }
        guard coefficient.magnitude <= Decimal.maximumMagnitude else { throw .coefficientOverflow(coefficient) }
        self.init(unchecked: coefficient, scale: scale)
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { coefficient < 0 }

    /// Whether the value is zero, whatever its scale (`0.00` is zero).
    public var isZero: Bool { coefficient == 0 }

    /// The number of fractional digits as written, trailing zeros included: 2 for `1.50`.
    ///
    /// Kept so that values are shown the way they were sent; precision rules use
    /// `significantFractionalDigits` instead.
    public var fractionalDigits: Int { scale }

    /// The number of fractional digits without trailing zeros: 1 for `1.50`, 0 for `3.000`.
    ///
    /// Trailing zeros add no precision, so `1.50` is acceptable where one digit is allowed.
    public var significantFractionalDigits: Int {
        guard coefficient != 0 else { return 0 }
        var remaining = coefficient
        var digits = scale
        while digits > 0, remaining % 10 == 0 {
            remaining /= 10
            digits -= 1
        }
        return digits
    }

    /// The same value written with the fewest fractional digits: `1.50` becomes `1.5`, `0.00`
    /// becomes `0`.
    ///
    /// The one canonical representation of a value, used for hashing and whenever the written
    /// precision should not show.
    public var normalized: Decimal {
        guard coefficient != 0 else { return .zero }
        var remaining = coefficient
        var digits = scale
        while digits > 0, remaining % 10 == 0 {
            remaining /= 10
            digits -= 1
        }
        return Decimal(unchecked: remaining, scale: digits)
    }

    /// Whether the value can be written with at most `digits` fractional digits without rounding.
    ///
    /// The precision check of usage validation: `3.257` does not fit 2, `100.5` does not fit 0,
    /// `1.50` fits 1 because trailing zeros are not precision. A negative `digits` fits nothing.
    public func fits(fractionalDigits digits: Int) -> Bool {
        significantFractionalDigits <= digits
    }
}

extension Decimal: CustomStringConvertible {
    /// The value as canonical text with its written scale: `-1.50`, `0.007`, `42`.
    ///
    /// Parsing it gives back an identical value (same coefficient and scale), so text is a safe
    /// storage and wire form.
    public var description: String {
        let digits = String(coefficient.magnitude)
        let sign = isNegative ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded =
            digits.count > scale ? digits : String(repeating: "0", count: scale - digits.count + 1) + digits
        let point = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<point] + "." + padded[point...]
    }
}

extension Decimal: Hashable, Comparable {
    /// Whether two values are numerically equal, whatever their written scales: `1.50 == 1.5`.
    public static func == (lhs: Decimal, rhs: Decimal) -> Bool {
        compare(lhs, rhs) == 0
    }

    /// Hashes the numeric value (the normalized form), consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        let canonical = normalized
        hasher.combine(canonical.coefficient)
        hasher.combine(canonical.scale)
    }

    /// Orders by numeric value, across scales and signs.
    public static func < (lhs: Decimal, rhs: Decimal) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// −1, 0 or 1 as `lhs` is below, equal to or above `rhs`.
    ///
    /// Aligns both magnitudes to the larger scale in 256 bits, where the alignment cannot overflow.
    static func compare(_ lhs: Decimal, _ rhs: Decimal) -> Int {
        if lhs.scale == rhs.scale {
            return lhs.coefficient < rhs.coefficient ? -1 : (lhs.coefficient == rhs.coefficient ? 0 : 1)
        }
        let lhsSign = lhs.coefficient.signum()
        let rhsSign = rhs.coefficient.signum()
        if lhsSign != rhsSign { return lhsSign < rhsSign ? -1 : 1 }
        if lhsSign == 0 { return 0 }
        let scale = max(lhs.scale, rhs.scale)
        let lhsMagnitude = WideMagnitude.product(lhs.coefficient.magnitude, powersOfTen[scale - lhs.scale])
        let rhsMagnitude = WideMagnitude.product(rhs.coefficient.magnitude, powersOfTen[scale - rhs.scale])
        let magnitudeOrder = lhsMagnitude < rhsMagnitude ? -1 : (lhsMagnitude == rhsMagnitude ? 0 : 1)
        return lhsSign < 0 ? -magnitudeOrder : magnitudeOrder
    }
}
