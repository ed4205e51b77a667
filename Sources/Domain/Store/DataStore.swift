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
    /// Runs `body` as `read` does, or returns what an earlier call with an equal `key` returned
    /// when no write has committed since that call read it.
    ///
    /// Why: hot reads (a product, a page of items) then skip the hop to a storage thread and the
    /// transaction. `key` must name everything `body` depends on besides the stored data (tenant,
    /// ids, filters, page); only returned values are kept, never errors, so every refusal is decided
    /// afresh. A store may keep values only if it sees every write to its data: the embedded SQLite
    /// store is the only writer of its file, so counting its own commits is exact. A store that
    /// other processes write (a shared PostgreSQL, several servers on one database) must not keep
    /// values, and the default implementation keeps none: it simply calls `read`.
    func read<Key: Hashable & Sendable, T: Sendable>(
        cachedAs key: Key, _ body: @escaping @Sendable (any StoreReader) throws -> T
    ) async throws -> T
    /// A number that moves whenever a write commits, or nil when the store cannot tell (another
    /// process may write its data, a commit is under way, or it keeps no cached values).
    ///
    /// Why: a cache above the store (encoded replies) may keep a result made from reads that
    /// started after the generation was `g`, and serve it again only while the generation is still
    /// `g`. The same rule as `read(cachedAs:_:)`: only a store that sees every write may answer,
    /// and the default answers nil, which means "keep nothing".
    var readGeneration: UInt64? { get }
    /// Returns once an event after `position` may have committed: at once when the store already
    /// knows of one, else when the next write that appends events commits. Throws
    /// `CancellationError` when the caller's task is cancelled meanwhile.
    ///
    /// Why: a live event stream reads what is there, then waits here instead of polling, and
    /// reads again. A spurious return only costs an empty read, so a store may return early.
    func waitForEvents(after position: Int64) async throws
    /// Ends every wait for events, current and later, with `unavailable`.
    ///
    /// Why: a graceful shutdown lets calls finish, but a live event stream never finishes by
    /// itself; ending its wait ends the stream at once, and its client resumes after the last
    /// position it received, on this server when it is back or on another.
    func endEventWaits()
}

extension DataStore {
    public func read<Key: Hashable & Sendable, T: Sendable>(
        cachedAs key: Key, _ body: @escaping @Sendable (any StoreReader) throws -> T
    ) async throws -> T {
        try await read(body)
    }

    /// Nothing may be kept: the store does not know of every write.
    public var readGeneration: UInt64? { nil }

    /// A store that cannot observe commits (one that other processes write) checks again after a
    /// second: late, but never missing an event, since readers continue after their last position.
    public func waitForEvents(after position: Int64) async throws {
        try await Task.sleep(for: .seconds(1))
    }

    /// Nothing to end: the waits above end within a second by themselves.
    public func endEventWaits() {}
}

/// Every read the domain needs, within one transaction.
public protocol StoreReader: CatalogueReader, UsageReader, UsageReconciliationReader, EventReader,
    UsageExportReader, ReconciliationReader, ResellerBillingReader, UsageTotalsReader {}

/// Every read and write the domain needs, within one write transaction.
public protocol StoreWriter: StoreReader, CatalogueWriter, UsageWriter, UsageReconciliationWriter, EventWriter,
    ReconciliationWriter, ResellerBillingWriter {}
