// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Exact arithmetic.
///
/// Only throwing forms are offered (no `+`, `-` or `*` operators): totals of usage are computed
/// from untrusted files, and an overflow must become an error for that file, never a trap of the
/// server. Results are exact; when a result keeps more fractional digits than it needs to fit
/// (`0.5 × 0.2 = 0.10`), trailing zeros are dropped before `overflow` is declared.
extension Decimal {
    /// The sum, written with the larger of the two scales (`1.50 + 1 = 2.50`).
    ///
    /// Throws `overflow` when the exact sum needs more than 38 significant digits even with its
    /// trailing fractional zeros dropped.
    public func adding(_ other: Decimal) throws(DecimalError) -> Decimal {
        let scale = max(self.scale, other.scale)
        let lhs = WideMagnitude.product(coefficient.magnitude, Decimal.powersOfTen[scale - self.scale])
        let rhs = WideMagnitude.product(other.coefficient.magnitude, Decimal.powersOfTen[scale - other.scale])
        let isNegative: Bool
        let magnitude: WideMagnitude
        if self.isNegative == other.isNegative {
            (isNegative, magnitude) = (self.isNegative, lhs + rhs)
        } else if rhs < lhs {
            (isNegative, magnitude) = (self.isNegative, lhs - rhs)
        } else {
            (isNegative, magnitude) = (other.isNegative, rhs - lhs)
        }
        guard let sum = Decimal.fitting(isNegative: isNegative, magnitude: magnitude, scale: scale) else {
            throw .resultOverflow("sum", self, other)
        }
        return sum
    }

    /// The difference, written with the larger of the two scales (`2.50 − 1 = 1.50`).
    ///
    /// Throws `overflow` like `adding(_:)`.
    public func subtracting(_ other: Decimal) throws(DecimalError) -> Decimal {
        do {
            return try adding(other.negated())
        } catch {
            throw .resultOverflow("difference", self, other)
        }
    }

    /// The product, written with the sum of the two scales (`1.5 × 0.25 = 0.375`, `1.50 × 2.0 = 3.000`).
    ///
    /// Throws `overflow` beyond 38 significant digits and `tooManyFractionalDigits` beyond 36
    /// fractional digits, in both cases after dropping trailing fractional zeros.
    public func multiplied(by other: Decimal) throws(DecimalError) -> Decimal {
        let magnitude = WideMagnitude.product(coefficient.magnitude, other.coefficient.magnitude)
        let scale = self.scale + other.scale
        let isNegative = self.isNegative != other.isNegative
        switch Decimal.fit(isNegative: isNegative, magnitude: magnitude, scale: scale) {
        case .value(let product): return product
        case .tooManyDigits: throw .resultOverflow("product", self, other)
        case .tooManyFractionalDigits: throw .resultScaleOverflow("product", self, other)
        }
    }

    /// The value with the opposite sign; zero stays zero.
    ///
    /// Never fails: coefficients are bounded by 10^38 − 1 on both sides.
    public func negated() -> Decimal {
        Decimal(unchecked: -coefficient, scale: scale)
    }

    /// The value with the opposite sign; see `negated()`.
    public static prefix func - (operand: Decimal) -> Decimal {
        operand.negated()
    }
}

extension Decimal {
    /// How an exact magnitude and scale fit the value's limits.
    enum Fit {
        case value(Decimal)
        case tooManyDigits
        case tooManyFractionalDigits
    }

    /// The value of an exact result, or nil when it does not fit; see `fit(isNegative:magnitude:scale:)`.
    static func fitting(isNegative: Bool, magnitude: WideMagnitude, scale: Int) -> Decimal? {
        if case .value(let value) = fit(isNegative: isNegative, magnitude: magnitude, scale: scale) { return value }
        return nil
    }

    /// Writes an exact result within the limits, dropping trailing fractional zeros only while the
    /// result would otherwise not fit, so the written scale is kept whenever possible.
    static func fit(isNegative: Bool, magnitude: WideMagnitude, scale: Int) -> Fit {
        var magnitude = magnitude
        var scale = scale
        func fitsDigits(_ magnitude: WideMagnitude) -> Bool {
            magnitude.narrow.map { $0 <= maximumMagnitude } ?? false
        }
        while scale > 0, scale > maximumScale || !fitsDigits(magnitude) {
            let (quotient, remainder) = magnitude.dividedByTen()
            guard remainder == 0 else { break }
            magnitude = quotient
            scale -= 1
        }
        guard scale <= maximumScale else { return .tooManyFractionalDigits }
        guard let narrow = magnitude.narrow, narrow <= maximumMagnitude else { return .tooManyDigits }
        let coefficient = Int128(narrow)
        return .value(Decimal(unchecked: isNegative ? -coefficient : coefficient, scale: scale))
    }
}
