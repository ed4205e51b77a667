// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain

/// Which tables hold ids with each prefix; a prefix not listed here is looked for everywhere.
///
/// Items share `PRD-` with products (an item id is its product's id and a number), and resellers
/// share `TA-` with customers, so those prefixes name two tables.
private let tablesByPrefix: [Substring: [String]] = [
    "VA": ["accounts"], "PA": ["accounts"], "TA": ["resellers", "customers"], "PRD": ["products", "items"],
    "MP": ["marketplaces"], "CRD": ["contracts"], "LST": ["listings"], "AS": ["subscriptions"],
    "SI": ["service_identities"], "KEY": ["api_keys"], "RC": ["reconciliations"],
]

/// Every table with an `id` column.
private let tablesWithIDs = [
    "accounts", "api_keys", "products", "items", "marketplaces", "contracts", "listings", "resellers", "customers",
    "subscriptions", "service_identities", "reconciliations",
]

extension StoreReadTransaction {
    /// Looks only in the tables the prefix implies: each lookup is one probe of a unique index.
    func isIdentifierTaken(_ id: String) throws -> Bool {
        let prefix = id.prefix { $0 != "-" }
        let tables = prefix.count < id.count ? tablesByPrefix[prefix] ?? tablesWithIDs : tablesWithIDs
        for table in tables where try exists(table, id: id) {
            return true
        }
        return false
    }
}
