// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Why an identifier could not be made.
///
/// A struct over a private code enum, so new failures never break callers; `code` is a stable word
/// and `message` is safe to show a client.
public struct IdentifierError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case exhausted
        case notRandom
        case periodRequired
        case periodNotApplicable
        case periodOutOfRange
        case notAProductID
        case sequenceOutOfRange
    }

    private let rawCode: Code
    /// What went wrong, safe to show a client.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.rawCode = code
        self.message = message
    }

    /// A stable word for the kind of failure: `exhausted`, `notRandom`, `periodRequired`,
    /// `periodNotApplicable`, `periodOutOfRange`, `notAProductID` or `sequenceOutOfRange`.
    public var code: String { rawCode.rawValue }

    public var description: String { "\(code): \(message)" }
}

extension IdentifierError {
    static func exhausted(_ kind: IdentifierKind, attempts: Int) -> IdentifierError {
        IdentifierError(.exhausted, "could not find a free \(kind) id after \(attempts) attempts")
    }

    static func notRandom(_ kind: IdentifierKind) -> IdentifierError {
        IdentifierError(.notRandom, "\(kind) ids are derived, not generated at random")
    }

    static func periodRequired(_ kind: IdentifierKind) -> IdentifierError {
        IdentifierError(.periodRequired, "\(kind) ids (\(kind.format)) need a year and a month")
    }

    static func periodNotApplicable(_ kind: IdentifierKind) -> IdentifierError {
        IdentifierError(.periodNotApplicable, "\(kind) ids (\(kind.format)) carry no year or month")
    }

    static func periodOutOfRange(year: Int, month: Int) -> IdentifierError {
        IdentifierError(.periodOutOfRange, "the period \(year)-\(month) is outside years 1...9999 and months 1...12")
    }

    static func notAProductID(_ text: String) -> IdentifierError {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return IdentifierError(
            .notAProductID,
            "\(String(reflecting: shown)) is not a product id (\(IdentifierKind.product.format))"
        )
    }

    static func sequenceOutOfRange(_ sequence: Int) -> IdentifierError {
        let range = ItemIdentifier.sequences
        return IdentifierError(
            .sequenceOutOfRange,
            "item number \(sequence) is outside \(range.lowerBound)...\(range.upperBound)"
        )
    }
}
