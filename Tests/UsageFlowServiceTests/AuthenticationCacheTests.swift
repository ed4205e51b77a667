// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Domain
import Testing

@testable import ServiceSupport

// The credential cache on its own: lifetime, size bound, revocation racing a lookup, and the
// once-a-minute last-use decision.

@Suite struct AuthenticationCacheTests {
    static func key(_ id: String, lastUsedAt: Timestamp? = nil) -> CredentialOperations.AuthenticatedKey {
        CredentialOperations.AuthenticatedKey(
            key: APIKey(
                id: id, accountID: "operator", role: .operator, scope: .full, name: "", secretHash: [1, 2, 3],
                createdAt: Timestamp(secondsSinceEpoch: 0), lastUsedAt: lastUsedAt),
            tenant: .operator)
    }

    static func identity(_ id: String) -> ServiceIdentity {
        ServiceIdentity(
            id: id, distributorID: "PA-123-456", name: "", subject: "CN=a", sha256Fingerprint: nil,
            createdAt: Timestamp(secondsSinceEpoch: 0))
    }

    static let t0 = Timestamp(secondsSinceEpoch: 1_000)
    static func at(_ seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: 1_000 + seconds) }

    func makeCache(capacity: Int = 10) -> CredentialCache {
        CredentialCache(lifetime: 5_000_000, capacity: capacity, lastUseInterval: 60_000_000)
    }

    @Test("entries live for the lifetime, and not when the clock went back")
    func lifetime() {
        let cache = makeCache()
        cache.insert(Self.key("KEY-0000-0001"), generation: cache.generation, now: Self.t0)
        #expect(cache.key("KEY-0000-0001", now: Self.at(4)) != nil)
        #expect(cache.key("KEY-0000-0001", now: Self.at(5)) == nil)
        cache.insert(Self.key("KEY-0000-0001"), generation: cache.generation, now: Self.t0)
        #expect(cache.key("KEY-0000-0001", now: Self.at(-1)) == nil)
        cache.insert(Self.identity("SI-000-001"), for: "cert", generation: cache.generation, now: Self.t0)
        #expect(cache.identity("cert", now: Self.at(4))?.id == "SI-000-001")
        #expect(cache.identity("cert", now: Self.at(5)) == nil)
    }

    @Test("the cache never holds more than its capacity")
    func bounded() {
        let cache = makeCache(capacity: 3)
        for index in 0..<10 {
            cache.insert(Self.key("KEY-0000-000\(index)"), generation: cache.generation, now: Self.t0)
            cache.insert(
                Self.identity("SI-000-00\(index)"), for: "cert\(index)", generation: cache.generation, now: Self.t0)
            #expect(cache.count.keys <= 3)
            #expect(cache.count.identities <= 3)
        }
        #expect(cache.key("KEY-0000-0009", now: Self.t0) != nil)
        #expect(cache.identity("cert9", now: Self.t0) != nil)
        let disabled = makeCache(capacity: 0)
        disabled.insert(Self.key("KEY-0000-0001"), generation: disabled.generation, now: Self.t0)
        disabled.insert(Self.identity("SI-000-001"), for: "cert", generation: disabled.generation, now: Self.t0)
        #expect(disabled.count == (0, 0))
    }

    @Test("a revocation removes the credential and stops a lookup already under way from caching it")
    func revocation() {
        let cache = makeCache()
        cache.insert(Self.key("KEY-0000-0001"), generation: cache.generation, now: Self.t0)
        cache.insert(Self.identity("SI-000-001"), for: "cert", generation: cache.generation, now: Self.t0)
        let before = cache.generation
        cache.revoked(.apiKey(id: "KEY-0000-0001"))
        #expect(cache.key("KEY-0000-0001", now: Self.t0) == nil)
        #expect(cache.identity("cert", now: Self.t0) != nil)
        cache.insert(Self.key("KEY-0000-0001"), generation: before, now: Self.t0)
        #expect(cache.key("KEY-0000-0001", now: Self.t0) == nil)
        cache.revoked(.serviceIdentity(id: "SI-000-001"))
        #expect(cache.identity("cert", now: Self.t0) == nil)
        cache.insert(Self.key("KEY-0000-0001"), generation: cache.generation, now: Self.t0)
        #expect(cache.key("KEY-0000-0001", now: Self.t0) != nil)
    }

    @Test("last use is claimed at most once per interval, cached or not")
    func lastUse() {
        let cache = makeCache()
        cache.insert(Self.key("KEY-0000-0001"), generation: cache.generation, now: Self.t0)
        #expect(cache.claimUse(of: "KEY-0000-0001", stored: nil, now: Self.t0))
        #expect(!cache.claimUse(of: "KEY-0000-0001", stored: nil, now: Self.at(59)))
        #expect(cache.claimUse(of: "KEY-0000-0001", stored: nil, now: Self.at(60)))
        #expect(!cache.claimUse(of: "KEY-0000-0001", stored: nil, now: Self.at(61)))
        // Not cached: the stored time decides.
        #expect(cache.claimUse(of: "KEY-0000-0002", stored: nil, now: Self.t0))
        #expect(!cache.claimUse(of: "KEY-0000-0002", stored: Self.at(-30), now: Self.t0))
        #expect(cache.claimUse(of: "KEY-0000-0002", stored: Self.at(-60), now: Self.t0))
        // A re-read entry keeps the later of its cached and stored times.
        cache.insert(Self.key("KEY-0000-0001", lastUsedAt: Self.t0), generation: cache.generation, now: Self.at(62))
        #expect(!cache.claimUse(of: "KEY-0000-0001", stored: Self.t0, now: Self.at(100)))
    }
}
