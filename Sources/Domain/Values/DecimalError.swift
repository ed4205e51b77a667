// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Why a text is not an accepted decimal, or why a decimal operation has no exact result.
///
/// A struct over a private code enum, so new failures never break callers; `code` is a stable
/// machine-readable word (validation reports it per record) and `message` names the offending text
/// and is safe to show a client.
public struct DecimalError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case empty
        case notADecimal
        case exponentNotAllowed
        case notANumber
        case negativeZero
        case tooManyFractionalDigits
        case overflow
        case scaleOutOfRange
    }

    private let rawCode: Code
    /// A message naming the offending text or operation, safe to show a client.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.rawCode = code
        self.message = message
    }

    /// A stable word for the kind of failure: `empty`, `notADecimal`, `exponentNotAllowed`,
    /// `notANumber`, `negativeZero`, `tooManyFractionalDigits`, `overflow` or `scaleOutOfRange`.
    ///
    /// A string rather than a public enum, so adding a failure never breaks an exhaustive `switch`.
    public var code: String { rawCode.rawValue }

    public var description: String { "\(code): \(message)" }
}

extension DecimalError {
    static func empty() -> DecimalError {
        DecimalError(.empty, "the value is empty; a decimal number such as 12.5 is required")
    }

    static func notADecimal(_ text: String) -> DecimalError {
        DecimalError(
            .notADecimal,
            "\(quoted(text)) is not a decimal number: write digits with an optional leading '-' and at most "
                + "one '.' between digits, such as -12.5"
        )
    }

    static func exponentNotAllowed(_ text: String) -> DecimalError {
        DecimalError(
            .exponentNotAllowed,
            "\(quoted(text)) uses an exponent; write the number in full, such as 1500 for 1.5e3"
        )
    }

    static func notANumber(_ text: String) -> DecimalError {
        DecimalError(.notANumber, "\(quoted(text)) is not a finite number; only plain decimal numbers are accepted")
    }

    static func negativeZero(_ text: String) -> DecimalError {
        DecimalError(.negativeZero, "\(quoted(text)) is a negative zero; write zero without a sign")
    }

    static func tooManyFractionalDigits(_ text: String, digits: Int, limit: Int) -> DecimalError {
        DecimalError(
            .tooManyFractionalDigits,
            "\(quoted(text)) has \(digits) fractional digits; at most \(limit) are accepted"
        )
    }

    static func tooManySignificantDigits(_ text: String, digits: Int) -> DecimalError {
        DecimalError(
            .overflow,
            "\(quoted(text)) has \(digits) significant digits; at most \(Decimal.maximumSignificantDigits) are accepted"
        )
    }

    static func coefficientOverflow(_ coefficient: Int128) -> DecimalError {
        DecimalError(
            .overflow,
            "the coefficient \(coefficient) has more than \(Decimal.maximumSignificantDigits) digits"
        )
    }

    static func scaleOutOfRange(_ scale: Int) -> DecimalError {
        DecimalError(.scaleOutOfRange, "the scale \(scale) is outside 0...\(Decimal.maximumScale)")
    }

    static func resultOverflow(_ operation: String, _ lhs: Decimal, _ rhs: Decimal) -> DecimalError {
        DecimalError(
            .overflow,
            "the \(operation) of \(lhs) and \(rhs) needs more than \(Decimal.maximumSignificantDigits) "
                + "significant digits"
        )
    }

    static func resultScaleOverflow(_ operation: String, _ lhs: Decimal, _ rhs: Decimal) -> DecimalError {
        DecimalError(
            .tooManyFractionalDigits,
            "the \(operation) of \(lhs) and \(rhs) needs more than \(Decimal.maximumScale) fractional digits"
        )
    }

    /// The text as a quoted, escaped literal, cut to a short prefix.
    ///
    /// Input can be a whole spreadsheet cell or an attacker's megabyte; the message only has to let
    /// a person find the value, and escaping keeps control characters out of logs and status lines.
    private static func quoted(_ text: String) -> String {
        let limit = 40
        guard text.count > limit else { return String(reflecting: text) }
        return String(reflecting: String(text.prefix(limit)) + "…")
    }
}
