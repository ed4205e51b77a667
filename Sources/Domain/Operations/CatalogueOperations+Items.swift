// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

extension CatalogueOperations {
    /// What a vendor asks for when it creates an item. Type and precision are optional here only so
    /// that a missing one is reported as a field violation with the others.
    public struct ItemDraft: Sendable, Hashable {
        public var productID: String
        public var name: String
        public var mpn: String
        public var description: String
        public var type: ItemType?
        public var precision: Precision?
        public var unit: String

        public init(
            productID: String, name: String, mpn: String, description: String = "", type: ItemType?,
            precision: Precision?, unit: String
        ) {
            self.productID = productID
            self.name = name
            self.mpn = mpn
            self.description = description
            self.type = type
            self.precision = precision
            self.unit = unit
        }
    }

    /// What `listItems` reads: its page depends on nothing else besides the stored data.
    private struct ItemsRead: Hashable, Sendable {
        let tenant: Tenant
        let productID: String
        let status: ItemStatus?
        let page: PageRequest
    }

    /// What `updateItem` changes; nil fields stay as they are.
    public struct ItemChanges: Sendable, Hashable {
        public var name: String?
        public var mpn: String?
        public var description: String?
        public var type: ItemType?
        public var precision: Precision?
        public var unit: String?

        public init(
            name: String? = nil, mpn: String? = nil, description: String? = nil, type: ItemType? = nil,
            precision: Precision? = nil, unit: String? = nil
        ) {
            self.name = name
            self.mpn = mpn
            self.description = description
            self.type = type
            self.precision = precision
            self.unit = unit
        }
    }

    // MARK: Items

    /// Creates a draft item numbered after the product's previous items (`PRD-…-0001`, `-0002`, …).
    ///
    /// Type, precision and unit are required; a PPU item needs the product's `ppu` capability; the
    /// unit is a built-in one or the vendor's own; name and MPN are unique within the product.
    public func createItem(_ tenant: Tenant, _ draft: ItemDraft) async throws -> Item {
        var validation = Validation()
        Self.validate(draft, into: &validation)
        try validation.check()
        guard let type = draft.type, let precision = draft.precision else {
            throw DomainError.internalFailure("item draft passed validation without type or precision")
        }
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let product = try Self.product(draft.productID, of: tenant, in: tx)
            var found = Validation()
            Self.checkType(type, of: product, into: &found)
            try Self.checkUnit(draft.unit, vendorID: product.vendorID, in: tx, into: &found)
            try found.check()
            try Self.checkUnique(name: draft.name, mpn: draft.mpn, productID: product.id, excluding: nil, in: tx)
            let identifier: ItemIdentifier
            do {
                identifier = try ItemIdentifier(
                    product: product.id, sequence: try tx.nextItemSequence(productID: product.id))
            } catch let error as IdentifierError {
                throw DomainError.resourceExhausted("product \(product.id) has no item numbers left: \(error.message)")
            }
            let item = Item(
                id: identifier.id, localID: identifier.localID, productID: product.id, vendorID: product.vendorID,
                name: draft.name, mpn: draft.mpn, description: draft.description, type: type, precision: precision,
                unit: draft.unit, status: .draft, dynamic: false, createdAt: now, updatedAt: now)
            try tx.insert(item)
            try tx.appendEvent(.item(item, from: nil, by: tenant.actor, at: now))
            return item
        }
    }

    /// One of the vendor's items, by id (`PRD-…-0001`) or local id (`PRD_…_0001`).
    public func getItem(_ tenant: Tenant, id: String) async throws -> Item {
        try await environment.store.read { tx in try Self.item(id, of: tenant, in: tx) }
    }

    /// A product's items in id order, optionally only those in one status. A cached read, keyed by
    /// everything the read depends on besides the stored data.
    public func listItems(
        _ tenant: Tenant, productID: String, status: ItemStatus? = nil, page: PageRequest
    ) async throws -> Page<Item> {
        var validation = Validation()
        if productID.isEmpty { validation.fail("product_id", "is required") }
        try validation.check()
        let key = ItemsRead(tenant: tenant, productID: productID, status: status, page: page)
        return try await environment.store.read(cachedAs: key) { tx in
            let product = try Self.product(productID, of: tenant, in: tx)
            return try tx.items(productID: product.id, status: status, page: page)
        }
    }

    /// Changes a draft item freely; a published or end-of-sale item only in name, MPN and
    /// description. Setting a field to the value it already has is not a change.
    public func updateItem(_ tenant: Tenant, id: String, changes: ItemChanges) async throws -> Item {
        var validation = Validation()
        Self.validate(changes, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var item = try Self.item(id, of: tenant, in: tx)
            let newType = changes.type.flatMap { $0 == item.type ? nil : $0 }
            let newPrecision = changes.precision.flatMap { $0 == item.precision ? nil : $0 }
            let newUnit = changes.unit.flatMap { $0 == item.unit ? nil : $0 }
            try item.checkChangeable(type: newType != nil, precision: newPrecision != nil, unit: newUnit != nil)
            var found = Validation()
            if let newType, let product = try tx.product(id: item.productID) {
                Self.checkType(newType, of: product, into: &found)
            }
            if let newUnit { try Self.checkUnit(newUnit, vendorID: item.vendorID, in: tx, into: &found) }
            try found.check()
            let newName = changes.name.flatMap { $0 == item.name ? nil : $0 }
            let newMPN = changes.mpn.flatMap { $0 == item.mpn ? nil : $0 }
            try Self.checkUnique(name: newName, mpn: newMPN, productID: item.productID, excluding: item.id, in: tx)
            if let newName { item.name = newName }
            if let newMPN { item.mpn = newMPN }
            if let description = changes.description { item.description = description }
            if let newType { item.type = newType }
            if let newPrecision { item.precision = newPrecision }
            if let newUnit { item.unit = newUnit }
            item.updatedAt = now
            try tx.update(item)
            return item
        }
    }

    /// draft → published.
    public func publishItem(_ tenant: Tenant, id: String) async throws -> Item {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var item = try Self.item(id, of: tenant, in: tx)
            try item.publish(at: now)
            try tx.update(item)
            try tx.appendEvent(.item(item, from: .draft, by: tenant.actor, at: now))
            return item
        }
    }

    /// published → endofsale.
    public func endItemSale(_ tenant: Tenant, id: String) async throws -> Item {
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var item = try Self.item(id, of: tenant, in: tx)
            try item.endSale(at: now)
            try tx.update(item)
            try tx.appendEvent(.item(item, from: .published, by: tenant.actor, at: now))
            return item
        }
    }

    /// Deletes a draft item; its number is never given to another item.
    public func deleteItem(_ tenant: Tenant, id: String) async throws {
        let now = environment.clock.now()
        try await environment.store.write { tx in
            let item = try Self.item(id, of: tenant, in: tx)
            try item.checkDeletable()
            try tx.deleteItem(id: item.id)
            try tx.appendEvent(.item(item, from: item.status, to: "deleted", by: tenant.actor, at: now))
        }
    }

    // MARK: Item rules

    /// Adds a violation for every invalid field of a new item that can be judged without the store.
    ///
    /// A field that already has a violation (a wire enum with an unknown number) is not reported
    /// again as missing.
    public static func validate(_ draft: ItemDraft, into validation: inout Validation) {
        let failed = Set(validation.violations.map(\.field))
        if draft.productID.isEmpty { validation.fail("product_id", "is required") }
        validation.name("name", draft.name)
        validation.name("mpn", draft.mpn)
        validation.text("description", draft.description, maxLength: Limits.descriptionLength, allowNewlines: true)
        if draft.type == nil && !failed.contains("type") {
            validation.fail("type", "is required (ITEM_TYPE_PPU or ITEM_TYPE_RESERVATION)")
        }
        if draft.precision == nil && !failed.contains("precision") {
            validation.fail("precision", "is required (integer, decimal(1), decimal(2), decimal(4) or decimal(8))")
        }
        validation.name("unit", draft.unit, maxLength: Limits.unitLength)
    }

    /// Adds a violation for every invalid field of an item change that can be judged without the store.
    public static func validate(_ changes: ItemChanges, into validation: inout Validation) {
        if let name = changes.name { validation.name("name", name) }
        if let mpn = changes.mpn { validation.name("mpn", mpn) }
        if let description = changes.description {
            validation.text("description", description, maxLength: Limits.descriptionLength, allowNewlines: true)
        }
        if let unit = changes.unit { validation.name("unit", unit, maxLength: Limits.unitLength) }
    }

    /// The vendor's item by id or local id, or NOT_FOUND with the same message whether it is
    /// malformed, missing or another vendor's.
    static func item(_ id: String, of tenant: Tenant, in tx: any StoreReader) throws -> Item {
        guard case .vendor(let vendorID) = tenant, let identifier = ItemIdentifier(parsing: id),
            let item = try tx.item(id: identifier.id), item.vendorID == vendorID
        else { throw DomainError.notFound("item", id) }
        return item
    }

    /// PPU items need the product's `ppu` capability.
    static func checkType(_ type: ItemType, of product: Product, into validation: inout Validation) {
        if type == .ppu && !product.capabilities.ppu {
            validation.fail("type", "PPU items need the ppu capability, which product \(product.id) does not have")
        }
    }

    /// A unit is a built-in one or one the vendor defined.
    static func checkUnit(
        _ unit: String, vendorID: String, in tx: any StoreReader, into validation: inout Validation
    ) throws {
        if try Unit.isBuiltin(unit) || tx.unit(vendorID: vendorID, name: unit) != nil { return }
        let builtin = Unit.builtin.map(\.name).joined(separator: ", ")
        validation.fail("unit", "unknown unit \(unit): use a built-in unit (\(builtin)) or create it first")
    }

    /// Name and MPN are unique within a product; both clashes are reported at once. Nil values
    /// are not being set and are not checked.
    static func checkUnique(
        name: String?, mpn: String?, productID: String, excluding itemID: String?, in tx: any StoreReader
    ) throws {
        var violations: [FieldViolation] = []
        if let name, let other = try tx.item(productID: productID, name: name), other.id != itemID {
            violations.append(FieldViolation(field: "name", description: "item \(other.id) already has this name"))
        }
        if let mpn, let other = try tx.item(productID: productID, mpn: mpn), other.id != itemID {
            violations.append(FieldViolation(field: "mpn", description: "item \(other.id) already has this MPN"))
        }
        guard !violations.isEmpty else { return }
        let message = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        throw DomainError(kind: .alreadyExists, message: message, violations: violations)
    }
}
