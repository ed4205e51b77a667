// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

@Suite("Store transaction: identifiers")
struct StoreTransactionIdentifiersTests {
    /// One stored id of every kind.
    static let taken: [String] = [
        World.vendor.id, World.distributor.id, World.tier1.id, World.tier2.id, World.directCustomer.id,
        World.product.id, World.item.id, World.marketplace.id, World.contract.id, World.listing.id,
        World.subscription.id, World.identity.id, World.apiKey.id,
    ]

    @Test("every stored id is taken", arguments: taken)
    func storedIDTaken(id: String) async throws {
        try await withWorld { store throws in
            #expect(try await store.read { try $0.isIdentifierTaken(id) })
            // A write transaction sees the same.
            #expect(try await store.write { try $0.isIdentifierTaken(id) })
        }
    }

    /// Ids no object has: free numbers, a taken number under another prefix, other spellings,
    /// kinds that are not stored here, and text that is no id at all.
    static let free: [String] = [
        "VA-000-009", "PA-000-009", "TA-1-0000-0000-0009", "PRD-000-000-009", "PRD-000-000-001-0009", "MP-00009",
        "CRD-00000-00000-00009", "LST-000-000-009", "AS-0000-0000-0009", "SI-000-009", "KEY-0000-0009",
        "MP-000-001", "KEY-000-001", "va-000-001", "VA-000-001 ", "PRD_000_000_001_0001",
        "UF-2026-01-0000-0001", "RC-0000-0000-0001", "", "-", "VA", "000-001", "🚀-1",
    ]

    @Test("an id no object has is free", arguments: free)
    func freeID(id: String) async throws {
        try await withWorld { store throws in
            #expect(try await store.read { try $0.isIdentifierTaken(id) } == false)
        }
    }

    @Test("a number taken under one prefix is free under another")
    func prefixesAreSeparate() async throws {
        try await withWorld { store throws in
            var account = World.distributor
            account.id = "PA-000-003"
            try await store.write { [account] in try $0.insert(account) }
            let answers = try await store.read { tx in
                [try tx.isIdentifierTaken("PA-000-003"), try tx.isIdentifierTaken("VA-000-003")]
            }
            #expect(answers == [true, false])
        }
    }
}
