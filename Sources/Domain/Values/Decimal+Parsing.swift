// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

extension Decimal: LosslessStringConvertible {
    /// Reads a decimal from text of exactly the form `-?[0-9]+(\.[0-9]+)?`.
    ///
    /// Strict on purpose: a record's quantity is money, so anything a person might mean in more
    /// than one way is refused with a precise code rather than guessed — whitespace (trimming is
    /// the caller's decision), a leading `+`, `.5` and `5.`, exponents (`exponentNotAllowed`),
    /// `NaN` and infinities (`notANumber`), `-0` (`negativeZero`, so a sign is never silently
    /// lost), more than 18 fractional digits (`tooManyFractionalDigits`) and more than 38
    /// significant digits (`overflow`). Leading zeros are accepted (`007` is 7). The written scale
    /// is kept: `1.50` has scale 2.
    public init(parsing text: some StringProtocol) throws(DecimalError) {
        self = try Decimal.parse(text.utf8) { String(text) }
    }

    /// Reads a decimal from UTF-8 bytes with the rules of `init(parsing:)`.
    ///
    /// For file readers that hold cells as bytes: no `String` is made unless the value is refused.
    public init(parsingUTF8 bytes: some Collection<UInt8>) throws(DecimalError) {
        self = try Decimal.parse(bytes) { String(decoding: bytes, as: UTF8.self) }
    }

    /// Reads a decimal with the rules of `init(parsing:)`, or nil when the text is refused.
    public init?(_ description: String) {
        guard let value = try? Decimal(parsing: description) else { return nil }
        self = value
    }
}

extension Decimal {
    /// The strict reader behind every parsing initializer; `text` renders the input for messages.
    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, text: () -> String) throws(DecimalError) -> Decimal {
        guard !bytes.isEmpty else { throw .empty() }
        var index = bytes.startIndex
        let isNegative = bytes[index] == UInt8(ascii: "-")
        if isNegative { bytes.formIndex(after: &index) }

        var magnitude: UInt128 = 0
        var significantDigits = 0
        var integerDigits = 0
        var fractionalDigits = 0

        while index != bytes.endIndex, let digit = digitValue(bytes[index]) {
            accumulate(digit, into: &magnitude, significantDigits: &significantDigits)
            integerDigits += 1
            bytes.formIndex(after: &index)
        }
        guard integerDigits > 0 else { throw malformed(bytes, text: text) }
        if index != bytes.endIndex {
            guard bytes[index] == UInt8(ascii: ".") else { throw malformed(bytes, text: text) }
            bytes.formIndex(after: &index)
            while index != bytes.endIndex, let digit = digitValue(bytes[index]) {
                accumulate(digit, into: &magnitude, significantDigits: &significantDigits)
                fractionalDigits += 1
                bytes.formIndex(after: &index)
            }
            guard fractionalDigits > 0, index == bytes.endIndex else { throw malformed(bytes, text: text) }
        }

        guard fractionalDigits <= maximumParsedFractionalDigits else {
            throw .tooManyFractionalDigits(text(), digits: fractionalDigits, limit: maximumParsedFractionalDigits)
        }
        guard significantDigits <= maximumSignificantDigits else {
            throw .tooManySignificantDigits(text(), digits: significantDigits)
        }
        guard !(isNegative && magnitude == 0) else { throw .negativeZero(text()) }
        let coefficient = Int128(magnitude)
        return Decimal(unchecked: isNegative ? -coefficient : coefficient, scale: fractionalDigits)
    }

    /// Appends a digit to the coefficient, counting it once the first non-zero digit is seen.
    ///
    /// Digits beyond the 38th are counted but not added, so an over-long input is reported as
    /// `overflow` instead of overflowing.
    private static func accumulate(_ digit: UInt8, into magnitude: inout UInt128, significantDigits: inout Int) {
        guard significantDigits > 0 || digit != 0 else { return }
        significantDigits += 1
        if significantDigits <= maximumSignificantDigits { magnitude = magnitude * 10 + UInt128(digit) }
    }

    private static func digitValue(_ byte: UInt8) -> UInt8? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
    }

    /// Names what a text that failed the grammar looks like, for a code the sender can act on.
    private static func malformed<Bytes: Collection<UInt8>>(_ bytes: Bytes, text: () -> String) -> DecimalError {
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { body = body.dropFirst() }
        if isNotANumberWord(body) { return .notANumber(text()) }
        if isExponentForm(body) { return .exponentNotAllowed(text()) }
        return .notADecimal(text())
    }

    /// Whether the bytes spell `nan`, `snan`, `inf` or `infinity` in any letter case.
    private static func isNotANumberWord<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard bytes.count <= 8 else { return false }
        let lowered = bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        return ["nan", "snan", "inf", "infinity"].contains { Array($0.utf8) == lowered }
    }

    /// Whether the bytes are scientific notation: a mantissa with at least one digit and at most
    /// one `.`, then `e` or `E`, an optional sign and at least one digit.
    private static func isExponentForm<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let marker = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            return false
        }
        let mantissa = bytes[..<marker]
        var exponent = bytes[bytes.index(after: marker)...]
        let mantissaDigits = mantissa.count { digitValue($0) != nil }
        let mantissaPoints = mantissa.count { $0 == UInt8(ascii: ".") }
        guard mantissaDigits > 0, mantissaPoints <= 1, mantissaDigits + mantissaPoints == mantissa.count else {
            return false
        }
        if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            exponent = exponent.dropFirst()
        }
        return !exponent.isEmpty && exponent.allSatisfy { digitValue($0) != nil }
    }
}
