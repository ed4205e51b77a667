// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Accounts, resellers and customers: the parties of the channel.

private let accountColumns = "seq, id, role, name, created_at"

private func decodeAccount(_ row: borrowing SQLiteRow) throws -> Account {
    Account(
        id: try row.text(1), role: try row.enumeration(Role.self, 2), name: try row.text(3),
        createdAt: try row.timestamp(4))
}

private let resellerColumns = "seq, id, distributor_id, tier, parent_id, name, allow_tier2, created_at"

private func decodeReseller(_ row: borrowing SQLiteRow) throws -> Reseller {
    Reseller(
        id: try row.text(1), distributorID: try row.text(2), tier: try row.int(3), parentID: try row.optionalText(4),
        name: try row.text(5), allowTier2: try row.bool(6), createdAt: try row.timestamp(7))
}

private let customerColumns = "seq, id, distributor_id, reseller_id, name, external_id, created_at"

private func decodeCustomer(_ row: borrowing SQLiteRow) throws -> Customer {
    Customer(
        id: try row.text(1), distributorID: try row.text(2), resellerID: try row.optionalText(3),
        name: try row.text(4), externalID: try row.text(5), createdAt: try row.timestamp(6))
}

extension StoreReadTransaction {
    func account(id: String) throws -> Account? {
        try fetch("accounts", accountColumns, id: id, decode: decodeAccount)
    }

    func accounts(role: Role?, page: PageRequest) throws -> Page<Account> {
        var filter = RowFilter()
        filter.equal("role", role)
        return try self.page("accounts", accountColumns, filter, page, decode: decodeAccount)
    }

    func reseller(id: String) throws -> Reseller? {
        try fetch("resellers", resellerColumns, id: id, decode: decodeReseller)
    }

    func resellers(_ filter: ResellerFilter, page: PageRequest) throws -> Page<Reseller> {
        var rows = RowFilter("distributor_id", equals: filter.distributorID)
        if let tier = filter.tier { rows.add("tier = ?", .integer(Int64(tier))) }
        rows.equal("parent_id", filter.parentID)
        return try self.page("resellers", resellerColumns, rows, page, decode: decodeReseller)
    }

    func customer(id: String) throws -> Customer? {
        try fetch("customers", customerColumns, id: id, decode: decodeCustomer)
    }

    func customers(_ filter: CustomerFilter, page: PageRequest) throws -> Page<Customer> {
        var rows = RowFilter("distributor_id", equals: filter.distributorID)
        if filter.directOnly { rows.add("reseller_id IS NULL") }
        if let resellerIDs = filter.resellerIDs { rows.oneOf("reseller_id", resellerIDs) }
        return try self.page("customers", customerColumns, rows, page, decode: decodeCustomer)
    }
}

extension StoreWriteTransaction {
    func insert(_ account: Account) throws {
        try run(
            "INSERT INTO accounts (id, role, name, created_at) VALUES (?, ?, ?, ?)",
            [.text(account.id), SQLiteValue(account.role), .text(account.name), SQLiteValue(account.createdAt)],
            noun: "account", id: account.id)
    }

    func insert(_ reseller: Reseller) throws {
        try run(
            "INSERT INTO resellers (id, distributor_id, tier, parent_id, name, allow_tier2, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(reseller.id), .text(reseller.distributorID), SQLiteValue(reseller.tier),
                SQLiteValue(reseller.parentID), .text(reseller.name), SQLiteValue(reseller.allowTier2),
                SQLiteValue(reseller.createdAt),
            ],
            noun: "reseller", id: reseller.id)
    }

    func insert(_ customer: Customer) throws {
        try run(
            "INSERT INTO customers (id, distributor_id, reseller_id, name, external_id, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(customer.id), .text(customer.distributorID), SQLiteValue(customer.resellerID),
                .text(customer.name), .text(customer.externalID), SQLiteValue(customer.createdAt),
            ],
            noun: "customer", id: customer.id)
    }
}
