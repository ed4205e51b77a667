// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A vendor's catalogue: products and their capabilities, items, and units of measure.
///
/// Every operation acts for one vendor and sees only that vendor's objects: a product, item or
/// unit of another vendor, a missing one and a malformed id all answer the same
/// `DomainError.notFound`, so a caller never learns what others sell. Checks that read the store
/// (is this MPN free? does the product still have PPU items?) run in the same write transaction as
/// the write they guard. Items live in `CatalogueOperations+Items.swift`.
public struct CatalogueOperations: Sendable {
    /// What `updateProduct` changes; nil fields stay as they are.
    public struct ProductChanges: Sendable, Hashable {
        public var name: String?
        public var description: String?
        /// Replaces the old capabilities whole when set.
        public var capabilities: Capabilities?

        public init(name: String? = nil, description: String? = nil, capabilities: Capabilities? = nil) {
            self.name = name
            self.description = description
            self.capabilities = capabilities
        }
    }

    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    // MARK: Products

    /// Creates a product of the vendor acting; capabilities are all off unless given.
    public func createProduct(
        _ tenant: Tenant, name: String, description: String = "", capabilities: Capabilities = Capabilities()
    ) async throws -> Product {
        let vendorID = try Self.vendorID(tenant, "create products")
        var validation = Validation()
        Self.validateProduct(name: name, description: description, capabilities: capabilities, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let product = Product(
                id: try environment.newID(.product, in: tx), vendorID: vendorID, name: name,
                description: description, capabilities: capabilities, createdAt: now, updatedAt: now)
            try tx.insert(product)
            try tx.appendEvent(.productCreated(product, by: tenant.actor, at: now))
            return product
        }
    }

    /// One of the vendor's products. A cached read: the key holds the tenant, so the ownership
    /// check is part of what is kept, and a refusal is never kept.
    public func getProduct(_ tenant: Tenant, id: String) async throws -> Product {
        try await environment.store.read(cachedAs: ProductRead(tenant: tenant, id: id)) { tx in
            try Self.product(id, of: tenant, in: tx)
        }
    }

    /// The vendor's products, oldest first.
    public func listProducts(_ tenant: Tenant, page: PageRequest) async throws -> Page<Product> {
        let vendorID = try Self.vendorID(tenant, "list products")
        return try await environment.store.read { tx in try tx.products(vendorID: vendorID, page: page) }
    }

    /// Changes name, description or capabilities (replaced whole).
    ///
    /// Turning `ppu` off is refused while the product has PPU items: their usage could no longer be
    /// reported. The vendor deletes (drafts) or keeps them and leaves `ppu` on.
    public func updateProduct(_ tenant: Tenant, id: String, changes: ProductChanges) async throws -> Product {
        var validation = Validation()
        Self.validate(changes, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var product = try Self.product(id, of: tenant, in: tx)
            if let capabilities = changes.capabilities {
                if product.capabilities.ppu && !capabilities.ppu,
                    let ppuItem = try Self.firstItem(of: product.id, in: tx, where: { $0.type == .ppu })
                {
                    throw DomainError.wrongState(
                        "product \(product.id) has PPU item \(ppuItem.id); "
                            + "ppu cannot be turned off while it has PPU items")
                }
                product.capabilities = capabilities
            }
            if let name = changes.name { product.name = name }
            if let description = changes.description { product.description = description }
            product.updatedAt = now
            try tx.update(product)
            return product
        }
    }

    /// Adds a violation for every invalid field of a new product.
    ///
    /// A field that already has a violation (a wire enum with an unknown number) is not reported
    /// again, say as a schema missing while ppu is on.
    public static func validateProduct(
        name: String, description: String, capabilities: Capabilities, into validation: inout Validation
    ) {
        validation.name("name", name)
        validation.text("description", description, maxLength: Limits.descriptionLength, allowNewlines: true)
        validate(capabilities, into: &validation)
    }

    /// Adds a violation for every invalid field of a product change, as `validateProduct` does.
    public static func validate(_ changes: ProductChanges, into validation: inout Validation) {
        if let name = changes.name { validation.name("name", name) }
        if let description = changes.description {
            validation.text("description", description, maxLength: Limits.descriptionLength, allowNewlines: true)
        }
        if let capabilities = changes.capabilities { validate(capabilities, into: &validation) }
    }

    /// The capability rules, skipping fields that already failed.
    private static func validate(_ capabilities: Capabilities, into validation: inout Validation) {
        let failed = Set(validation.violations.map(\.field))
        var rules = Validation()
        capabilities.validate(into: &rules)
        for violation in rules.violations where !failed.contains(violation.field) {
            validation.fail(violation.field, violation.description)
        }
    }

    // MARK: Units

    /// Defines a unit of the vendor's own: 1–64 characters, not a built-in name, unique per vendor.
    public func createUnit(_ tenant: Tenant, name: String, description: String = "") async throws -> Unit {
        let vendorID = try Self.vendorID(tenant, "create units")
        var validation = Validation()
        Self.validateUnit(name: name, description: description, into: &validation)
        try validation.check()
        if Unit.isBuiltin(name) {
            throw DomainError.alreadyExists("unit \(name) is a built-in unit", field: "name")
        }
        return try await environment.store.write { tx in
            if try tx.unit(vendorID: vendorID, name: name) != nil {
                throw DomainError.alreadyExists("unit \(name) already exists", field: "name")
            }
            let unit = Unit(name: name, description: description, vendorID: vendorID)
            try tx.insert(unit)
            return unit
        }
    }

    /// Adds a violation for every invalid field of a new unit.
    public static func validateUnit(name: String, description: String, into validation: inout Validation) {
        validation.name("name", name, maxLength: Limits.unitLength)
        validation.text("description", description, maxLength: Limits.descriptionLength, allowNewlines: true)
    }

    /// The built-in units, then the vendor's own in creation order.
    ///
    /// Only the vendor's units are paged: the built-ins come whole on the first page, followed by
    /// as many of the vendor's units as the rest of the page holds (at least one, so a small page
    /// size still makes progress). Later pages hold the vendor's units only.
    public func listUnits(_ tenant: Tenant, page: PageRequest) async throws -> Page<Unit> {
        let vendorID = try Self.vendorID(tenant, "list units")
        return try await environment.store.read { tx in
            guard page.after == nil else { return try tx.units(vendorID: vendorID, page: page) }
            let room = max(1, page.size - Unit.builtin.count)
            let own = try tx.units(vendorID: vendorID, page: PageRequest(size: room))
            return Page(items: Unit.builtin + own.items, nextAfter: own.nextAfter)
        }
    }

    // MARK: Shared lookups

    /// The vendor acting. Policies keep other roles out before an operation runs; this keeps an
    /// operation that has no object to look up safe when called directly.
    static func vendorID(_ tenant: Tenant, _ action: String) throws(DomainError) -> String {
        guard case .vendor(let id) = tenant else { throw .permissionDenied("only a vendor can \(action)") }
        return id
    }

    /// The vendor's product, or NOT_FOUND when `id` is malformed, missing, another vendor's, or
    /// the caller is not a vendor: the same answer in every case.
    /// What `getProduct` reads: its result depends on nothing else besides the stored data.
    private struct ProductRead: Hashable, Sendable {
        let tenant: Tenant
        let id: String
    }

    static func product(_ id: String, of tenant: Tenant, in tx: any StoreReader) throws -> Product {
        guard case .vendor(let vendorID) = tenant, IdentifierKind.product.matches(id),
            let product = try tx.product(id: id), product.vendorID == vendorID
        else { throw DomainError.notFound("product", id) }
        return product
    }

    /// The first item of a product that satisfies `predicate`, reading every page until one does.
    static func firstItem(
        of productID: String, in tx: any StoreReader, where predicate: (Item) -> Bool
    ) throws -> Item? {
        var page = try tx.items(productID: productID, status: nil, page: PageRequest(size: Limits.maxPageSize))
        while true {
            if let match = page.items.first(where: predicate) { return match }
            guard let after = page.nextAfter else { return nil }
            page = try tx.items(
                productID: productID, status: nil, page: PageRequest(size: Limits.maxPageSize, after: after))
        }
    }
}
