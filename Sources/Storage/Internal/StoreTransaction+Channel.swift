// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Marketplaces, contracts, listings and subscriptions, with their histories and parameters.

private let marketplaceColumns = "seq, id, distributor_id, name, currency, created_at"

private func decodeMarketplace(_ row: borrowing SQLiteRow) throws -> Marketplace {
    Marketplace(
        id: try row.text(1), distributorID: try row.text(2), name: try row.text(3), currency: try row.text(4),
        createdAt: try row.timestamp(5))
}

private let contractColumns = "seq, id, vendor_id, distributor_id, marketplace_id, status, created_at"

/// A contract without its history, which lives in a child table.
private func decodeContract(_ row: borrowing SQLiteRow) throws -> Contract {
    Contract(
        id: try row.text(1), vendorID: try row.text(2), distributorID: try row.text(3),
        marketplaceID: try row.text(4), status: try row.enumeration(ContractStatus.self, 5), history: [],
        createdAt: try row.timestamp(6))
}

private func contractUniqueness(_ contract: Contract) -> [StorageFailure.Uniqueness] {
    [
        StorageFailure.Uniqueness(
            columns: "contracts.vendor_id, contracts.distributor_id, contracts.marketplace_id",
            message: "a pending or active contract of vendor \(contract.vendorID) in marketplace "
                + "\(contract.marketplaceID) already exists",
            field: nil)
    ]
}

private let listingColumns =
    "seq, id, product_id, contract_id, vendor_id, distributor_id, marketplace_id, status, created_at"

/// A listing without its history, which lives in a child table.
private func decodeListing(_ row: borrowing SQLiteRow) throws -> Listing {
    Listing(
        id: try row.text(1), productID: try row.text(2), contractID: try row.text(3), vendorID: try row.text(4),
        distributorID: try row.text(5), marketplaceID: try row.text(6),
        status: try row.enumeration(ListingStatus.self, 7), history: [], createdAt: try row.timestamp(8))
}

private func listingUniqueness(_ listing: Listing) -> [StorageFailure.Uniqueness] {
    [
        StorageFailure.Uniqueness(
            columns: "listings.product_id, listings.contract_id",
            message: "a pending or listed listing of product \(listing.productID) under contract "
                + "\(listing.contractID) already exists",
            field: nil)
    ]
}

private let subscriptionColumns =
    "seq, id, product_id, vendor_id, distributor_id, marketplace_id, contract_id, customer_id, tier1_id, tier2_id, "
    + "external_id, external_uid, status, created_at"

/// A subscription without its parameters and history, which live in child tables.
private func decodeSubscription(_ row: borrowing SQLiteRow) throws -> Subscription {
    Subscription(
        id: try row.text(1), productID: try row.text(2), vendorID: try row.text(3), distributorID: try row.text(4),
        marketplaceID: try row.text(5), contractID: try row.text(6),
        tiers: Tiers(customerID: try row.text(7), tier1ID: try row.optionalText(8), tier2ID: try row.optionalText(9)),
        externalID: try row.text(10), externalUID: try row.text(11), parameters: [],
        status: try row.enumeration(SubscriptionStatus.self, 12), history: [], createdAt: try row.timestamp(13))
}

private func subscriptionUniqueness(_ subscription: Subscription) -> [StorageFailure.Uniqueness] {
    [
        StorageFailure.Uniqueness(
            columns: "subscriptions.distributor_id, subscriptions.external_id",
            message: "a subscription with this external_id already exists", field: "external_id"),
        StorageFailure.Uniqueness(
            columns: "subscription_parameters.subscription_id, subscription_parameters.name",
            message: "a parameter of subscription \(subscription.id) with this name already exists",
            field: "parameters"),
        StorageFailure.Uniqueness(
            columns: "subscription_parameters.subscription_id",
            message: "a reconciliation parameter of subscription \(subscription.id) already exists",
            field: "parameters"),
    ]
}

extension StoreReadTransaction {
    func marketplace(id: String) throws -> Marketplace? {
        try fetch("marketplaces", marketplaceColumns, id: id, decode: decodeMarketplace)
    }

    func marketplaces(distributorID: String, page: PageRequest) throws -> Page<Marketplace> {
        try self.page(
            "marketplaces", marketplaceColumns, RowFilter("distributor_id", equals: distributorID), page,
            decode: decodeMarketplace)
    }

    func contract(id: String) throws -> Contract? {
        try fetch("contracts", contractColumns, id: id, decode: decodeContract).map(withHistory)
    }

    func contracts(_ filter: ContractFilter, page: PageRequest) throws -> Page<Contract> {
        var rows = RowFilter()
        rows.equal("vendor_id", filter.vendorID)
        rows.equal("distributor_id", filter.distributorID)
        rows.equal("marketplace_id", filter.marketplaceID)
        rows.equal("status", filter.status)
        return try self.page("contracts", contractColumns, rows, page, decode: decodeContract).map(withHistory)
    }

    func listing(id: String) throws -> Listing? {
        try fetch("listings", listingColumns, id: id, decode: decodeListing).map(withHistory)
    }

    func listings(_ filter: ListingFilter, page: PageRequest) throws -> Page<Listing> {
        var rows = RowFilter()
        rows.equal("vendor_id", filter.vendorID)
        rows.equal("distributor_id", filter.distributorID)
        rows.equal("product_id", filter.productID)
        rows.equal("contract_id", filter.contractID)
        rows.equal("marketplace_id", filter.marketplaceID)
        rows.equal("status", filter.status)
        return try self.page("listings", listingColumns, rows, page, decode: decodeListing).map(withHistory)
    }

    func subscription(id: String) throws -> Subscription? {
        try fetch("subscriptions", subscriptionColumns, id: id, decode: decodeSubscription).map(withChildren)
    }

    func subscriptions(_ filter: SubscriptionFilter, page: PageRequest) throws -> Page<Subscription> {
        var rows = RowFilter()
        rows.equal("vendor_id", filter.vendorID)
        rows.equal("distributor_id", filter.distributorID)
        rows.equal("product_id", filter.productID)
        rows.equal("customer_id", filter.customerID)
        if let resellerID = filter.resellerID {
            rows.add("(tier1_id = ? OR tier2_id = ?)", .text(resellerID), .text(resellerID))
        }
        rows.equal("status", filter.status)
        rows.equal("external_id", filter.externalID)
        return try self.page("subscriptions", subscriptionColumns, rows, page, decode: decodeSubscription)
            .map(withChildren)
    }

    /// A subscription's parameters, in the order they were given.
    func parameters(of subscriptionID: String) throws -> [Parameter] {
        try perform { connection in
            try connection.query(
                "SELECT name, value, reconciliation FROM subscription_parameters WHERE subscription_id = ? "
                    + "ORDER BY position",
                [.text(subscriptionID)]
            ) { row in Parameter(name: try row.text(0), value: try row.text(1), reconciliation: try row.bool(2)) }
        }
    }

    private func withHistory(_ contract: Contract) throws -> Contract {
        var contract = contract
        contract.history = try history(.contract, of: contract.id)
        return contract
    }

    private func withHistory(_ listing: Listing) throws -> Listing {
        var listing = listing
        listing.history = try history(.listing, of: listing.id)
        return listing
    }

    private func withChildren(_ subscription: Subscription) throws -> Subscription {
        var subscription = subscription
        subscription.parameters = try parameters(of: subscription.id)
        subscription.history = try history(.subscription, of: subscription.id)
        return subscription
    }
}

extension StoreWriteTransaction {
    func insert(_ marketplace: Marketplace) throws {
        try run(
            "INSERT INTO marketplaces (id, distributor_id, name, currency, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                .text(marketplace.id), .text(marketplace.distributorID), .text(marketplace.name),
                .text(marketplace.currency), SQLiteValue(marketplace.createdAt),
            ],
            noun: "marketplace", id: marketplace.id)
    }

    func insert(_ contract: Contract) throws {
        try run(
            "INSERT INTO contracts (id, vendor_id, distributor_id, marketplace_id, status, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)",
            [.text(contract.id)] + contractValues(contract), noun: "contract", id: contract.id,
            uniqueness: contractUniqueness(contract))
        try saveHistory(
            .contract, of: contract.id, contract.history, isNew: true,
            audience: { _ in .contract(contract) })
    }

    func update(_ contract: Contract) throws {
        try update(
            "UPDATE contracts SET vendor_id = ?, distributor_id = ?, marketplace_id = ?, status = ?, created_at = ? "
                + "WHERE id = ?",
            contractValues(contract) + [.text(contract.id)], noun: "contract", id: contract.id,
            uniqueness: contractUniqueness(contract))
        try saveHistory(
            .contract, of: contract.id, contract.history, isNew: false,
            audience: { _ in .contract(contract) })
    }

    func insert(_ listing: Listing) throws {
        try run(
            "INSERT INTO listings (id, product_id, contract_id, vendor_id, distributor_id, marketplace_id, status, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(listing.id)] + listingValues(listing), noun: "listing", id: listing.id,
            uniqueness: listingUniqueness(listing))
        try saveHistory(
            .listing, of: listing.id, listing.history, isNew: true,
            audience: { _ in .listing(listing) })
    }

    func update(_ listing: Listing) throws {
        try update(
            "UPDATE listings SET product_id = ?, contract_id = ?, vendor_id = ?, distributor_id = ?, "
                + "marketplace_id = ?, status = ?, created_at = ? WHERE id = ?",
            listingValues(listing) + [.text(listing.id)], noun: "listing", id: listing.id,
            uniqueness: listingUniqueness(listing))
        try saveHistory(
            .listing, of: listing.id, listing.history, isNew: false,
            audience: { _ in .listing(listing) })
    }

    func insert(_ subscription: Subscription) throws {
        try run(
            "INSERT INTO subscriptions (id, product_id, vendor_id, distributor_id, marketplace_id, contract_id, "
                + "customer_id, tier1_id, tier2_id, external_id, external_uid, status, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(subscription.id)] + subscriptionValues(subscription), noun: "subscription", id: subscription.id,
            uniqueness: subscriptionUniqueness(subscription))
        try saveParameters(of: subscription, isNew: true)
        try saveHistory(
            .subscription, of: subscription.id, subscription.history, isNew: true,
            audience: { _ in .subscription(subscription) })
    }

    func update(_ subscription: Subscription) throws {
        try update(
            "UPDATE subscriptions SET product_id = ?, vendor_id = ?, distributor_id = ?, marketplace_id = ?, "
                + "contract_id = ?, customer_id = ?, tier1_id = ?, tier2_id = ?, external_id = ?, external_uid = ?, "
                + "status = ?, created_at = ? WHERE id = ?",
            subscriptionValues(subscription) + [.text(subscription.id)], noun: "subscription", id: subscription.id,
            uniqueness: subscriptionUniqueness(subscription))
        try saveParameters(of: subscription, isNew: false)
        try saveHistory(
            .subscription, of: subscription.id, subscription.history, isNew: false,
            audience: { _ in .subscription(subscription) })
    }

    /// Makes the stored parameters equal to the subscription's, touching only what differs.
    private func saveParameters(of subscription: Subscription, isNew: Bool) throws {
        let stored = isNew ? [] : try parameters(of: subscription.id)
        let uniqueness = subscriptionUniqueness(subscription)
        try synchronize(
            stored: stored, wanted: subscription.parameters,
            deleteFrom: { position in
                try run(
                    "DELETE FROM subscription_parameters WHERE subscription_id = ? AND position >= ?",
                    [.text(subscription.id), .integer(Int64(position))])
            },
            insert: { position, parameter in
                try run(
                    "INSERT INTO subscription_parameters (subscription_id, position, name, value, reconciliation) "
                        + "VALUES (?, ?, ?, ?, ?)",
                    [
                        .text(subscription.id), .integer(Int64(position)), .text(parameter.name),
                        .text(parameter.value), SQLiteValue(parameter.reconciliation),
                    ],
                    uniqueness: uniqueness)
            })
    }

    /// Every column but the id, in the order the statements above list them.
    private func contractValues(_ contract: Contract) -> [SQLiteValue] {
        [
            .text(contract.vendorID), .text(contract.distributorID), .text(contract.marketplaceID),
            SQLiteValue(contract.status), SQLiteValue(contract.createdAt),
        ]
    }

    private func listingValues(_ listing: Listing) -> [SQLiteValue] {
        [
            .text(listing.productID), .text(listing.contractID), .text(listing.vendorID),
            .text(listing.distributorID), .text(listing.marketplaceID), SQLiteValue(listing.status),
            SQLiteValue(listing.createdAt),
        ]
    }

    private func subscriptionValues(_ subscription: Subscription) -> [SQLiteValue] {
        [
            .text(subscription.productID), .text(subscription.vendorID), .text(subscription.distributorID),
            .text(subscription.marketplaceID), .text(subscription.contractID), .text(subscription.tiers.customerID),
            SQLiteValue(subscription.tiers.tier1ID), SQLiteValue(subscription.tiers.tier2ID),
            .text(subscription.externalID), .text(subscription.externalUID), SQLiteValue(subscription.status),
            SQLiteValue(subscription.createdAt),
        ]
    }
}
