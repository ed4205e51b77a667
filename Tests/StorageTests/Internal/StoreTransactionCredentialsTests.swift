// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

@Suite("Store transaction: API keys and service identities")
struct StoreTransactionCredentialsTests {
    @Test("an API key comes back exactly", arguments: Role.allCases, KeyScope.allCases)
    func apiKeyRoundTrip(role: Role, scope: KeyScope) async throws {
        try await withWorld { store throws in
            let keys = [
                APIKey(
                    id: "KEY-1000-0001", accountID: "operator", role: role, scope: scope, name: "", secretHash: [],
                    createdAt: World.time(70)),
                APIKey(
                    id: "KEY-1000-0002", accountID: World.tier2.id, role: role, scope: scope, name: "ci",
                    secretHash: [0, 255, 0, 1], createdAt: World.time(71), lastUsedAt: World.time(72),
                    revokedAt: World.time(73)),
            ]
            try await store.write { [keys] tx in for key in keys { try tx.insert(key) } }
            let found = try await store.read { tx in try keys.map { try tx.apiKey(id: $0.id) } }
            #expect(found == keys)
        }
    }

    @Test("an API key update is stored; a missing key is not found")
    func apiKeyUpdate() async throws {
        try await withWorld { store throws in
            var key = World.apiKey
            key.lastUsedAt = World.time(80)
            key.revokedAt = World.time(81)
            key.name = "rotated"
            try await store.write { [key] in try $0.update(key) }
            let stored = try await store.read { [key] in try $0.apiKey(id: key.id) }
            #expect(stored == key)

            key.lastUsedAt = nil
            key.revokedAt = nil
            try await store.write { [key] in try $0.update(key) }
            let stored2 = try await store.read { [key] in try $0.apiKey(id: key.id) }
            #expect(stored2 == key)

            var missing = key
            missing.id = "KEY-9999-9999"
            let error = await expectDomainError(.notFound) {
                try await store.write { [missing] in try $0.update(missing) }
            }
            #expect(error?.message == "API key KEY-9999-9999 not found")
            let stored3 = try await store.read { [missing] in try $0.apiKey(id: missing.id) }
            #expect(stored3 == nil)
        }
    }

    @Test("an account's keys list in creation order, without revoked ones unless asked")
    func apiKeysOfAccount() async throws {
        try await withWorld { store throws in
            var keys: [APIKey] = []
            for number in 1...5 {
                var key = World.apiKey
                key.id = "KEY-2000-000\(number)"
                key.revokedAt = number.isMultiple(of: 2) ? World.time(90) : nil
                keys.append(key)
            }
            var other = World.apiKey
            other.id = "KEY-2000-0009"
            other.accountID = World.otherVendor.id
            try await store.write { [other, keys] tx in for key in keys + [other] { try tx.insert(key) } }
            let (all, valid, none) = try await store.read { tx in
                (
                    try readAll(size: 2) { try tx.apiKeys(accountID: World.vendor.id, includeRevoked: true, page: $0) },
                    try readAll(size: 2) {
                        try tx.apiKeys(accountID: World.vendor.id, includeRevoked: false, page: $0)
                    },
                    try readAll(size: 2) { try tx.apiKeys(accountID: "operator", includeRevoked: true, page: $0) }
                )
            }
            #expect(all.items == [World.apiKey] + keys)
            #expect(all.pages == 3)
            #expect(valid.items == [World.apiKey] + keys.filter { $0.revokedAt == nil })
            #expect(none.items == [])
        }
    }

    @Test("a service identity comes back exactly and its update is stored")
    func identityRoundTrip() async throws {
        try await withWorld { store throws in
            let pinned = ServiceIdentity(
                id: "SI-000-002", distributorID: World.distributor.id, name: "pinned", subject: nil,
                sha256Fingerprint: String(repeating: "ab", count: 32), createdAt: World.time(61))
            try await store.write { try $0.insert(pinned) }
            #expect(try await store.read { try $0.serviceIdentity(id: World.identity.id) } == World.identity)
            #expect(try await store.read { try $0.serviceIdentity(id: pinned.id) } == pinned)

            var revoked = pinned
            revoked.revokedAt = World.time(62)
            try await store.write { [revoked] in try $0.update(revoked) }
            #expect(try await store.read { try $0.serviceIdentity(id: pinned.id) } == revoked)

            var missing = revoked
            missing.id = "SI-999-999"
            await expectDomainError(.notFound) { try await store.write { [missing] in try $0.update(missing) } }
        }
    }

    @Test("identities by fingerprint or subject: valid ones only")
    func identitiesByFingerprintOrSubject() async throws {
        try await withWorld { store throws in
            let fingerprint = String(repeating: "0f", count: 32)
            let pinned = ServiceIdentity(
                id: "SI-000-002", distributorID: World.otherDistributor.id, name: "pinned", subject: nil,
                sha256Fingerprint: fingerprint, createdAt: World.time(61))
            let revoked = ServiceIdentity(
                id: "SI-000-003", distributorID: World.distributor.id, name: "old", subject: "CN=old",
                sha256Fingerprint: nil, createdAt: World.time(62), revokedAt: World.time(63))
            try await store.write { tx in
                try tx.insert(pinned)
                try tx.insert(revoked)
            }
            let found = try await store.read { tx in
                (
                    try tx.serviceIdentities(fingerprint: fingerprint, subject: "CN=billing,O=Acme"),
                    try tx.serviceIdentities(fingerprint: fingerprint, subject: ""),
                    try tx.serviceIdentities(fingerprint: "", subject: "CN=old"),
                    try tx.serviceIdentities(fingerprint: "", subject: "cn=billing,o=acme")
                )
            }
            #expect(found.0 == [World.identity, pinned])
            #expect(found.1 == [pinned])
            #expect(found.2 == [])
            #expect(found.3 == [])
        }
    }

    @Test("a distributor's identities list in creation order, without revoked ones unless asked")
    func identitiesOfDistributor() async throws {
        try await withWorld { store throws in
            var revoked = World.identity
            revoked.id = "SI-000-002"
            revoked.subject = "CN=other"
            revoked.revokedAt = World.time(65)
            try await store.write { [revoked] in try $0.insert(revoked) }
            let (all, valid, other) = try await store.read { tx in
                (
                    try readAll(size: 1) {
                        try tx.serviceIdentities(distributorID: World.distributor.id, includeRevoked: true, page: $0)
                    }.items,
                    try readAll(size: 1) {
                        try tx.serviceIdentities(distributorID: World.distributor.id, includeRevoked: false, page: $0)
                    }.items,
                    try readAll(size: 1) {
                        try tx.serviceIdentities(
                            distributorID: World.otherDistributor.id, includeRevoked: true, page: $0)
                    }.items
                )
            }
            #expect(all == [World.identity, revoked])
            #expect(valid == [World.identity])
            #expect(other == [])
        }
    }

    @Test("a taken key id, valid subject or valid fingerprint already exists; a revoked one does not count")
    func credentialUniqueness() async throws {
        try await withWorld { store throws in
            var key = World.apiKey
            key.accountID = World.otherVendor.id
            let keyError = await expectDomainError(.alreadyExists) {
                try await store.write { [key] in try $0.insert(key) }
            }
            #expect(keyError?.message == "API key KEY-0000-0001 already exists")

            var sameSubject = World.identity
            sameSubject.id = "SI-000-002"
            sameSubject.distributorID = World.otherDistributor.id
            let subjectError = await expectDomainError(.alreadyExists) {
                try await store.write { [sameSubject] in try $0.insert(sameSubject) }
            }
            #expect(subjectError?.violations.map(\.field) == ["subject"])
            #expect(subjectError?.message.hasSuffix("already exists") == true)

            // Once the first is revoked, the subject is free again.
            var revoked = World.identity
            revoked.revokedAt = World.time(66)
            try await store.write { [sameSubject, revoked] tx in
                try tx.update(revoked)
                try tx.insert(sameSubject)
            }
            // Reinstating the revoked one would give the subject two valid identities.
            await expectDomainError(.alreadyExists) { try await store.write { try $0.update(World.identity) } }

            let fingerprint = String(repeating: "cd", count: 32)
            let pinned = ServiceIdentity(
                id: "SI-000-003", distributorID: World.distributor.id, name: "a", subject: nil,
                sha256Fingerprint: fingerprint, createdAt: World.time(67))
            var samePin = pinned
            samePin.id = "SI-000-004"
            try await store.write { try $0.insert(pinned) }
            let pinError = await expectDomainError(.alreadyExists) {
                try await store.write { [samePin] in try $0.insert(samePin) }
            }
            #expect(pinError?.violations.map(\.field) == ["sha256_fingerprint"])
            let stored = try await store.read { [samePin] in try $0.serviceIdentity(id: samePin.id) }
            #expect(stored == nil)
        }
    }
}
