// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

// Products, their items and item numbers, and vendors' units.

private let productColumns =
    "seq, id, vendor_id, name, description, ppu, ppu_schema, dynamic, future, late, predictive, "
    + "reservation_consumption, tier_levels, created_at, updated_at"

private func decodeProduct(_ row: borrowing SQLiteRow) throws -> Product {
    let capabilities = Capabilities(
        ppu: try row.bool(5), schema: try row.optionalEnumeration(PPUSchema.self, 6), dynamic: try row.bool(7),
        future: try row.bool(8), late: try row.bool(9), predictive: try row.bool(10),
        reservationConsumption: try row.bool(11), tierLevels: try row.int(12))
    return Product(
        id: try row.text(1), vendorID: try row.text(2), name: try row.text(3), description: try row.text(4),
        capabilities: capabilities, createdAt: try row.timestamp(13), updatedAt: try row.timestamp(14))
}

private let itemColumns =
    "seq, id, local_id, product_id, vendor_id, name, mpn, description, type, precision, unit, status, dynamic, "
    + "created_at, updated_at"

private func decodeItem(_ row: borrowing SQLiteRow) throws -> Item {
    Item(
        id: try row.text(1), localID: try row.text(2), productID: try row.text(3), vendorID: try row.text(4),
        name: try row.text(5), mpn: try row.text(6), description: try row.text(7),
        type: try row.enumeration(ItemType.self, 8), precision: try row.enumeration(Precision.self, 9),
        unit: try row.text(10), status: try row.enumeration(ItemStatus.self, 11), dynamic: try row.bool(12),
        createdAt: try row.timestamp(13), updatedAt: try row.timestamp(14))
}

/// The rules an item can break besides its id.
private func itemUniqueness(_ item: Item) -> [StorageFailure.Uniqueness] {
    [
        StorageFailure.Uniqueness(
            columns: "items.product_id, items.name",
            message: "an item named \(item.name) already exists in product \(item.productID)", field: "name"),
        StorageFailure.Uniqueness(
            columns: "items.product_id, items.mpn",
            message: "an item with MPN \(item.mpn) already exists in product \(item.productID)", field: "mpn"),
        StorageFailure.Uniqueness(
            columns: "items.local_id", message: "item \(item.localID) already exists", field: nil),
    ]
}

private let unitColumns = "seq, vendor_id, name, description"

private func decodeUnit(_ row: borrowing SQLiteRow) throws -> Unit {
    Unit(name: try row.text(2), description: try row.text(3), vendorID: try row.text(1))
}

extension StoreReadTransaction {
    func product(id: String) throws -> Product? {
        try fetch("products", productColumns, id: id, decode: decodeProduct)
    }

    func products(vendorID: String, page: PageRequest) throws -> Page<Product> {
        try self.page("products", productColumns, RowFilter("vendor_id", equals: vendorID), page, decode: decodeProduct)
    }

    func item(id: String) throws -> Item? {
        try fetch("items", itemColumns, id: id, decode: decodeItem)
    }

    func items(productID: String, status: ItemStatus?, page: PageRequest) throws -> Page<Item> {
        var filter = RowFilter("product_id", equals: productID)
        filter.equal("status", status)
        return try self.page("items", itemColumns, filter, page, decode: decodeItem)
    }

    func item(productID: String, name: String) throws -> Item? {
        var filter = RowFilter("product_id", equals: productID)
        filter.equal("name", name)
        return try fetchFirst("items", itemColumns, filter, decode: decodeItem)
    }

    func item(productID: String, mpn: String) throws -> Item? {
        var filter = RowFilter("product_id", equals: productID)
        filter.equal("mpn", mpn)
        return try fetchFirst("items", itemColumns, filter, decode: decodeItem)
    }

    func unit(vendorID: String, name: String) throws -> Unit? {
        var filter = RowFilter("vendor_id", equals: vendorID)
        filter.equal("name", name)
        return try fetchFirst("units", unitColumns, filter, decode: decodeUnit)
    }

    func units(vendorID: String, page: PageRequest) throws -> Page<Unit> {
        try self.page("units", unitColumns, RowFilter("vendor_id", equals: vendorID), page, decode: decodeUnit)
    }
}

extension StoreWriteTransaction {
    func insert(_ product: Product) throws {
        try run(
            "INSERT INTO products (id, vendor_id, name, description, ppu, ppu_schema, dynamic, future, late, "
                + "predictive, reservation_consumption, tier_levels, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(product.id)] + productValues(product), noun: "product", id: product.id)
    }

    func update(_ product: Product) throws {
        try update(
            "UPDATE products SET vendor_id = ?, name = ?, description = ?, ppu = ?, ppu_schema = ?, dynamic = ?, "
                + "future = ?, late = ?, predictive = ?, reservation_consumption = ?, tier_levels = ?, created_at = ?, "
                + "updated_at = ? WHERE id = ?",
            productValues(product) + [.text(product.id)], noun: "product", id: product.id)
    }

    /// Counts up in `item_sequences`, which no delete touches, so a number is given out once.
    func nextItemSequence(productID: String) throws -> Int {
        let next = try perform { connection in
            try connection.queryOne(
                "INSERT INTO item_sequences (product_id, last_sequence) VALUES (?, 1) "
                    + "ON CONFLICT (product_id) DO UPDATE SET last_sequence = last_sequence + 1 "
                    + "RETURNING last_sequence",
                [.text(productID)]
            ) { try $0.int(0) }
        }
        guard let next else {
            throw DomainError.internalFailure("the item sequence of product \(productID) returned no row")
        }
        return next
    }

    func insert(_ item: Item) throws {
        try run(
            "INSERT INTO items (id, local_id, product_id, vendor_id, name, mpn, description, type, precision, unit, "
                + "status, dynamic, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(item.id)] + itemValues(item), noun: "item", id: item.id, uniqueness: itemUniqueness(item))
    }

    func update(_ item: Item) throws {
        try update(
            "UPDATE items SET local_id = ?, product_id = ?, vendor_id = ?, name = ?, mpn = ?, description = ?, "
                + "type = ?, precision = ?, unit = ?, status = ?, dynamic = ?, created_at = ?, updated_at = ? "
                + "WHERE id = ?",
            itemValues(item) + [.text(item.id)], noun: "item", id: item.id, uniqueness: itemUniqueness(item))
    }

    func deleteItem(id: String) throws {
        let deleted = try run("DELETE FROM items WHERE id = ?", [.text(id)])
        if deleted == 0 { throw DomainError.notFound("item", id) }
    }

    /// Only a vendor's own units are stored; a built-in one has no owner to file it under.
    func insert(_ unit: Unit) throws {
        guard let vendorID = unit.vendorID else {
            throw DomainError.internalFailure("built-in unit \(unit.name) cannot be stored")
        }
        try run(
            "INSERT INTO units (vendor_id, name, description) VALUES (?, ?, ?)",
            [.text(vendorID), .text(unit.name), .text(unit.description)],
            uniqueness: [
                StorageFailure.Uniqueness(
                    columns: "units.vendor_id, units.name", message: "unit \(unit.name) already exists", field: "name")
            ])
    }

    /// Every column but the id, in the order the statements above list them.
    private func productValues(_ product: Product) -> [SQLiteValue] {
        let capabilities = product.capabilities
        return [
            .text(product.vendorID), .text(product.name), .text(product.description), SQLiteValue(capabilities.ppu),
            SQLiteValue(capabilities.schema), SQLiteValue(capabilities.dynamic), SQLiteValue(capabilities.future),
            SQLiteValue(capabilities.late), SQLiteValue(capabilities.predictive),
            SQLiteValue(capabilities.reservationConsumption), SQLiteValue(capabilities.tierLevels),
            SQLiteValue(product.createdAt), SQLiteValue(product.updatedAt),
        ]
    }

    private func itemValues(_ item: Item) -> [SQLiteValue] {
        [
            .text(item.localID), .text(item.productID), .text(item.vendorID), .text(item.name), .text(item.mpn),
            .text(item.description), SQLiteValue(item.type), SQLiteValue(item.precision), .text(item.unit),
            SQLiteValue(item.status), SQLiteValue(item.dynamic), SQLiteValue(item.createdAt),
            SQLiteValue(item.updatedAt),
        ]
    }
}
