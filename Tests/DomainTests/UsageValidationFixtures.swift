// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// The world of the usage validation suites, after the reference's common fixture: vendor
// VA-111-111 reports product PRD-100-200-300 to distributor PA-222-222 under contract
// CRD-10001-10001-10001 for March 2025. The same vendor also sells through PA-333-333 (contract
// CRD-20002-20002-20002), and another vendor, VA-999-999, has subscriptions of its own.

/// A store stand-in for the validator: items, subscriptions and other files' record ids in
/// memory, with counters so tests can see what the validator asked for.
final class FakeUsageLookup: UsageLookup {
    var items: [Item]
    var subscriptions: [Subscription]
    /// Record ids already used by another live file of the product: record id → file id.
    var liveRecordIDs: [String: String]
    /// Units of the vendor besides the built-in ones.
    var vendorUnits: Set<String> = []
    private(set) var itemQueries = 0
    private(set) var subscriptionQueries = 0
    private(set) var created: [Item] = []

    init(items: [Item], subscriptions: [Subscription], liveRecordIDs: [String: String] = [:]) {
        self.items = items
        self.subscriptions = subscriptions
        self.liveRecordIDs = liveRecordIDs
    }

    func item(productID: String, criteria: UsageItemCriteria, value: String) throws -> Item? {
        itemQueries += 1
        return items.first { item in
            guard item.productID == productID else { return false }
            switch criteria {
            case .mpn: return item.mpn == value
            case .localID: return item.localID == value
            case .id: return item.id == value
            }
        }
    }

    func subscriptions(
        vendorID: String, criteria: UsageSubscriptionCriteria, value: String, limit: Int
    ) throws -> [Subscription] {
        subscriptionQueries += 1
        return Array(
            subscriptions.filter { $0.vendorID == vendorID && criteria.matches($0, value: value) }.prefix(limit))
    }

    func fileUsingRecordID(_ recordID: String, productID: String, excludingFileID: String) throws -> String? {
        guard let file = liveRecordIDs[recordID], file != excludingFileID else { return nil }
        return file
    }

    func createDynamicItem(productID: String, name: String, mpn: String, unit: String, precision: Precision) throws
        -> Item
    {
        guard Unit.isBuiltin(unit) || vendorUnits.contains(unit) else {
            throw DomainError.invalid(field: "unit", "the unit \(String(reflecting: unit)) is not known")
        }
        guard !items.contains(where: { $0.productID == productID && $0.name == name }) else {
            throw DomainError.alreadyExists("an item named \(String(reflecting: name)) already exists", field: "name")
        }
        let sequence = items.filter { $0.productID == productID }.count + 1
        let item = ValidationWorld.item(
            productID: productID, sequence: sequence, name: name, mpn: mpn, precision: precision, unit: unit,
            dynamic: true)
        items.append(item)
        created.append(item)
        return item
    }
}

/// Builders for the world's objects and rows.
enum ValidationWorld {
    static let vendorID = "VA-111-111"
    static let distributorID = "PA-222-222"
    static let productID = "PRD-100-200-300"
    static let contractID = "CRD-10001-10001-10001"
    static let otherContractID = "CRD-20002-20002-20002"
    static let otherProductID = "PRD-100-200-999"
    static let fileID = "UF-2025-03-0001-0001"
    static let january = Timestamp(secondsSinceEpoch: 1_735_689_600)  // 2025-01-01 00:00:00

    static func product(
        schema: PPUSchema = .qt, dynamic: Bool = false, future: Bool = false, late: Bool = false,
        reservationConsumption: Bool = false
    ) -> Product {
        Product(
            id: productID, vendorID: vendorID, name: "Cloud", description: "",
            capabilities: Capabilities(
                ppu: true, schema: schema, dynamic: dynamic, future: future, late: late,
                reservationConsumption: reservationConsumption),
            createdAt: january, updatedAt: january)
    }

    static func file(schema: PPUSchema = .qt, id: String = fileID) -> UsageFile {
        UsageFile(
            id: id, vendorID: vendorID, distributorID: distributorID, productID: productID, contractID: contractID,
            marketplaceID: "MP-10001", currency: "USD", schema: schema, environment: .production,
            name: "March 2025", periodFrom: CivilDate(year: 2025, month: 3, day: 1)!,
            periodTo: CivilDate(year: 2025, month: 3, day: 31)!, createdAt: january, updatedAt: january)
    }

    static func item(
        productID: String = productID, sequence: Int, name: String, mpn: String, precision: Precision,
        unit: String = "unit*h", type: ItemType = .ppu, dynamic: Bool = false
    ) -> Item {
        let number = String(repeating: "0", count: 4 - String(sequence).count) + String(sequence)
        let id = "\(productID)-\(number)"
        return Item(
            id: id, localID: id.replacingDashes(), productID: productID, vendorID: vendorID, name: name, mpn: mpn,
            description: "", type: type, precision: precision, unit: unit, status: .published, dynamic: dynamic,
            createdAt: january, updatedAt: january)
    }

    /// Storage (integer), vCPU (decimal(2)), a decimal(8) item and a reservation item.
    static let items: [Item] = [
        item(sequence: 1, name: "Storage", mpn: "STOR-GB-H", precision: .integer, unit: "MB*h"),
        item(sequence: 2, name: "vCPU", mpn: "VCPU-MHZ-H", precision: .decimal2, unit: "MHz*h"),
        item(sequence: 3, name: "Requests", mpn: "REQ-8", precision: .decimal8),
        item(sequence: 4, name: "Seats", mpn: "SEAT", precision: .integer, type: .reservation),
    ]

    static func subscription(
        _ id: String, vendorID: String = vendorID, productID: String = productID, contractID: String = contractID,
        tenant: String, tier1: Bool = true, tier2: Bool = false, history: [StatusChange]? = nil
    ) -> Subscription {
        Subscription(
            id: id, productID: productID, vendorID: vendorID,
            distributorID: contractID == self.contractID ? distributorID : "PA-333-333", marketplaceID: "MP-10001",
            contractID: contractID,
            tiers: Tiers(
                customerID: "TA-0-1000-0000-0001", tier1ID: tier1 ? "TA-1-1000-0000-0001" : nil,
                tier2ID: tier2 ? "TA-2-1000-0000-0001" : nil),
            externalID: "ext-\(tenant)", externalUID: "uid-\(tenant)",
            parameters: [Parameter(name: "tenant_id", value: tenant, reconciliation: true)], status: .active,
            history: history ?? [StatusChange(from: "", to: "active", at: january, actor: "PA-222-222")],
            createdAt: january)
    }

    /// Two subscriptions of the file's contract, one of the same vendor under another
    /// distributor's contract, one of another product, and one of another vendor.
    static let subscriptions: [Subscription] = [
        subscription("AS-1000-0000-0001", tenant: "tenant-a", tier1: true, tier2: true),
        subscription("AS-1000-0000-0002", tenant: "tenant-b", tier1: false),
        subscription("AS-2000-0000-0001", contractID: otherContractID, tenant: "tenant-other-distributor"),
        subscription("AS-2000-0000-0002", productID: otherProductID, tenant: "tenant-other-product"),
        subscription("AS-3000-0000-0001", vendorID: "VA-999-999", tenant: "tenant-other-vendor"),
    ]

    static func lookup() -> FakeUsageLookup {
        FakeUsageLookup(items: items, subscriptions: subscriptions)
    }

    /// Every known column, in template order, plus a parameter column.
    static let columns = UsageColumn.allCases.map(\.name) + ["region"]

    static func header(schema: PPUSchema = .qt) throws -> UsageHeader {
        try UsageHeader(columns: columns, schema: schema)
    }

    /// A valid QT row for Storage on AS-1000-0000-0001 across March, with `changes` applied.
    static func row(_ position: Int = 1, _ changes: [String: UsageCell] = [:]) -> UsageRow {
        var values: [String: UsageCell] = [
            "record_id": .text("r\(position)"),
            "item_search_criteria": .text("item.mpn"),
            "item_search_value": .text("STOR-GB-H"),
            "quantity": .number("100"),
            "start_time_utc": .text("2025-03-01 00:00:00"),
            "end_time_utc": .text("2025-03-31 23:59:59"),
            "asset_search_criteria": .text("asset.id"),
            "asset_search_value": .text("AS-1000-0000-0001"),
        ]
        for (column, cell) in changes { values[column] = cell }
        return UsageRow(position: position, cells: columns.map { values[$0] ?? .empty })
    }

    static func validator(
        schema: PPUSchema = .qt, product: Product? = nil, lookup: FakeUsageLookup, categories: Set<String> = [],
        file: UsageFile? = nil
    ) throws -> UsageRecordValidator {
        UsageRecordValidator(
            file: file ?? self.file(schema: schema), product: product ?? self.product(schema: schema),
            header: try header(schema: schema), categoryIDs: categories, lookup: lookup)
    }
}

extension String {
    /// `PRD-100-200-300-0001` → `PRD_100_200_300_0001`.
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}

extension UsageRecord {
    /// The codes of the record's errors, in order.
    var codes: [String] { errors.map(\.code) }
}
