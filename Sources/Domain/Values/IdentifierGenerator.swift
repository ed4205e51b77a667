// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Makes new Connect-style ids from random digits, retrying while an id is already taken.
///
/// The random source is injected so tests get the same ids every run; the collision check is a
/// closure (usually the store's `isIdentifierTaken`) so the domain stays free of storage. Retries
/// are bounded: a space that is nearly full fails with `exhausted` instead of looping. A check
/// before insert can still race with another insert, so the store's unique constraint remains the
/// final guard; `candidate(_:)` gives a single id for callers that retry on that constraint.
public struct IdentifierGenerator: Sendable {
    /// The attempts `make` allows when none is given.
    public static let defaultMaximumAttempts = 16

    /// How many ids `make` tries before it throws `exhausted`; at least 1.
    public let maximumAttempts: Int
    private let source: any RandomDigitSource

    /// Creates a generator drawing digits from `source`.
    ///
    /// `maximumAttempts` below 1 is raised to 1: a generator that never tries is no generator.
    public init(
        source: any RandomDigitSource = SystemRandomDigitSource(),
        maximumAttempts: Int = defaultMaximumAttempts
    ) {
        self.source = source
        self.maximumAttempts = max(1, maximumAttempts)
    }

    /// One random id of an undated kind, without checking whether it is taken.
    ///
    /// Throws `periodRequired` for dated kinds and `notRandom` for item ids.
    public func candidate(_ kind: IdentifierKind) throws(IdentifierError) -> String {
        guard kind.isRandom else { throw .notRandom(kind) }
        guard !kind.isDated else { throw .periodRequired(kind) }
        return render(kind, year: nil, month: nil)
    }

    /// One random id of a dated kind (`UF-yyyy-mm-…`, `UR-yyyy-mm-…`), without checking whether it
    /// is taken.
    ///
    /// Throws `periodNotApplicable` for undated kinds, `notRandom` for item ids, and
    /// `periodOutOfRange` outside years `1...9999` and months `1...12`.
    public func candidate(_ kind: IdentifierKind, year: Int, month: Int) throws(IdentifierError) -> String {
        guard kind.isRandom else { throw .notRandom(kind) }
        guard kind.isDated else { throw .periodNotApplicable(kind) }
        guard IdentifierLayout.years.contains(year), IdentifierLayout.months.contains(month) else {
            throw .periodOutOfRange(year: year, month: month)
        }
        return render(kind, year: year, month: month)
    }

    /// A random id of an undated kind that `isTaken` says is free.
    ///
    /// Rethrows whatever `isTaken` throws; throws `IdentifierError` `exhausted` after
    /// `maximumAttempts` taken ids, and the errors of `candidate(_:)`.
    public func make(_ kind: IdentifierKind, isTaken: (String) throws -> Bool) throws -> String {
        try firstFree(kind, isTaken: isTaken) { () throws(IdentifierError) in try candidate(kind) }
    }

    /// A random id of a dated kind that `isTaken` says is free.
    ///
    /// Rethrows whatever `isTaken` throws; throws `IdentifierError` `exhausted` after
    /// `maximumAttempts` taken ids, and the errors of `candidate(_:year:month:)`.
    public func make(
        _ kind: IdentifierKind, year: Int, month: Int, isTaken: (String) throws -> Bool
    ) throws -> String {
        try firstFree(kind, isTaken: isTaken) { () throws(IdentifierError) in
            try candidate(kind, year: year, month: month)
        }
    }

    /// The id of item `sequence` of `product`: `itemID(product: "PRD-123-456-789", sequence: 7)`
    /// is `PRD-123-456-789-0007`, local id `PRD_123_456_789_0007`.
    ///
    /// Here so every id format is made in one place; see `ItemIdentifier.init(product:sequence:)`.
    public static func itemID(product: String, sequence: Int) throws(IdentifierError) -> ItemIdentifier {
        try ItemIdentifier(product: product, sequence: sequence)
    }

    private func firstFree(
        _ kind: IdentifierKind, isTaken: (String) throws -> Bool, next: () throws(IdentifierError) -> String
    ) throws -> String {
        for _ in 0..<maximumAttempts {
            let id = try next()
            if try !isTaken(id) { return id }
        }
        throw IdentifierError.exhausted(kind, attempts: maximumAttempts)
    }

    private func render(_ kind: IdentifierKind, year: Int?, month: Int?) -> String {
        let layout = kind.layout
        let digits = (0..<layout.digitCount).map { _ in source.nextDigit() % 10 }
        return layout.render(year: year, month: month, digits: digits)
    }
}
