// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// What every operation needs from outside: where objects live, what time it is, and how new ids
/// are made. The server builds one; tests build one over a temporary store and a fixed clock.
public struct DomainEnvironment: Sendable {
    public var store: any DataStore
    public var clock: any DomainClock

    public init(store: any DataStore, clock: any DomainClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// A new random id of `kind` that no stored object has, checked inside the caller's write
    /// transaction so two writers can never pick the same one.
    public func newID(_ kind: IdentifierKind, in tx: any StoreReader, at time: Timestamp? = nil) throws -> String {
        let layout = kind.layout
        let digitCount = layout.groups.reduce(0, +)
        var date: (year: Int, month: Int)?
        if layout.isDated {
            let days = (time ?? clock.now()).secondsSinceEpoch / 86_400
            let civil = CivilDate.fromDays(days)
            date = (Int(civil.year), Int(civil.month))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<64 {
            let digits = (0..<digitCount).map { _ in UInt8.random(in: 0...9, using: &generator) }
            let id = layout.render(year: date?.year, month: date?.month, digits: digits)
            if try !tx.isIdentifierTaken(id) { return id }
        }
        throw DomainError(kind: .resourceExhausted, message: "no free \(kind.format) id after 64 attempts")
    }
}
