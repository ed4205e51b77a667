// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Authorization
import Domain
import Synchronization

/// Credentials verified recently, so a busy client costs one SHA-256 per call instead of a
/// database read: API keys by id (with their stored hash, so every call still proves its secret)
/// and service identities by certificate.
///
/// Bounded in time (`lifetime`, a few seconds: a credential revoked through another server is
/// refused within it) and in size (`capacity` per kind: when full, expired entries go, then all).
/// A revocation through this server removes the credential at once and bumps a generation: a
/// lookup that started before the revocation does not put its stale answer back.
///
/// Also decides when a key's last-use time is written: at most once per `lastUseInterval`.
final class CredentialCache: Sendable {
    struct KeyEntry {
        var key: CredentialOperations.AuthenticatedKey
        var cachedAt: Timestamp
        /// The last-use time written (or read) most recently.
        var lastUsedAt: Timestamp?
        /// The secret that last matched the stored hash, so the same secret again needs no
        /// SHA-256: a byte comparison proves it as well. It lives no longer than the entry, and the
        /// connection's header table holds the same bytes anyway.
        var verifiedSecret: [UInt8]?
    }

    struct IdentityEntry {
        var identity: ServiceIdentity
        var cachedAt: Timestamp
    }

    struct State {
        var keys: [String: KeyEntry] = [:]
        var identities: [String: IdentityEntry] = [:]
        var generation: UInt64 = 0
    }

    let lifetime: Int64
    let capacity: Int
    let lastUseInterval: Int64
    private let state = Mutex(State())

    /// - Parameters: times in microseconds.
    init(lifetime: Int64, capacity: Int, lastUseInterval: Int64) {
        self.lifetime = lifetime
        self.capacity = max(0, capacity)
        self.lastUseInterval = lastUseInterval
    }

    /// A number that changes whenever something is revoked; take it before a database lookup.
    var generation: UInt64 { state.withLock { $0.generation } }

    var count: (keys: Int, identities: Int) { state.withLock { ($0.keys.count, $0.identities.count) } }

    // MARK: API keys

    func key(_ id: String, now: Timestamp) -> CredentialOperations.AuthenticatedKey? {
        keyEntry(id, now: now)?.key
    }

    /// The cached key and the secret last verified against it, if still fresh.
    func keyEntry(
        _ id: String, now: Timestamp
    ) -> (key: CredentialOperations.AuthenticatedKey, verifiedSecret: [UInt8]?)? {
        state.withLock { state in
            guard let entry = state.keys[id] else { return nil }
            guard isFresh(entry.cachedAt, now: now) else {
                state.keys[id] = nil
                return nil
            }
            return (entry.key, entry.verifiedSecret)
        }
    }

    /// Remembers `secret` as verified against the cached key `id` (it matched the stored hash).
    func verified(_ secret: [UInt8], for id: String) {
        state.withLock { $0.keys[id]?.verifiedSecret = secret }
    }

    func insert(_ key: CredentialOperations.AuthenticatedKey, generation: UInt64, now: Timestamp) {
        guard capacity > 0 else { return }
        state.withLock { state in
            guard state.generation == generation else { return }
            let lastUsed = later(key.key.lastUsedAt, state.keys[key.key.id]?.lastUsedAt)
            if state.keys[key.key.id] == nil, state.keys.count >= capacity {
                state.keys = state.keys.filter { isFresh($0.value.cachedAt, now: now) }
                if state.keys.count >= capacity { state.keys.removeAll() }
            }
            state.keys[key.key.id] = KeyEntry(key: key, cachedAt: now, lastUsedAt: lastUsed)
        }
    }

    /// Whether the caller should write `now` as the key's last-use time: true at most once per
    /// interval for a cached key; for one not cached (a full or disabled cache), when the stored
    /// time `stored` is older than the interval.
    func claimUse(of keyID: String, stored: Timestamp?, now: Timestamp) -> Bool {
        state.withLock { state in
            let last = state.keys[keyID].map { later($0.lastUsedAt, stored) } ?? stored
            if let last, now.microsecondsSinceEpoch - last.microsecondsSinceEpoch < lastUseInterval { return false }
            state.keys[keyID]?.lastUsedAt = now
            return true
        }
    }

    // MARK: Service identities

    func identity(_ certificate: String, now: Timestamp) -> ServiceIdentity? {
        state.withLock { state in
            guard let entry = state.identities[certificate] else { return nil }
            guard isFresh(entry.cachedAt, now: now) else {
                state.identities[certificate] = nil
                return nil
            }
            return entry.identity
        }
    }

    func insert(_ identity: ServiceIdentity, for certificate: String, generation: UInt64, now: Timestamp) {
        guard capacity > 0 else { return }
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.identities[certificate] == nil, state.identities.count >= capacity {
                state.identities = state.identities.filter { isFresh($0.value.cachedAt, now: now) }
                if state.identities.count >= capacity { state.identities.removeAll() }
            }
            state.identities[certificate] = IdentityEntry(identity: identity, cachedAt: now)
        }
    }

    // MARK: Revocation

    /// Forgets `credential` at once, and keeps lookups already under way from caching it again.
    func revoked(_ credential: Principal.Credential) {
        state.withLock { state in
            state.generation &+= 1
            switch credential {
            case .apiKey(let id):
                state.keys[id] = nil
            case .serviceIdentity(let id):
                state.identities = state.identities.filter { $0.value.identity.id != id }
            }
        }
    }

    /// Fresh: cached less than `lifetime` ago, and not in the future (a clock set back).
    private func isFresh(_ cachedAt: Timestamp, now: Timestamp) -> Bool {
        let age = now.microsecondsSinceEpoch - cachedAt.microsecondsSinceEpoch
        return age >= 0 && age < lifetime
    }
}

/// The later of two optional times.
private func later(_ lhs: Timestamp?, _ rhs: Timestamp?) -> Timestamp? {
    switch (lhs, rhs) {
    case (let lhs?, let rhs?): max(lhs, rhs)
    case (let lhs?, nil): lhs
    case (nil, let rhs): rhs
    }
}
