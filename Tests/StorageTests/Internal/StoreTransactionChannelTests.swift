// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

@Suite("Store transaction: marketplaces, contracts, listings, subscriptions")
struct StoreTransactionChannelTests {
    @Test("every channel object comes back exactly, histories and parameters in order")
    func channelRoundTrip() async throws {
        try await withWorld { store throws in
            let found = try await store.read { tx in
                (
                    try tx.marketplace(id: World.marketplace.id), try tx.contract(id: World.contract.id),
                    try tx.listing(id: World.listing.id), try tx.subscription(id: World.subscription.id)
                )
            }
            #expect(found.0 == World.marketplace)
            #expect(found.1 == World.contract)
            #expect(found.2 == World.listing)
            #expect(found.3 == World.subscription)
        }
    }

    @Test("a contract in any status comes back exactly", arguments: ContractStatus.allCases)
    func contractStatuses(status: ContractStatus) async throws {
        try await withWorld { store throws in
            var contract = World.contract
            contract.id = "CRD-00000-00000-00002"
            contract.marketplaceID = World.otherMarketplace.id
            contract.status = status
            contract.history = []
            try await store.write { [contract] in try $0.insert(contract) }
            let stored = try await store.read { [contract] in try $0.contract(id: contract.id) }
            #expect(stored == contract)
        }
    }

    @Test("a listing in any status comes back exactly", arguments: ListingStatus.allCases)
    func listingStatuses(status: ListingStatus) async throws {
        try await withWorld { store throws in
            var listing = World.listing
            listing.id = "LST-000-000-002"
            listing.productID = World.otherProduct.id
            listing.status = status
            try await store.write { [listing] in try $0.insert(listing) }
            let stored = try await store.read { [listing] in try $0.listing(id: listing.id) }
            #expect(stored == listing)
        }
    }

    @Test("a subscription in any status and with any tiers comes back exactly", arguments: SubscriptionStatus.allCases)
    func subscriptionStatuses(status: SubscriptionStatus) async throws {
        try await withWorld { store throws in
            let subscriptions = [World.directCustomer, World.tier1Customer, World.tier2Customer].enumerated().map {
                World.subscription($0.offset, customer: $0.element, status: status)
            }
            try await store.write { [subscriptions] tx in
                for subscription in subscriptions { try tx.insert(subscription) }
            }
            let found = try await store.read { [subscriptions] tx in
                try subscriptions.map { try tx.subscription(id: $0.id) }
            }
            #expect(found == subscriptions)
            #expect(subscriptions.map(\.tiers.tier1ID) == [nil, World.tier1.id, World.tier1.id])
            #expect(subscriptions.map(\.tiers.tier2ID) == [nil, nil, World.tier2.id])
        }
    }

    @Test("a contract and a listing update with their histories; a missing one is not found")
    func contractAndListingUpdates() async throws {
        try await withWorld { store throws in
            var contract = World.contract
            try contract.terminate(at: World.time(200), by: World.vendor.id, reason: "end of the year")
            var listing = World.listing
            try listing.unlist(at: World.time(201), by: World.distributor.id)
            try await store.write { [listing, contract] tx in
                try tx.update(contract)
                try tx.update(listing)
            }
            let found = try await store.read { [listing, contract] tx in
                (try tx.contract(id: contract.id), try tx.listing(id: listing.id))
            }
            #expect(found.0 == contract)
            #expect(found.0?.history.count == 3)
            #expect(found.1 == listing)

            var missing = contract
            missing.id = "CRD-99999-99999-99999"
            let error = await expectDomainError(.notFound) {
                try await store.write { [missing] in try $0.update(missing) }
            }
            #expect(error?.message == "contract CRD-99999-99999-99999 not found")
            var missingListing = listing
            missingListing.id = "LST-999-999-999"
            await expectDomainError(.notFound) {
                try await store.write { [missingListing] in try $0.update(missingListing) }
            }
            // The failed update wrote no history for the missing contract.
            let stored = try await store.read { [missing] in try $0.contract(id: missing.id) }
            #expect(stored == nil)
        }
    }

    /// Ways a subscription's parameters and history can change, each stored exactly.
    static let subscriptionChanges: [(String, @Sendable (inout Subscription) throws -> Void)] = [
        ("nothing", { _ in }),
        ("a status change appends history", { try $0.suspend(at: World.time(300), by: "operator", reason: "unpaid") }),
        ("a parameter value changes", { $0.parameters[1].value = "A-18" }),
        ("parameters are reordered", { $0.parameters.reverse() }),
        (
            "the reconciliation flag moves",
            {
                $0.parameters[1].reconciliation = false
                $0.parameters[0].reconciliation = true
            }
        ),
        ("a parameter is removed", { $0.parameters.remove(at: 0) }),
        ("every parameter is removed", { $0.parameters = [] }),
        ("a parameter is added first", { $0.parameters.insert(Parameter(name: "new", value: "1"), at: 0) }),
        (
            "a removed name comes back last",
            {
                let zone = $0.parameters.removeFirst()
                $0.parameters.append(zone)
            }
        ),
        (
            "history is rewritten",
            {
                $0.history = [StatusChange(from: "", to: "suspended", at: World.time(1), actor: "system", reason: "x")]
            }
        ),
        ("history is emptied", { $0.history = [] }),
        (
            "the scalar fields change",
            {
                $0.externalID = "ext-2"
                $0.externalUID = ""
                $0.tiers = Tiers(customerID: World.directCustomer.id, tier1ID: nil, tier2ID: nil)
                try $0.terminate(at: World.time(301), by: World.distributor.id, reason: "")
            }
        ),
    ]

    @Test("a subscription update stores its parameters and history exactly", arguments: subscriptionChanges)
    func subscriptionUpdate(change: String, apply: @Sendable (inout Subscription) throws -> Void) async throws {
        try await withWorld { store throws in
            var subscription = World.subscription
            try apply(&subscription)
            try await store.write { [subscription] in try $0.update(subscription) }
            let stored = try await store.read { [subscription] in try $0.subscription(id: subscription.id) }
            #expect(stored == subscription)
            // A second change on top of the first is stored exactly too.
            subscription.history.append(
                StatusChange(
                    from: subscription.status.rawValue, to: "terminated", at: World.time(400), actor: "operator"))
            subscription.status = .terminated
            subscription.parameters.append(Parameter(name: "last", value: "z"))
            try await store.write { [subscription] in try $0.update(subscription) }
            let stored2 = try await store.read { [subscription] in try $0.subscription(id: subscription.id) }
            #expect(stored2 == subscription)
        }
    }

    @Test("a missing subscription is not found, and nothing of it is written")
    func missingSubscriptionUpdate() async throws {
        try await withWorld { store throws in
            var missing = World.subscription
            missing.id = "AS-9999-9999-9999"
            await expectDomainError(.notFound) { try await store.write { [missing] in try $0.update(missing) } }
            let stored = try await store.read { [missing] in try $0.subscription(id: missing.id) }
            #expect(stored == nil)
            let stored2 = try await store.read { [missing] in try $0.isIdentifierTaken(missing.id) }
            #expect(stored2 == false)
        }
    }

    @Test("a distributor's marketplaces list in creation order")
    func marketplacesOfDistributor() async throws {
        try await withWorld { store throws in
            var second = World.marketplace
            second.id = "MP-00003"
            second.name = "Asia"
            try await store.write { [second] in try $0.insert(second) }
            let (mine, theirs, nobody) = try await store.read { tx in
                (
                    try readAll(size: 1) { try tx.marketplaces(distributorID: World.distributor.id, page: $0) }.items,
                    try readAll(size: 1) { try tx.marketplaces(distributorID: World.otherDistributor.id, page: $0) }
                        .items,
                    try readAll(size: 1) { try tx.marketplaces(distributorID: World.vendor.id, page: $0) }.items
                )
            }
            #expect(mine == [World.marketplace, second])
            #expect(theirs == [World.otherMarketplace])
            #expect(nobody == [])
        }
    }

    // MARK: Filters, against the same filter written in Swift

    /// Contracts over both distributors and vendors in several statuses.
    private static func contracts() -> [Contract] {
        var contracts = [World.contract]
        let pairs = [
            (World.otherVendor, World.marketplace, ContractStatus.pending),
            (World.vendor, World.otherMarketplace, .terminated),
            (World.otherVendor, World.otherMarketplace, .active),
            (World.vendor, World.otherMarketplace, .pending),
            (World.vendor, World.marketplace, .terminated),
        ]
        for (number, (vendor, marketplace, status)) in pairs.enumerated() {
            var contract = World.contract
            contract.id = "CRD-00000-00000-0001\(number)"
            contract.vendorID = vendor.id
            contract.distributorID = marketplace.distributorID
            contract.marketplaceID = marketplace.id
            contract.status = status
            contract.history = Array(contract.history.prefix(number % 3))
            contracts.append(contract)
        }
        return contracts
    }

    static let contractFilters: [ContractFilter] = [
        ContractFilter(),
        ContractFilter(vendorID: World.vendor.id),
        ContractFilter(distributorID: World.otherDistributor.id),
        ContractFilter(marketplaceID: World.marketplace.id),
        ContractFilter(status: .terminated),
        ContractFilter(vendorID: World.vendor.id, status: .pending),
        ContractFilter(
            vendorID: World.otherVendor.id, distributorID: World.distributor.id, marketplaceID: World.marketplace.id),
        ContractFilter(vendorID: World.distributor.id),
    ]

    @Test("contract filters", arguments: contractFilters)
    func contractFilter(filter: ContractFilter) async throws {
        try await withWorld { store throws in
            let all = Self.contracts()
            try await store.write { tx in for contract in all.dropFirst() { try tx.insert(contract) } }
            let found = try await store.read { tx in try readAll(size: 2) { try tx.contracts(filter, page: $0) }.items }
            let expected = all.filter { contract in
                (filter.vendorID == nil || contract.vendorID == filter.vendorID)
                    && (filter.distributorID == nil || contract.distributorID == filter.distributorID)
                    && (filter.marketplaceID == nil || contract.marketplaceID == filter.marketplaceID)
                    && (filter.status == nil || contract.status == filter.status)
            }
            #expect(found == expected)
        }
    }

    private static func listings() -> [Listing] {
        var listings = [World.listing]
        let rows: [(Product, Contract, ListingStatus)] = [
            (World.otherProduct, World.contract, .pending),
            (World.product, World.contract, .declined),
            (World.otherProduct, contracts()[3], .listed),
            (World.product, contracts()[2], .unlisted),
        ]
        for (number, (product, contract, status)) in rows.enumerated() {
            var listing = World.listing
            listing.id = "LST-000-000-01\(number)"
            listing.productID = product.id
            listing.vendorID = product.vendorID
            listing.contractID = contract.id
            listing.distributorID = contract.distributorID
            listing.marketplaceID = contract.marketplaceID
            listing.status = status
            listings.append(listing)
        }
        return listings
    }

    static let listingFilters: [ListingFilter] = [
        ListingFilter(),
        ListingFilter(vendorID: World.vendor.id),
        ListingFilter(distributorID: World.otherDistributor.id),
        ListingFilter(productID: World.otherProduct.id),
        ListingFilter(contractID: World.contract.id),
        ListingFilter(marketplaceID: World.otherMarketplace.id),
        ListingFilter(status: .listed),
        ListingFilter(
            distributorID: World.distributor.id, productID: World.product.id, marketplaceID: World.marketplace.id),
        ListingFilter(productID: World.product.id, contractID: World.contract.id, status: .declined),
        ListingFilter(vendorID: World.otherVendor.id, status: .unlisted),
    ]

    @Test("listing filters", arguments: listingFilters)
    func listingFilter(filter: ListingFilter) async throws {
        try await withWorld { store throws in
            let all = Self.listings()
            try await store.write { tx in
                for contract in Self.contracts().dropFirst() { try tx.insert(contract) }
                for listing in all.dropFirst() { try tx.insert(listing) }
            }
            let found = try await store.read { tx in try readAll(size: 2) { try tx.listings(filter, page: $0) }.items }
            let expected = all.filter { listing in
                (filter.vendorID == nil || listing.vendorID == filter.vendorID)
                    && (filter.distributorID == nil || listing.distributorID == filter.distributorID)
                    && (filter.productID == nil || listing.productID == filter.productID)
                    && (filter.contractID == nil || listing.contractID == filter.contractID)
                    && (filter.marketplaceID == nil || listing.marketplaceID == filter.marketplaceID)
                    && (filter.status == nil || listing.status == filter.status)
            }
            #expect(found == expected)
        }
    }

    private static func subscriptions() -> [Subscription] {
        let customers = [World.directCustomer, World.tier1Customer, World.tier2Customer]
        let statuses = SubscriptionStatus.allCases
        var subscriptions = [World.subscription]
        for number in 0..<12 {
            subscriptions.append(
                World.subscription(
                    number, customer: customers[number % 3], status: statuses[number % statuses.count],
                    externalID: number == 9
                        ? World.subscription.externalID : number % 4 == 0 ? "" : "ext-\(number + 10)",
                    product: number % 2 == 0 ? World.product : World.otherProduct,
                    distributorID: number >= 9 ? World.otherDistributor.id : World.distributor.id))
        }
        return subscriptions
    }

    static let subscriptionFilters: [SubscriptionFilter] = [
        SubscriptionFilter(),
        SubscriptionFilter(vendorID: World.otherVendor.id),
        SubscriptionFilter(distributorID: World.otherDistributor.id),
        SubscriptionFilter(productID: World.product.id),
        SubscriptionFilter(customerID: World.tier1Customer.id),
        SubscriptionFilter(resellerID: World.tier1.id),
        SubscriptionFilter(resellerID: World.tier2.id),
        SubscriptionFilter(status: .suspended),
        SubscriptionFilter(externalID: "ext-1"),
        SubscriptionFilter(externalID: ""),
        SubscriptionFilter(distributorID: World.distributor.id, externalID: "ext-12"),
        SubscriptionFilter(distributorID: World.otherDistributor.id, externalID: "ext-12"),
        SubscriptionFilter(vendorID: World.vendor.id, resellerID: World.tier1.id, status: .terminated),
        SubscriptionFilter(customerID: World.directCustomer.id, resellerID: World.tier1.id),
    ]

    @Test("subscription filters", arguments: subscriptionFilters)
    func subscriptionFilter(filter: SubscriptionFilter) async throws {
        try await withWorld { store throws in
            let all = Self.subscriptions()
            try await store.write { tx in for subscription in all.dropFirst() { try tx.insert(subscription) } }
            let found = try await store.read { tx in
                try readAll(size: 3) { try tx.subscriptions(filter, page: $0) }.items
            }
            let expected = all.filter { subscription in
                (filter.vendorID == nil || subscription.vendorID == filter.vendorID)
                    && (filter.distributorID == nil || subscription.distributorID == filter.distributorID)
                    && (filter.productID == nil || subscription.productID == filter.productID)
                    && (filter.customerID == nil || subscription.tiers.customerID == filter.customerID)
                    && (filter.resellerID == nil || subscription.tiers.tier1ID == filter.resellerID
                        || subscription.tiers.tier2ID == filter.resellerID)
                    && (filter.status == nil || subscription.status == filter.status)
                    && (filter.externalID == nil || subscription.externalID == filter.externalID)
            }
            #expect(found == expected)
            // Every filter but the contradictory ones selects something, so an empty answer would show.
            let contradictory = [
                SubscriptionFilter(customerID: World.directCustomer.id, resellerID: World.tier1.id),
                SubscriptionFilter(distributorID: World.otherDistributor.id, externalID: "ext-12"),
            ]
            #expect(expected.isEmpty == contradictory.contains(filter))
        }
    }

    // MARK: Uniqueness

    @Test("a taken id already exists, for every channel object")
    func duplicateIDs() async throws {
        try await withWorld { store throws in
            let marketplace = Marketplace(
                id: World.marketplace.id, distributorID: World.distributor.id, name: "Elsewhere", currency: "USD",
                createdAt: World.time(0))
            let cases: [(String, @Sendable (any StoreWriter) throws -> Void)] = [
                ("marketplace MP-00001 already exists", { try $0.insert(marketplace) }),
                (
                    "contract CRD-00000-00000-00001 already exists",
                    {
                        var contract = World.contract
                        contract.marketplaceID = World.otherMarketplace.id
                        try $0.insert(contract)
                    }
                ),
                (
                    "listing LST-000-000-001 already exists",
                    {
                        var listing = World.listing
                        listing.status = .declined
                        try $0.insert(listing)
                    }
                ),
                (
                    "subscription AS-0000-0000-0001 already exists",
                    {
                        var subscription = World.subscription
                        subscription.externalID = ""
                        try $0.insert(subscription)
                    }
                ),
            ]
            for (message, body) in cases {
                let error = await expectDomainError(.alreadyExists) { try await store.write(body) }
                #expect(error?.message == message)
                #expect(error?.cause?.contains("UNIQUE") == true)
            }
            #expect(try await store.read { try $0.marketplace(id: marketplace.id) } == World.marketplace)
        }
    }

    @Test("one pending or active contract per vendor, distributor and marketplace")
    func liveContractUnique() async throws {
        try await withWorld { store throws in
            var second = World.contract
            second.id = "CRD-00000-00000-00002"
            second.status = .pending
            let error = await expectDomainError(.alreadyExists) {
                try await store.write { [second] in try $0.insert(second) }
            }
            #expect(error?.message.hasSuffix("already exists") == true)
            #expect(error?.message.contains("contracts") == false)

            // Once the first is terminated, a new one may start.
            var first = World.contract
            try first.terminate(at: World.time(500), by: World.vendor.id, reason: "")
            try await store.write { [second, first] tx in
                try tx.update(first)
                try tx.insert(second)
            }
            // Reviving the terminated one would make two live contracts.
            await expectDomainError(.alreadyExists) { try await store.write { try $0.update(World.contract) } }
        }
    }

    @Test("one pending or listed listing per product and contract")
    func liveListingUnique() async throws {
        try await withWorld { store throws in
            var second = World.listing
            second.id = "LST-000-000-002"
            second.status = .pending
            await expectDomainError(.alreadyExists) { try await store.write { [second] in try $0.insert(second) } }
            second.status = .declined
            try await store.write { [second] in try $0.insert(second) }
            var unlisted = World.listing
            try unlisted.unlist(at: World.time(501), by: World.distributor.id)
            var third = World.listing
            third.id = "LST-000-000-003"
            third.status = .pending
            try await store.write { [third, unlisted] tx in
                try tx.update(unlisted)
                try tx.insert(third)
            }
        }
    }

    @Test("a non-empty external id is unique per distributor")
    func subscriptionExternalIDUnique() async throws {
        try await withWorld { store throws in
            let same = World.subscription(1, customer: World.directCustomer, externalID: World.subscription.externalID)
            let error = await expectDomainError(.alreadyExists) { try await store.write { try $0.insert(same) } }
            #expect(error?.message == "a subscription with this external_id already exists")
            #expect(error?.violations.map(\.field) == ["external_id"])
            // Nothing of the refused subscription was written, not even its children.
            #expect(try await store.read { try $0.subscription(id: same.id) } == nil)

            let otherDistributor = World.subscription(
                2, customer: World.directCustomer, externalID: World.subscription.externalID,
                distributorID: World.otherDistributor.id)
            let blank = [3, 4].map { World.subscription($0, customer: World.directCustomer, externalID: "") }
            try await store.write { tx in
                try tx.insert(otherDistributor)
                for subscription in blank { try tx.insert(subscription) }
            }
        }
    }

    @Test("parameter names are unique per subscription, and one parameter at most is the reconciliation id")
    func parameterUniqueness() async throws {
        try await withWorld { store throws in
            var repeated = World.subscription(1, customer: World.directCustomer)
            repeated.parameters = [Parameter(name: "zone", value: "a"), Parameter(name: "zone", value: "b")]
            let nameError = await expectDomainError(.alreadyExists) {
                try await store.write { [repeated] in try $0.insert(repeated) }
            }
            #expect(nameError?.violations.map(\.field) == ["parameters"])

            var twoReconciliations = World.subscription(2, customer: World.directCustomer)
            twoReconciliations.parameters = [
                Parameter(name: "a", value: "1", reconciliation: true),
                Parameter(name: "b", value: "2", reconciliation: true),
            ]
            let reconciliationError = await expectDomainError(.alreadyExists) {
                try await store.write { [twoReconciliations] in try $0.insert(twoReconciliations) }
            }
            #expect(reconciliationError?.message.contains("reconciliation") == true)
            let stored = try await store.read { [twoReconciliations, repeated] tx in
                [try tx.subscription(id: repeated.id), try tx.subscription(id: twoReconciliations.id)]
            }
            #expect(stored == [nil, nil])
        }
    }
}
