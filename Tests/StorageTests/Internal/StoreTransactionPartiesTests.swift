// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

@Suite("Store transaction: accounts, resellers, customers")
struct StoreTransactionPartiesTests {
    @Test(
        "an account comes back exactly, whatever its time",
        arguments: [Int64.min, -1, 0, 1, 1_767_225_600_123_457, Int64.max]
    )
    func accountTimes(microseconds: Int64) async throws {
        try await withStore { store, _ throws in
            let account = Account(
                id: "VA-123-456", role: .vendor, name: "Acme",
                createdAt: Timestamp(microsecondsSinceEpoch: microseconds))
            try await store.write { [account] in try $0.insert(account) }
            let stored = try await store.read { [account] in try $0.account(id: account.id) }
            #expect(stored == account)
        }
    }

    @Test(
        "names come back exactly, whatever they hold",
        arguments: [
            "", " ", "Ærø Ĳssel — 株式会社 🚀", "line\nbreak\ttab", "nul\u{0}inside", "'; DROP TABLE accounts; --",
        ]
    )
    func accountNames(name: String) async throws {
        try await withStore { store, _ throws in
            let account = Account(id: "PA-123-456", role: .distributor, name: name, createdAt: World.time(0))
            try await store.write { [account] in try $0.insert(account) }
            let stored = try await store.read { [account] in try $0.account(id: account.id) }
            #expect(stored == account)
        }
    }

    @Test("a missing account, reseller or customer is nil")
    func missingParties() async throws {
        try await withWorld { store throws in
            let found = try await store.read { tx in
                [
                    try tx.account(id: "VA-999-999") != nil, try tx.reseller(id: World.directCustomer.id) != nil,
                    try tx.customer(id: World.tier1.id) != nil, try tx.account(id: "") != nil,
                ]
            }
            #expect(found == [false, false, false, false])
        }
    }

    @Test("resellers and customers come back exactly")
    func partiesRoundTrip() async throws {
        try await withWorld { store throws in
            let (resellers, customers) = try await store.read { tx in
                (
                    [try tx.reseller(id: World.tier1.id), try tx.reseller(id: World.tier2.id)],
                    [
                        try tx.customer(id: World.directCustomer.id), try tx.customer(id: World.tier1Customer.id),
                        try tx.customer(id: World.tier2Customer.id),
                    ]
                )
            }
            #expect(resellers == [World.tier1, World.tier2])
            #expect(customers == [World.directCustomer, World.tier1Customer, World.tier2Customer])
        }
    }

    @Test("accounts list in creation order, optionally by role")
    func accountsByRole() async throws {
        try await withWorld { store throws in
            let (all, vendors, distributors, resellers) = try await store.read { tx in
                (
                    try readAll(size: 3) { try tx.accounts(role: nil, page: $0) }.items,
                    try readAll(size: 1) { try tx.accounts(role: .vendor, page: $0) }.items,
                    try readAll(size: 5) { try tx.accounts(role: .distributor, page: $0) }.items,
                    try readAll(size: 5) { try tx.accounts(role: .reseller, page: $0) }.items
                )
            }
            #expect(all == [World.vendor, World.otherVendor, World.distributor, World.otherDistributor])
            #expect(vendors == [World.vendor, World.otherVendor])
            #expect(distributors == [World.distributor, World.otherDistributor])
            #expect(resellers == [])
        }
    }

    static let resellerFilters: [(ResellerFilter, [Reseller])] = [
        (ResellerFilter(distributorID: World.distributor.id), [World.tier1, World.tier2]),
        (ResellerFilter(distributorID: World.otherDistributor.id), []),
        (ResellerFilter(distributorID: World.distributor.id, tier: 1), [World.tier1]),
        (ResellerFilter(distributorID: World.distributor.id, tier: 2), [World.tier2]),
        (ResellerFilter(distributorID: World.distributor.id, tier: 3), []),
        (ResellerFilter(distributorID: World.distributor.id, parentID: World.tier1.id), [World.tier2]),
        (ResellerFilter(distributorID: World.otherDistributor.id, parentID: World.tier1.id), []),
        (ResellerFilter(distributorID: World.distributor.id, tier: 1, parentID: World.tier1.id), []),
    ]

    @Test("reseller filters", arguments: resellerFilters)
    func resellerFilter(filter: ResellerFilter, expected: [Reseller]) async throws {
        try await withWorld { store throws in
            let found = try await store.read { tx in try readAll(size: 1) { try tx.resellers(filter, page: $0) }.items }
            #expect(found == expected)
        }
    }

    static let customerFilters: [(CustomerFilter, [Customer])] = [
        (
            CustomerFilter(distributorID: World.distributor.id),
            [World.directCustomer, World.tier1Customer, World.tier2Customer]
        ),
        (CustomerFilter(distributorID: World.otherDistributor.id), []),
        (CustomerFilter(distributorID: World.distributor.id, directOnly: true), [World.directCustomer]),
        (CustomerFilter(distributorID: World.distributor.id, resellerIDs: []), []),
        (CustomerFilter(distributorID: World.distributor.id, resellerIDs: [World.tier1.id]), [World.tier1Customer]),
        (
            CustomerFilter(distributorID: World.distributor.id, resellerIDs: [World.tier2.id, World.tier1.id]),
            [World.tier1Customer, World.tier2Customer]
        ),
        (CustomerFilter(distributorID: World.otherDistributor.id, resellerIDs: [World.tier1.id]), []),
        (CustomerFilter(distributorID: World.distributor.id, resellerIDs: [World.tier1.id], directOnly: true), []),
    ]

    @Test("customer filters", arguments: customerFilters)
    func customerFilter(filter: CustomerFilter, expected: [Customer]) async throws {
        try await withWorld { store throws in
            let found = try await store.read { tx in try readAll(size: 2) { try tx.customers(filter, page: $0) }.items }
            #expect(found == expected)
        }
    }

    @Test("a second party with a taken id already exists")
    func duplicateParties() async throws {
        try await withWorld { store throws in
            var account = World.otherVendor
            account.id = World.vendor.id
            let accountError = await expectDomainError(.alreadyExists) {
                try await store.write { [account] in try $0.insert(account) }
            }
            #expect(accountError?.message == "account VA-000-001 already exists")
            await expectDomainError(.alreadyExists) { try await store.write { try $0.insert(World.tier1) } }
            let customerError = await expectDomainError(.alreadyExists) {
                try await store.write { try $0.insert(World.tier2Customer) }
            }
            #expect(customerError?.message == "customer \(World.tier2Customer.id) already exists")
            #expect(try await store.read { try $0.account(id: World.vendor.id) } == World.vendor)
        }
    }
}
