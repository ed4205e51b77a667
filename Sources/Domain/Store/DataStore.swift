// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Where the domain's objects live: transactions over repositories.
///
/// Operations run a synchronous closure inside one transaction, so a check and the write that
/// depends on it (is this MPN free? then insert the item) can never interleave with another
/// writer: the embedded SQLite store runs writes one at a time under `BEGIN IMMEDIATE`, and a
/// PostgreSQL store would use a serializable transaction. The closure runs on the store's own
/// threads, never on an event loop or the cooperative pool, which is why it is synchronous.
///
/// Errors: the closure's own errors pass through unchanged (and roll the write back); storage
/// failures surface as `DomainError` (`.alreadyExists` for a unique constraint, `.unavailable`
/// for a busy or closed database, `.resourceExhausted` for a full disk, `.internalFailure` else).
public protocol DataStore: Sendable {
    /// Runs `body` in a read transaction: one consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T
    /// Runs `body` in a write transaction, committed when it returns and rolled back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T
}

/// Every read the domain needs, within one transaction.
public protocol StoreReader: CatalogueReader, UsageReader {}

/// Every read and write the domain needs, within one write transaction.
public protocol StoreWriter: StoreReader, CatalogueWriter, UsageWriter {}
