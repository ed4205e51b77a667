// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

/// Reads a decimal the test knows to be valid.
private func decimal(_ text: String) throws -> Decimal {
    try Decimal(parsing: text)
}

/// The code a parse fails with, or nil when it succeeds.
private func parseFailure(_ text: String) -> String? {
    do {
        _ = try Decimal(parsing: text)
        return nil
    } catch {
        return error.code
    }
}

/// A small, seedable generator so the property checks are the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let thirtyEightNines = String(repeating: "9", count: 38)

@Suite struct DecimalParsingTests {
    /// Accepted text and the canonical description of the value read.
    static let accepted: [(String, String)] = [
        ("0", "0"),
        ("1", "1"),
        ("-1", "-1"),
        ("42", "42"),
        ("1.5", "1.5"),
        ("1.50", "1.50"),
        ("-1.50", "-1.50"),
        ("0.00", "0.00"),
        ("0.007", "0.007"),
        ("-0.001", "-0.001"),
        ("007", "7"),
        ("00.10", "0.10"),
        ("-007.50", "-7.50"),
        ("100.5", "100.5"),
        ("3.257", "3.257"),
        ("0.000000000000000001", "0.000000000000000001"),
        ("1.000000000000000000", "1.000000000000000000"),
        ("123456789.123456789012345678", "123456789.123456789012345678"),
        ("12345678901234567890.123456789012345678", "12345678901234567890.123456789012345678"),
        (thirtyEightNines, thirtyEightNines),
        ("-" + thirtyEightNines, "-" + thirtyEightNines),
        (String(repeating: "0", count: 42) + "1", "1"),
        ("0." + String(repeating: "0", count: 17) + "1", "0." + String(repeating: "0", count: 17) + "1"),
        ("9223372036854775808", "9223372036854775808"),
    ]

    @Test(arguments: accepted)
    func accepts(text: String, canonical: String) throws {
        let value = try Decimal(parsing: text)
        #expect(value.description == canonical)
    }

    /// Refused text and the exact code.
    static let refused: [(String, String)] = [
        ("", "empty"),
        ("-", "notADecimal"),
        ("+1", "notADecimal"),
        ("+0", "notADecimal"),
        (".5", "notADecimal"),
        ("-.5", "notADecimal"),
        ("5.", "notADecimal"),
        ("-5.", "notADecimal"),
        (".", "notADecimal"),
        ("1.2.3", "notADecimal"),
        ("1,5", "notADecimal"),
        ("1 000", "notADecimal"),
        ("1_000", "notADecimal"),
        (" 1", "notADecimal"),
        ("1 ", "notADecimal"),
        ("\t1", "notADecimal"),
        ("1\n", "notADecimal"),
        ("\u{A0}1", "notADecimal"),
        ("--1", "notADecimal"),
        ("- 1", "notADecimal"),
        ("1-", "notADecimal"),
        ("abc", "notADecimal"),
        ("0x10", "notADecimal"),
        ("١٢", "notADecimal"),
        ("１", "notADecimal"),
        ("1e", "notADecimal"),
        ("e5", "notADecimal"),
        ("1e5.0", "notADecimal"),
        ("1e+", "notADecimal"),
        ("1.2.3e4", "notADecimal"),
        ("nanx", "notADecimal"),
        ("infinite", "notADecimal"),
        ("1e400", "exponentNotAllowed"),
        ("1E5", "exponentNotAllowed"),
        ("1.5e-3", "exponentNotAllowed"),
        ("-2E+10", "exponentNotAllowed"),
        ("+1e5", "exponentNotAllowed"),
        ("5.e2", "exponentNotAllowed"),
        ("NaN", "notANumber"),
        ("nan", "notANumber"),
        ("-NaN", "notANumber"),
        ("sNaN", "notANumber"),
        ("inf", "notANumber"),
        ("-inf", "notANumber"),
        ("+Infinity", "notANumber"),
        ("Infinity", "notANumber"),
        ("INF", "notANumber"),
        ("-0", "negativeZero"),
        ("-0.00", "negativeZero"),
        ("-000", "negativeZero"),
        ("-0." + String(repeating: "0", count: 18), "negativeZero"),
        ("0.1234567890123456789", "tooManyFractionalDigits"),
        ("-1.0000000000000000000", "tooManyFractionalDigits"),
        ("0." + String(repeating: "0", count: 19), "tooManyFractionalDigits"),
        ("1" + String(repeating: "0", count: 38), "overflow"),
        ("-1" + String(repeating: "0", count: 38), "overflow"),
        ("123456789012345678901234567890123456789", "overflow"),
        ("12345678901234567890123.4567890123456789", "overflow"),
        (String(repeating: "9", count: 1000), "overflow"),
    ]

    @Test(arguments: refused)
    func refuses(text: String, code: String) {
        #expect(parseFailure(text) == code)
        #expect(Decimal(text) == nil)
    }

    @Test(arguments: ["1e400", "NaN", "-0", " 1", "+1", "0.1234567890123456789"])
    func messageNamesTheText(text: String) throws {
        let error = try #require(throws: DecimalError.self) { try Decimal(parsing: text) }
        #expect(error.message.contains(String(reflecting: text)))
        #expect(error.description.hasPrefix(error.code + ": "))
    }

    @Test func messageOfHugeTextIsShort() throws {
        let text = String(repeating: "x", count: 100_000)
        let error = try #require(throws: DecimalError.self) { try Decimal(parsing: text) }
        #expect(error.code == "notADecimal")
        #expect(error.message.count < 300)
        #expect(error.message.contains("xxxx…"))
    }

    @Test func messageEscapesControlCharacters() throws {
        let error = try #require(throws: DecimalError.self) { try Decimal(parsing: "1\u{1B}[31m") }
        #expect(!error.message.contains("\u{1B}"))
    }

    @Test func readsSubstringsAndBytes() throws {
        let line = "12.5,7"
        let cell = line.split(separator: ",")[0]
        #expect(try Decimal(parsing: cell).description == "12.5")
        #expect(try Decimal(parsingUTF8: Array("-0.25".utf8)).description == "-0.25")
        #expect(try Decimal(parsingUTF8: "3".utf8).description == "3")
        let invalid = try #require(throws: DecimalError.self) { try Decimal(parsingUTF8: [0x31, 0xFF]) }
        #expect(invalid.code == "notADecimal")
        let empty = try #require(throws: DecimalError.self) { try Decimal(parsingUTF8: [UInt8]()) }
        #expect(empty.code == "empty")
    }

    @Test func keepsWrittenScale() throws {
        let value = try decimal("1.50")
        #expect(value.coefficient == 150)
        #expect(value.scale == 2)
        #expect(value.fractionalDigits == 2)
        #expect(value.significantFractionalDigits == 1)
        #expect(value.normalized.description == "1.5")
    }
}

@Suite struct DecimalFormattingTests {
    static let canonical: [String] = [
        "0", "1", "-1", "0.5", "-0.5", "0.05", "0.00", "10", "10.0", "1.50", "-123.456",
        "0.000000000000000001", thirtyEightNines, "-" + thirtyEightNines,
        "1234567890123456789.012345678901234567",
    ]

    @Test(arguments: canonical)
    func roundTrips(text: String) throws {
        let value = try decimal(text)
        #expect(value.description == text)
        let again = try decimal(value.description)
        #expect(again.coefficient == value.coefficient)
        #expect(again.scale == value.scale)
    }

    static let fromParts: [(Int128, Int, String)] = [
        (5, 3, "0.005"),
        (-5, 3, "-0.005"),
        (0, 2, "0.00"),
        (123, 0, "123"),
        (-12345, 2, "-123.45"),
        (1000, 3, "1.000"),
        (1, 36, "0." + String(repeating: "0", count: 35) + "1"),
        (Int128(thirtyEightNines)!, 36, "99." + String(repeating: "9", count: 36)),
        (-Int128(thirtyEightNines)!, 0, "-" + thirtyEightNines),
    ]

    @Test(arguments: fromParts)
    func describesParts(coefficient: Int128, scale: Int, text: String) throws {
        let value = try Decimal(coefficient: coefficient, scale: scale)
        #expect(value.description == text)
        #expect(value.coefficient == coefficient)
        #expect(value.scale == scale)
    }

    static let badParts: [(Int128, Int, String)] = [
        (1, -1, "scaleOutOfRange"),
        (1, 37, "scaleOutOfRange"),
        (Int128(thirtyEightNines)! + 1, 0, "overflow"),
        (-Int128(thirtyEightNines)! - 1, 5, "overflow"),
        (Int128.min, 0, "overflow"),
        (Int128.max, 0, "overflow"),
    ]

    @Test(arguments: badParts)
    func refusesBadParts(coefficient: Int128, scale: Int, code: String) throws {
        let error = try #require(throws: DecimalError.self) { try Decimal(coefficient: coefficient, scale: scale) }
        #expect(error.code == code)
    }

    static let normalizedForms: [(String, String, Int)] = [
        ("1.50", "1.5", 1),
        ("3.000", "3", 0),
        ("0.00", "0", 0),
        ("-10.10", "-10.1", 1),
        ("100", "100", 0),
        ("0.000000000000000100", "0.0000000000000001", 16),
    ]

    @Test(arguments: normalizedForms)
    func normalizes(text: String, normalized: String, significant: Int) throws {
        let value = try decimal(text)
        #expect(value.normalized.description == normalized)
        #expect(value.significantFractionalDigits == significant)
        #expect(value.normalized.scale == significant)
        #expect(value.normalized == value)
    }

    @Test func integers() {
        #expect(Decimal(0).description == "0")
        #expect(Decimal(-5).description == "-5")
        #expect(Decimal(Int.max).description == String(Int.max))
        #expect(Decimal(Int.min).description == String(Int.min))
        #expect(Decimal(7).scale == 0)
    }

    @Test func signAndZero() throws {
        #expect(Decimal.zero.isZero)
        #expect(!Decimal.zero.isNegative)
        #expect(Decimal.zero.description == "0")
        #expect(try decimal("0.00").isZero)
        #expect(!(try decimal("0.00").isNegative))
        #expect(try decimal("-0.01").isNegative)
        #expect(!(try decimal("-0.01").isZero))
        #expect(!(try decimal("0.01").isNegative))
        #expect(Decimal(-3).isNegative)
    }

    @Test func losslessStringConvertible() {
        #expect(Decimal("2.5")?.description == "2.5")
        #expect(Decimal("2.5e1") == nil)
    }
}

@Suite struct DecimalComparisonTests {
    /// Two values and the sign of their difference.
    static let orderCases: [(String, String, Int)] = [
        ("1.50", "1.5", 0),
        ("1", "1.000", 0),
        ("0.00", "0", 0),
        ("-1.5", "-1.50", 0),
        ("1.01", "1.1", -1),
        ("-1.01", "-1.1", 1),
        ("-0.5", "0.1", -1),
        ("0", "-0.000000000000000001", 1),
        ("0", "0.000000000000000001", -1),
        ("2", "1.999999999999999999", 1),
        ("-2", "-1.999999999999999999", -1),
        (thirtyEightNines, "0.000000000000000001", 1),
        ("-" + thirtyEightNines, "-0.000000000000000001", -1),
        (thirtyEightNines, "99999999999999999999.999999999999999999", 1),
        ("-9999999999999999999.999999999999999999", "-9999999999999999999.99999999999999999", -1),
        ("10", "9.99", 1),
        ("-10", "-9.99", -1),
        ("123.450", "123.45", 0),
    ]

    @Test(arguments: orderCases)
    func orders(lhs: String, rhs: String, order: Int) throws {
        let a = try decimal(lhs)
        let b = try decimal(rhs)
        #expect((a < b) == (order < 0))
        #expect((b < a) == (order > 0))
        #expect((a == b) == (order == 0))
        #expect((a <= b) == (order <= 0))
        if order == 0 {
            #expect(a.hashValue == b.hashValue)
            #expect(Set([a, b]).count == 1)
        }
    }

    @Test func sortsAcrossScales() throws {
        let texts = ["1.5", "-2", "0.05", "-0.5", "10", "1.49", "0"]
        let sorted = try texts.map(decimal).sorted().map(\.description)
        #expect(sorted == ["-2", "-0.5", "0", "0.05", "1.49", "1.5", "10"])
    }
}

@Suite struct DecimalArithmeticTests {
    static let sums: [(String, String, String)] = [
        ("1.50", "1", "2.50"),
        ("0.1", "0.2", "0.3"),
        ("-1.5", "1.5", "0.0"),
        ("1", "-2.25", "-1.25"),
        ("-1", "-2.25", "-3.25"),
        ("0", "0", "0"),
        ("99999999999999999999999999999999999998", "1", thirtyEightNines),
        ("-" + thirtyEightNines, thirtyEightNines, "0"),
        // The exact sum at scale 1 needs 39 digits; written without its trailing zero it fits.
        ("9999999999999999999999999999999999999.5", "0.5", "10000000000000000000000000000000000000"),
        // Aligning to scale 18 passes Int128; the exact value still fits.
        ("10000000000000000000000000000000000000", "0.000000000000000000", "10000000000000000000000000000000000000"),
        ("0.000000000000000001", "-1", "-0.999999999999999999"),
    ]

    @Test(arguments: sums)
    func adds(lhs: String, rhs: String, sum: String) throws {
        let a = try decimal(lhs)
        let b = try decimal(rhs)
        #expect(try a.adding(b).description == sum)
        #expect(try b.adding(a).description == sum)
    }

    static let differences: [(String, String, String)] = [
        ("2.50", "1", "1.50"),
        ("1", "1.000", "0.000"),
        ("0", "0.5", "-0.5"),
        ("-1.5", "-1.5", "0.0"),
        ("-" + String(repeating: "9", count: 37), "1", "-" + "1" + String(repeating: "0", count: 37)),
    ]

    @Test(arguments: differences)
    func subtracts(lhs: String, rhs: String, difference: String) throws {
        #expect(try decimal(lhs).subtracting(decimal(rhs)).description == difference)
    }

    static let products: [(String, String, String)] = [
        ("1.5", "0.25", "0.375"),
        ("1.50", "2.0", "3.000"),
        ("-2", "3", "-6"),
        ("-2", "-3.5", "7.0"),
        ("0.5", "0.2", "0.10"),
        ("0", "-5", "0"),
        ("0.000000000000000001", "0.000000000000000001", "0." + String(repeating: "0", count: 35) + "1"),
        ("9999999999999999999", "9999999999999999999", "99999999999999999980000000000000000001"),
        // 57 digits at scale 36 before dropping the zeros of the second factor.
        ("12345678901234567890.123456789012345678", "1.000000000000000000", "12345678901234567890.123456789012345678"),
    ]

    @Test(arguments: products)
    func multiplies(lhs: String, rhs: String, product: String) throws {
        let a = try decimal(lhs)
        let b = try decimal(rhs)
        #expect(try a.multiplied(by: b).description == product)
        #expect(try b.multiplied(by: a).description == product)
    }

    /// Operations whose exact result does not fit, and the code.
    static let overflowCases: [(String, String, String, String)] = [
        ("+", thirtyEightNines, "1", "overflow"),
        ("+", thirtyEightNines, "0.1", "overflow"),
        ("+", "-" + thirtyEightNines, "-1", "overflow"),
        ("-", "-" + thirtyEightNines, "1", "overflow"),
        ("-", thirtyEightNines, "-0.000000000000000001", "overflow"),
        ("*", "10000000000000000000", "10000000000000000000", "overflow"),
        ("*", "-9999999999999999999", "99999999999999999999", "overflow"),
        ("*", thirtyEightNines, "1.1", "overflow"),
    ]

    @Test(arguments: overflowCases)
    func overflows(operation: String, lhs: String, rhs: String, code: String) throws {
        let a = try decimal(lhs)
        let b = try decimal(rhs)
        let error = try #require(throws: DecimalError.self) {
            switch operation {
            case "+": try a.adding(b)
            case "-": try a.subtracting(b)
            default: try a.multiplied(by: b)
            }
        }
        #expect(error.code == code)
        #expect(error.message.contains(a.description))
    }

    @Test func productBeyondMaximumScale() throws {
        let tiny = try Decimal(coefficient: 1, scale: 36)
        let error = try #require(throws: DecimalError.self) { try tiny.multiplied(by: decimal("0.1")) }
        #expect(error.code == "tooManyFractionalDigits")
        // Trailing zeros are dropped before the scale limit applies.
        let ten = try Decimal(coefficient: 10, scale: 36)
        #expect(try ten.multiplied(by: decimal("0.1")).description == "0." + String(repeating: "0", count: 35) + "1")
    }

    @Test func negation() throws {
        #expect(-(try decimal("1.5")) == (try decimal("-1.5")))
        #expect((try decimal("-1.50")).negated().description == "1.50")
        #expect((-Decimal.zero).isZero)
        #expect(!(-Decimal.zero).isNegative)
        #expect((-Decimal.zero).description == "0")
        #expect((-(try decimal(thirtyEightNines))).description == "-" + thirtyEightNines)
    }
}

@Suite struct DecimalPrecisionTests {
    /// A value, the allowed fractional digits, and whether it fits.
    static let cases: [(String, Int, Bool)] = [
        // integer
        ("100", 0, true),
        ("100.000", 0, true),
        ("100.5", 0, false),
        ("-7", 0, true),
        ("0.00", 0, true),
        // decimal(1)
        ("1.50", 1, true),
        ("1.5", 1, true),
        ("1.55", 1, false),
        ("-0.10", 1, true),
        // decimal(2)
        ("3.257", 2, false),
        ("-3.257", 2, false),
        ("1.23", 2, true),
        ("1.230", 2, true),
        ("12", 2, true),
        // decimal(4)
        ("1.2345", 4, true),
        ("1.23456", 4, false),
        ("1.234500000", 4, true),
        // decimal(8)
        ("1.23456789", 8, true),
        ("1.234567891", 8, false),
        ("0.00000001", 8, true),
        ("0.000000001", 8, false),
        ("0.000000000000000000", 8, true),
        // nothing fits a negative count
        ("5", -1, false),
    ]

    @Test(arguments: cases)
    func fits(text: String, digits: Int, expected: Bool) throws {
        #expect(try decimal(text).fits(fractionalDigits: digits) == expected)
    }
}

@Suite struct DecimalPropertyTests {
    private static func randomValue(using generator: inout SplitMix64) -> Decimal {
        let bound: Int128 = 1_000_000_000_000_000
        let coefficient = Int128.random(in: -bound...bound, using: &generator)
        let scale = Int.random(in: 0...18, using: &generator)
        return try! Decimal(coefficient: coefficient, scale: scale)
    }

    private static func power(_ exponent: Int) -> Int128 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    @Test func arithmeticAndOrderingAgreeWithInt128() throws {
        var generator = SplitMix64(state: 0x5EED)
        for _ in 0..<5000 {
            let a = Self.randomValue(using: &generator)
            let b = Bool.random(using: &generator) ? Self.randomValue(using: &generator) : a.negated()
            let scale = max(a.scale, b.scale)
            let x = a.coefficient * Self.power(scale - a.scale)
            let y = b.coefficient * Self.power(scale - b.scale)

            #expect((a < b) == (x < y))
            #expect((a == b) == (x == y))
            #expect((b < a) == (y < x))

            let sum = try a.adding(b)
            #expect(sum.coefficient == x + y)
            #expect(sum.scale == scale)
            #expect(try sum.subtracting(b) == a)

            let difference = try a.subtracting(b)
            #expect(difference.coefficient == x - y)
            #expect(try difference.adding(b) == a)

            let product = try a.multiplied(by: b)
            #expect(product.coefficient == a.coefficient * b.coefficient)
            #expect(product.scale == a.scale + b.scale)

            let parsed = try Decimal(parsing: a.description)
            #expect(parsed.coefficient == a.coefficient && parsed.scale == a.scale)
        }
    }

    @Test func equalValuesHashAlike() throws {
        var generator = SplitMix64(state: 0xC0FFEE)
        for _ in 0..<2000 {
            let a = Self.randomValue(using: &generator)
            let extra = Int.random(in: 0...(Decimal.maximumScale - a.scale), using: &generator)
            let (coefficient, overflow) = a.coefficient.multipliedReportingOverflow(by: Self.power(extra))
            guard !overflow, coefficient.magnitude <= UInt128(thirtyEightNines)! else { continue }
            let widened = try Decimal(coefficient: coefficient, scale: a.scale + extra)
            #expect(widened == a)
            #expect(widened.hashValue == a.hashValue)
            #expect(widened.normalized.coefficient == a.normalized.coefficient)
            #expect(widened.normalized.scale == a.normalized.scale)
        }
    }
}
