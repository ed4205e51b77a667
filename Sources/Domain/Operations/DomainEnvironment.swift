// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// What every operation needs from outside: where objects live, what time it is, and how new ids
/// are made. The server builds one; tests build one over a temporary store and a fixed clock.
public struct DomainEnvironment: Sendable {
    public var store: any DataStore
    public var clock: any DomainClock
    public var identifiers: IdentifierGenerator

    public init(
        store: any DataStore, clock: any DomainClock = SystemClock(),
        identifiers: IdentifierGenerator = IdentifierGenerator()
    ) {
        self.store = store
        self.clock = clock
        self.identifiers = identifiers
    }

    /// A new random id of `kind` that no stored object has, checked inside the caller's write
    /// transaction so two writers can never pick the same one. Dated kinds take the year and
    /// month of `time` (default: now).
    public func newID(_ kind: IdentifierKind, in tx: any StoreReader, at time: Timestamp? = nil) throws -> String {
        do {
            if kind.isDated {
                let days = (time ?? clock.now()).secondsSinceEpoch / 86_400
                let civil = CivilDate.fromDays(days)
                return try identifiers.make(kind, year: Int(civil.year), month: Int(civil.month)) {
                    try tx.isIdentifierTaken($0)
                }
            }
            return try identifiers.make(kind) { try tx.isIdentifierTaken($0) }
        } catch let error as IdentifierError {
            throw DomainError.resourceExhausted("could not make a new \(kind.format) id: \(error.message)")
        }
    }
}
