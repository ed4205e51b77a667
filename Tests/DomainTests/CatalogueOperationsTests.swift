// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Synchronization
import Testing

// The catalogue rules, run against an in-memory store that keeps the same contract as the SQLite
// one (transactions roll back on a throw, unique names/MPNs/units, item numbers never reused).
// The same operations run against SQLite through the vendor service in UsageFlowServiceTests.

// MARK: - Fixtures

/// A catalogue world: two vendors over a fresh store with a clock that steps one second a reading.
private struct World {
    let environment: DomainEnvironment
    let vendorA = Tenant.vendor(id: "VA-100-001")
    let vendorB = Tenant.vendor(id: "VA-200-002")
    let store: MemoryCatalogueStore

    init() async throws {
        store = MemoryCatalogueStore()
        environment = DomainEnvironment(store: store, clock: SteppingClock())
        for (id, name) in [("VA-100-001", "Vendor A"), ("VA-200-002", "Vendor B")] {
            try await store.write { tx in
                try tx.insert(Account(id: id, role: .vendor, name: name, createdAt: Timestamp(secondsSinceEpoch: 0)))
            }
        }
    }

    var catalogue: CatalogueOperations { CatalogueOperations(environment: environment) }

    /// A PPU product (schema QT) of `vendor`, or one without capabilities.
    func product(of vendor: Tenant? = nil, ppu: Bool = true, name: String = "Cloud Storage") async throws -> Product {
        try await catalogue.createProduct(
            vendor ?? vendorA, name: name,
            capabilities: ppu ? Capabilities(ppu: true, schema: .qt) : Capabilities())
    }

    func draft(
        _ product: Product, name: String = "Storage", mpn: String = "STORAGE-GB", type: ItemType? = .ppu,
        precision: Precision? = .decimal2, unit: String = "MB*h"
    ) -> CatalogueOperations.ItemDraft {
        CatalogueOperations.ItemDraft(
            productID: product.id, name: name, mpn: mpn, description: "Stored data", type: type, precision: precision,
            unit: unit)
    }

    func item(
        _ product: Product, of vendor: Tenant? = nil, name: String = "Storage", mpn: String = "STORAGE-GB",
        type: ItemType = .ppu
    ) async throws -> Item {
        try await catalogue.createItem(vendor ?? vendorA, draft(product, name: name, mpn: mpn, type: type))
    }

    func items(_ product: Product) async throws -> [Item] {
        try await store.read { tx in
            try tx.items(productID: product.id, status: nil, page: PageRequest(size: 1000)).items
        }
    }

    func products(_ vendor: Tenant) async throws -> [Product] {
        try await store.read { tx in try tx.products(vendorID: vendor.actor, page: PageRequest(size: 1000)).items }
    }

    func units(_ vendor: Tenant) async throws -> [Unit] {
        try await store.read { tx in try tx.units(vendorID: vendor.actor, page: PageRequest(size: 1000)).items }
    }
}

private final class SteppingClock: DomainClock {
    private let seconds = Mutex<Int64>(1_767_225_600)

    func now() -> Timestamp {
        seconds.withLock { value in
            value += 1
            return Timestamp(secondsSinceEpoch: value)
        }
    }
}

/// Runs `body` and returns the `DomainError` it throws; records an issue when it throws nothing
/// or something else.
private func domainError<T>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> DomainError? {
    do {
        _ = try await body()
        Issue.record("expected a DomainError, got success", sourceLocation: sourceLocation)
    } catch let error as DomainError {
        return error
    } catch {
        Issue.record("expected a DomainError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

private func fields(_ error: DomainError?) -> [String] { error?.violations.map(\.field) ?? [] }

private let longName = String(repeating: "n", count: 256)

// MARK: - Products

@Suite("Catalogue operations: products")
struct CatalogueProductTests {
    @Test("a new product belongs to the vendor, has a PRD id and all capabilities off by default")
    func createDefaults() async throws {
        let world = try await World()
        let product = try await world.catalogue.createProduct(world.vendorA, name: "Cloud Storage")
        #expect(IdentifierKind.product.matches(product.id))
        #expect(product.vendorID == "VA-100-001")
        #expect(product.capabilities == Capabilities())
        #expect(product.createdAt == product.updatedAt)
        #expect(try await world.products(world.vendorA) == [product])
    }

    static let invalidProducts: [(name: String, description: String, capabilities: Capabilities, fields: [String])] = [
        ("", "", Capabilities(), ["name"]),
        ("   ", "", Capabilities(), ["name"]),
        (longName, "", Capabilities(), ["name"]),
        ("Tab\there", "", Capabilities(), ["name"]),
        ("Fine", String(repeating: "d", count: 2001), Capabilities(), ["description"]),
        ("Fine", "", Capabilities(ppu: true), ["capabilities.schema"]),
        ("Fine", "", Capabilities(schema: .tr), ["capabilities.schema"]),
        (
            "Fine", "", Capabilities(dynamic: true, future: true, late: true),
            ["capabilities.dynamic", "capabilities.future", "capabilities.late"]
        ),
        ("Fine", "", Capabilities(ppu: true, schema: .qt, tierLevels: 3), ["capabilities.tier_levels"]),
        (
            "", String(repeating: "d", count: 2001), Capabilities(ppu: true),
            ["name", "description", "capabilities.schema"]
        ),
    ]

    @Test("an invalid product names every bad field and stores nothing", arguments: invalidProducts)
    func createInvalid(
        _ example: (name: String, description: String, capabilities: Capabilities, fields: [String])
    ) async throws {
        let world = try await World()
        let error = await domainError {
            try await world.catalogue.createProduct(
                world.vendorA, name: example.name, description: example.description, capabilities: example.capabilities)
        }
        #expect(error?.kind == .invalidArgument)
        #expect(fields(error) == example.fields)
        #expect(try await world.products(world.vendorA).isEmpty)
    }

    @Test("a capability field that already failed decoding is not reported again")
    func priorViolations() {
        var validation = Validation()
        validation.fail("capabilities.schema", "unknown value 99")
        CatalogueOperations.validateProduct(
            name: "Fine", description: "", capabilities: Capabilities(ppu: true, dynamic: true, tierLevels: 0),
            into: &validation)
        #expect(validation.violations.map(\.field) == ["capabilities.schema", "capabilities.tier_levels"])
        #expect(validation.violations.first?.description == "unknown value 99")
    }

    @Test("a 255-character name and a 2000-character description with newlines are accepted")
    func createAtLimits() async throws {
        let world = try await World()
        let description = String(repeating: "line\n", count: 400)
        let product = try await world.catalogue.createProduct(
            world.vendorA, name: String(repeating: "n", count: 255), description: description)
        #expect(product.name.count == 255)
        #expect(product.description == description)
    }

    @Test("only the owner gets a product; another vendor's, a missing and a malformed id answer alike")
    func getScoped() async throws {
        let world = try await World()
        let product = try await world.product()
        #expect(try await world.catalogue.getProduct(world.vendorA, id: product.id) == product)

        let foreign = await domainError { try await world.catalogue.getProduct(world.vendorB, id: product.id) }
        #expect(foreign?.kind == .notFound)
        #expect(foreign?.message == "product \(product.id) not found")
        let missing = await domainError { try await world.catalogue.getProduct(world.vendorA, id: "PRD-000-000-000") }
        #expect(missing?.message == "product PRD-000-000-000 not found")
        let malformed = await domainError { try await world.catalogue.getProduct(world.vendorA, id: "prd-1") }
        #expect(malformed?.kind == .notFound)
        let distributor = await domainError {
            try await world.catalogue.getProduct(.distributor(id: "PA-100-001"), id: product.id)
        }
        #expect(distributor?.kind == .notFound)
        #expect(distributor?.message == foreign?.message)
    }

    @Test("a vendor lists only its own products, oldest first, page by page")
    func listOwn() async throws {
        let world = try await World()
        var created: [Product] = []
        for index in 1...5 { created.append(try await world.product(name: "Product \(index)")) }
        _ = try await world.product(of: world.vendorB, name: "Theirs")

        let first = try await world.catalogue.listProducts(world.vendorA, page: PageRequest(size: 2))
        #expect(first.items == Array(created[0..<2]))
        let after = try #require(first.nextAfter)
        let second = try await world.catalogue.listProducts(world.vendorA, page: PageRequest(size: 3, after: after))
        #expect(second.items == Array(created[2..<5]))
        #expect(second.nextAfter == nil)
        let theirs = try await world.catalogue.listProducts(world.vendorB, page: PageRequest())
        #expect(theirs.items.map(\.name) == ["Theirs"])
    }

    @Test("updates change only the given fields; capabilities are replaced whole")
    func update() async throws {
        let world = try await World()
        let product = try await world.catalogue.createProduct(
            world.vendorA, name: "Old", description: "Old text",
            capabilities: Capabilities(ppu: true, schema: .tr, dynamic: true, late: true, tierLevels: 2))

        let renamed = try await world.catalogue.updateProduct(
            world.vendorA, id: product.id, changes: .init(name: "New"))
        #expect(renamed.name == "New")
        #expect(renamed.description == "Old text")
        #expect(renamed.capabilities == product.capabilities)
        #expect(renamed.updatedAt > product.updatedAt)

        let replaced = try await world.catalogue.updateProduct(
            world.vendorA, id: product.id,
            changes: .init(description: "", capabilities: Capabilities(ppu: true, schema: .pr)))
        #expect(replaced.name == "New")
        #expect(replaced.description == "")
        #expect(replaced.capabilities == Capabilities(ppu: true, schema: .pr))
        #expect(try await world.catalogue.getProduct(world.vendorA, id: product.id) == replaced)
    }

    @Test("an invalid update names the bad fields and changes nothing")
    func updateInvalid() async throws {
        let world = try await World()
        let product = try await world.product()
        let error = await domainError {
            try await world.catalogue.updateProduct(
                world.vendorA, id: product.id,
                changes: .init(name: "", capabilities: Capabilities(ppu: false, dynamic: true)))
        }
        #expect(error?.kind == .invalidArgument)
        #expect(fields(error) == ["name", "capabilities.dynamic"])
        #expect(try await world.products(world.vendorA) == [product])
    }

    @Test("ppu cannot be turned off while the product has PPU items")
    func ppuOffWithPPUItems() async throws {
        let world = try await World()
        let product = try await world.product()
        let item = try await world.item(product)
        let error = await domainError {
            try await world.catalogue.updateProduct(
                world.vendorA, id: product.id, changes: .init(name: "Renamed", capabilities: Capabilities()))
        }
        #expect(error?.kind == .failedPrecondition)
        #expect(error?.message.contains(item.id) == true)
        #expect(try await world.products(world.vendorA) == [product])

        // Reservation items do not need ppu, and a deleted PPU item no longer holds it on.
        _ = try await world.item(product, name: "Reserved", mpn: "RES", type: .reservation)
        try await world.catalogue.deleteItem(world.vendorA, id: item.id)
        let updated = try await world.catalogue.updateProduct(
            world.vendorA, id: product.id, changes: .init(capabilities: Capabilities()))
        #expect(updated.capabilities.ppu == false)
    }

    @Test("the PPU check reads past the first page of items")
    func ppuOffSeesEveryPage() async throws {
        let world = try await World()
        let product = try await world.product()
        for index in 0..<1001 {
            _ = try await world.item(product, name: "R\(index)", mpn: "R\(index)", type: .reservation)
        }
        _ = try await world.item(product, name: "Usage", mpn: "USAGE", type: .ppu)
        let error = await domainError {
            try await world.catalogue.updateProduct(
                world.vendorA, id: product.id, changes: .init(capabilities: Capabilities()))
        }
        #expect(error?.kind == .failedPrecondition)
    }

    @Test("another vendor's product cannot be updated and looks missing")
    func updateForeign() async throws {
        let world = try await World()
        let product = try await world.product()
        let error = await domainError {
            try await world.catalogue.updateProduct(world.vendorB, id: product.id, changes: .init(name: "Mine"))
        }
        #expect(error?.kind == .notFound)
        #expect(error?.message == "product \(product.id) not found")
        #expect(try await world.products(world.vendorA) == [product])
    }

    @Test("only vendors create and list products")
    func otherRoles() async throws {
        let world = try await World()
        for tenant in [Tenant.operator, .distributor(id: "PA-100-001")] {
            let create = await domainError { try await world.catalogue.createProduct(tenant, name: "X") }
            #expect(create?.kind == .permissionDenied)
            let list = await domainError { try await world.catalogue.listProducts(tenant, page: PageRequest()) }
            #expect(list?.kind == .permissionDenied)
        }
    }
}

// MARK: - Items

@Suite("Catalogue operations: items")
struct CatalogueItemTests {
    @Test("items are numbered within their product and never reuse a number")
    func numbering() async throws {
        let world = try await World()
        let product = try await world.product()
        let first = try await world.item(product, name: "One", mpn: "ONE")
        #expect(first.id == product.id + "-0001")
        #expect(first.localID == product.id.replacing("-", with: "_") + "_0001")
        #expect(first.status == .draft)
        #expect(first.dynamic == false)
        #expect(first.vendorID == "VA-100-001")
        #expect(first.productID == product.id)
        let second = try await world.item(product, name: "Two", mpn: "TWO")
        #expect(second.id == product.id + "-0002")
        try await world.catalogue.deleteItem(world.vendorA, id: second.id)
        let third = try await world.item(product, name: "Two", mpn: "TWO")
        #expect(third.id == product.id + "-0003")
    }

    @Test("every field of the draft is kept")
    func createFields() async throws {
        let world = try await World()
        let product = try await world.product()
        let item = try await world.catalogue.createItem(
            world.vendorA,
            .init(
                productID: product.id, name: "Compute", mpn: "CPU-H", description: "Compute hours",
                type: .reservation, precision: .decimal8, unit: "MHz*h"))
        #expect(item.name == "Compute")
        #expect(item.mpn == "CPU-H")
        #expect(item.description == "Compute hours")
        #expect(item.type == .reservation)
        #expect(item.precision == .decimal8)
        #expect(item.unit == "MHz*h")
    }

    static let invalidDrafts:
        [(label: String, change: @Sendable (inout CatalogueOperations.ItemDraft) -> Void, fields: [String])] = [
            ("no product", { $0.productID = "" }, ["product_id"]),
            ("no name", { $0.name = "" }, ["name"]),
            ("long name", { $0.name = longName }, ["name"]),
            ("no mpn", { $0.mpn = " " }, ["mpn"]),
            ("long mpn", { $0.mpn = longName }, ["mpn"]),
            ("long description", { $0.description = String(repeating: "d", count: 2001) }, ["description"]),
            ("no type", { $0.type = nil }, ["type"]),
            ("no precision", { $0.precision = nil }, ["precision"]),
            ("no unit", { $0.unit = "" }, ["unit"]),
            ("long unit", { $0.unit = String(repeating: "u", count: 65) }, ["unit"]),
            (
                "everything",
                {
                    $0 = .init(productID: "", name: "", mpn: "", type: nil, precision: nil, unit: "")
                }, ["product_id", "name", "mpn", "type", "precision", "unit"]
            ),
        ]

    @Test("an invalid draft names every bad field and stores nothing", arguments: invalidDrafts)
    func createInvalid(
        _ example: (label: String, change: @Sendable (inout CatalogueOperations.ItemDraft) -> Void, fields: [String])
    ) async throws {
        let world = try await World()
        let product = try await world.product()
        var draft = world.draft(product)
        example.change(&draft)
        let error = await domainError { try await world.catalogue.createItem(world.vendorA, draft) }
        #expect(error?.kind == .invalidArgument, "\(example.label)")
        #expect(fields(error) == example.fields, "\(example.label)")
        #expect(try await world.items(product).isEmpty)
    }

    @Test("a field that already failed decoding is not reported again as missing")
    func priorViolations() {
        var validation = Validation()
        validation.fail("precision", "unknown value 99")
        CatalogueOperations.validate(
            CatalogueOperations.ItemDraft(
                productID: "PRD-1", name: "n", mpn: "m", type: nil, precision: nil, unit: "MB*h"),
            into: &validation)
        #expect(validation.violations.map(\.field) == ["precision", "type"])
    }

    @Test("a PPU item needs the ppu capability; a reservation item does not")
    func ppuNeedsCapability() async throws {
        let world = try await World()
        let product = try await world.product(ppu: false)
        let error = await domainError { try await world.catalogue.createItem(world.vendorA, world.draft(product)) }
        #expect(error?.kind == .invalidArgument)
        #expect(fields(error) == ["type"])
        #expect(try await world.items(product).isEmpty)
        let reserved = try await world.item(product, type: .reservation)
        #expect(reserved.type == .reservation)
    }

    @Test("the unit is built in or the vendor's own, never another vendor's")
    func units() async throws {
        let world = try await World()
        let product = try await world.product()
        for builtin in ["MB*h", "MHz*h", "unit*h"] {
            let item = try await world.catalogue.createItem(
                world.vendorA, world.draft(product, name: builtin, mpn: builtin, unit: builtin))
            #expect(item.unit == builtin)
        }
        _ = try await world.catalogue.createUnit(world.vendorA, name: "GB*month")
        _ = try await world.catalogue.createUnit(world.vendorB, name: "seat")
        let own = try await world.catalogue.createItem(
            world.vendorA, world.draft(product, name: "Own", mpn: "OWN", unit: "GB*month"))
        #expect(own.unit == "GB*month")
        let before = try await world.items(product)
        for unit in ["seat", "mb*h", "parsec"] {
            let error = await domainError {
                try await world.catalogue.createItem(
                    world.vendorA, world.draft(product, name: unit, mpn: unit, unit: unit))
            }
            #expect(error?.kind == .invalidArgument)
            #expect(fields(error) == ["unit"])
        }
        #expect(try await world.items(product) == before)
    }

    @Test("a bad type and a bad unit are reported together")
    func storeViolationsTogether() async throws {
        let world = try await World()
        let product = try await world.product(ppu: false)
        let error = await domainError {
            try await world.catalogue.createItem(world.vendorA, world.draft(product, unit: "parsec"))
        }
        #expect(fields(error) == ["type", "unit"])
    }

    @Test(
        "name and MPN are unique per product and name the field that clashes",
        arguments: [
            ("Storage", "OTHER", ["name"]), ("Other", "STORAGE-GB", ["mpn"]),
            ("Storage", "STORAGE-GB", ["name", "mpn"]),
        ])
    func duplicates(name: String, mpn: String, expected: [String]) async throws {
        let world = try await World()
        let product = try await world.product()
        let existing = try await world.item(product)
        let error = await domainError { try await world.item(product, name: name, mpn: mpn) }
        #expect(error?.kind == .alreadyExists)
        #expect(fields(error) == expected)
        #expect(error?.message.contains(existing.id) == true)
        #expect(try await world.items(product) == [existing])
    }

    @Test("the same name and MPN are free in another product")
    func uniquePerProduct() async throws {
        let world = try await World()
        let first = try await world.product(name: "One")
        let second = try await world.product(name: "Two")
        _ = try await world.item(first)
        let other = try await world.item(second)
        #expect(other.name == "Storage")
    }

    @Test("items of another vendor's product cannot be created or listed")
    func foreignProduct() async throws {
        let world = try await World()
        let product = try await world.product()
        let create = await domainError { try await world.item(product, of: world.vendorB) }
        #expect(create?.kind == .notFound)
        #expect(create?.message == "product \(product.id) not found")
        #expect(try await world.items(product).isEmpty)
        let list = await domainError {
            try await world.catalogue.listItems(world.vendorB, productID: product.id, page: PageRequest())
        }
        #expect(list?.message == "product \(product.id) not found")
        let missing = await domainError {
            try await world.catalogue.listItems(world.vendorA, productID: "PRD-999-999-999", page: PageRequest())
        }
        #expect(missing?.kind == .notFound)
        let empty = await domainError {
            try await world.catalogue.listItems(world.vendorA, productID: "", page: PageRequest())
        }
        #expect(empty?.kind == .invalidArgument)
        #expect(fields(empty) == ["product_id"])
    }

    @Test("an item is found by id or local id, only by its vendor")
    func get() async throws {
        let world = try await World()
        let product = try await world.product()
        let item = try await world.item(product)
        #expect(try await world.catalogue.getItem(world.vendorA, id: item.id) == item)
        #expect(try await world.catalogue.getItem(world.vendorA, id: item.localID) == item)

        let foreign = await domainError { try await world.catalogue.getItem(world.vendorB, id: item.id) }
        #expect(foreign?.kind == .notFound)
        #expect(foreign?.message == "item \(item.id) not found")
        let missingID = product.id + "-0099"
        let missing = await domainError { try await world.catalogue.getItem(world.vendorA, id: missingID) }
        #expect(missing?.message == "item \(missingID) not found")
        for malformed in ["", product.id, product.id + "-0000", "PRD-1-2-3-4"] {
            let error = await domainError { try await world.catalogue.getItem(world.vendorA, id: malformed) }
            #expect(error?.kind == .notFound)
        }
    }

    @Test("items list in id order, optionally by status, page by page")
    func list() async throws {
        let world = try await World()
        let product = try await world.product()
        var items: [Item] = []
        for index in 1...4 { items.append(try await world.item(product, name: "I\(index)", mpn: "M\(index)")) }
        items[1] = try await world.catalogue.publishItem(world.vendorA, id: items[1].id)
        items[3] = try await world.catalogue.publishItem(world.vendorA, id: items[3].id)

        let all = try await world.catalogue.listItems(world.vendorA, productID: product.id, page: PageRequest())
        #expect(all.items == items)
        let published = try await world.catalogue.listItems(
            world.vendorA, productID: product.id, status: .published, page: PageRequest())
        #expect(published.items == [items[1], items[3]])
        let ended = try await world.catalogue.listItems(
            world.vendorA, productID: product.id, status: .endOfSale, page: PageRequest())
        #expect(ended.items.isEmpty)

        let first = try await world.catalogue.listItems(
            world.vendorA, productID: product.id, page: PageRequest(size: 3))
        #expect(first.items == Array(items[0..<3]))
        let after: Int64 = try #require(first.nextAfter)
        let rest = try await world.catalogue.listItems(
            world.vendorA, productID: product.id, page: PageRequest(size: 3, after: after))
        #expect(rest.items == [items[3]])
        #expect(rest.nextAfter == nil)
    }

    @Test("a draft item can change every field")
    func updateDraft() async throws {
        let world = try await World()
        let product = try await world.product()
        _ = try await world.catalogue.createUnit(world.vendorA, name: "GB")
        let item = try await world.item(product)
        let updated = try await world.catalogue.updateItem(
            world.vendorA, id: item.id,
            changes: .init(
                name: "Renamed", mpn: "NEW-MPN", description: "New", type: .reservation, precision: .integer,
                unit: "GB"))
        #expect(updated.name == "Renamed")
        #expect(updated.mpn == "NEW-MPN")
        #expect(updated.description == "New")
        #expect(updated.type == .reservation)
        #expect(updated.precision == .integer)
        #expect(updated.unit == "GB")
        #expect(updated.status == .draft)
        #expect(updated.updatedAt > item.updatedAt)
        #expect(try await world.catalogue.getItem(world.vendorA, id: item.id) == updated)

        let unchanged = try await world.catalogue.updateItem(world.vendorA, id: item.id, changes: .init())
        #expect(unchanged.name == "Renamed")
    }

    @Test("a published or end-of-sale item changes only name, MPN and description", arguments: [false, true])
    func updatePublished(endOfSale: Bool) async throws {
        let world = try await World()
        let product = try await world.product()
        let item = try await world.item(product)
        var current = try await world.catalogue.publishItem(world.vendorA, id: item.id)
        if endOfSale { current = try await world.catalogue.endItemSale(world.vendorA, id: item.id) }

        let refused: [(CatalogueOperations.ItemChanges, String)] = [
            (.init(precision: .integer), "precision"),
            (.init(type: .reservation), "type"),
            (.init(unit: "MHz*h"), "unit"),
            (.init(name: "Renamed", precision: .decimal4, unit: "unit*h"), "precision, unit"),
        ]
        for (changes, named) in refused {
            let error = await domainError {
                try await world.catalogue.updateItem(world.vendorA, id: item.id, changes: changes)
            }
            #expect(error?.kind == .failedPrecondition)
            #expect(error?.message.contains(current.status.rawValue) == true)
            #expect(error?.message.contains("(not \(named))") == true)
            #expect(try await world.items(product) == [current])
        }

        // The values it already has are not changes.
        let same = try await world.catalogue.updateItem(
            world.vendorA, id: item.id,
            changes: .init(
                name: "Renamed", mpn: "NEW", description: "New", type: .ppu, precision: .decimal2, unit: "MB*h"))
        #expect(same.name == "Renamed")
        #expect(same.mpn == "NEW")
        #expect(same.description == "New")
        #expect(same.status == current.status)
        #expect(same.precision == .decimal2)
    }

    @Test("an update keeps name and MPN unique but may keep its own")
    func updateDuplicates() async throws {
        let world = try await World()
        let product = try await world.product()
        let first = try await world.item(product, name: "One", mpn: "ONE")
        let second = try await world.item(product, name: "Two", mpn: "TWO")
        let error = await domainError {
            try await world.catalogue.updateItem(world.vendorA, id: second.id, changes: .init(name: "One", mpn: "ONE"))
        }
        #expect(error?.kind == .alreadyExists)
        #expect(fields(error) == ["name", "mpn"])
        #expect(try await world.items(product) == [first, second])
        let own = try await world.catalogue.updateItem(
            world.vendorA, id: second.id, changes: .init(name: "Two", mpn: "TWO", description: "d"))
        #expect(own.description == "d")
    }

    @Test("an update checks fields, capability and unit, and changes nothing when refused")
    func updateInvalid() async throws {
        let world = try await World()
        let product = try await world.product(ppu: false)
        let item = try await world.item(product, type: .reservation)
        let invalid = await domainError {
            try await world.catalogue.updateItem(
                world.vendorA, id: item.id, changes: .init(name: longName, mpn: "", unit: ""))
        }
        #expect(invalid?.kind == .invalidArgument)
        #expect(fields(invalid) == ["name", "mpn", "unit"])
        let ppu = await domainError {
            try await world.catalogue.updateItem(world.vendorA, id: item.id, changes: .init(type: .ppu, unit: "parsec"))
        }
        #expect(ppu?.kind == .invalidArgument)
        #expect(fields(ppu) == ["type", "unit"])
        #expect(try await world.items(product) == [item])
    }

    @Test("another vendor's item cannot be changed, published, ended or deleted")
    func foreignItem() async throws {
        let world = try await World()
        let product = try await world.product()
        let item = try await world.item(product)
        let catalogue = world.catalogue
        let vendorB = world.vendorB
        let actions: [@Sendable () async throws -> Void] = [
            { _ = try await catalogue.updateItem(vendorB, id: item.id, changes: .init(name: "Mine")) },
            { _ = try await catalogue.publishItem(vendorB, id: item.id) },
            { _ = try await catalogue.endItemSale(vendorB, id: item.id) },
            { try await catalogue.deleteItem(vendorB, id: item.id) },
        ]
        for action in actions {
            let error = await domainError { try await action() }
            #expect(error?.kind == .notFound)
            #expect(error?.message == "item \(item.id) not found")
        }
        #expect(try await world.items(product) == [item])
    }

    @Test("publish, end of sale and delete follow draft → published → endofsale")
    func lifecycle() async throws {
        let world = try await World()
        let product = try await world.product()
        let item = try await world.item(product)

        let notPublished = await domainError { try await world.catalogue.endItemSale(world.vendorA, id: item.id) }
        #expect(notPublished?.kind == .failedPrecondition)
        #expect(notPublished?.message.contains("is draft") == true)

        let published = try await world.catalogue.publishItem(world.vendorA, id: item.id)
        #expect(published.status == .published)
        let twice = await domainError { try await world.catalogue.publishItem(world.vendorA, id: item.id) }
        #expect(twice?.kind == .failedPrecondition)
        #expect(twice?.message.contains("is published") == true)
        let deletePublished = await domainError { try await world.catalogue.deleteItem(world.vendorA, id: item.id) }
        #expect(deletePublished?.kind == .failedPrecondition)
        #expect(try await world.items(product) == [published])

        let ended = try await world.catalogue.endItemSale(world.vendorA, id: item.id)
        #expect(ended.status == .endOfSale)
        let again: [() async throws -> Item] = [
            { try await world.catalogue.publishItem(world.vendorA, id: item.id) },
            { try await world.catalogue.endItemSale(world.vendorA, id: item.id) },
        ]
        for action in again {
            let error = await domainError { try await action() }
            #expect(error?.kind == .failedPrecondition)
            #expect(error?.message.contains("is endofsale") == true)
        }
        let deleteEnded = await domainError { try await world.catalogue.deleteItem(world.vendorA, id: item.id) }
        #expect(deleteEnded?.kind == .failedPrecondition)
        #expect(try await world.items(product) == [ended])
    }

    @Test("a draft item can be deleted, by id or local id")
    func delete() async throws {
        let world = try await World()
        let product = try await world.product()
        let first = try await world.item(product, name: "One", mpn: "ONE")
        let second = try await world.item(product, name: "Two", mpn: "TWO")
        try await world.catalogue.deleteItem(world.vendorA, id: first.id)
        try await world.catalogue.deleteItem(world.vendorA, id: second.localID)
        #expect(try await world.items(product).isEmpty)
        let again = await domainError { try await world.catalogue.deleteItem(world.vendorA, id: first.id) }
        #expect(again?.kind == .notFound)
    }
}

// MARK: - Units

@Suite("Catalogue operations: units")
struct CatalogueUnitTests {
    @Test("a vendor's unit is listed after the built-ins, and only for that vendor")
    func createAndList() async throws {
        let world = try await World()
        let unit = try await world.catalogue.createUnit(world.vendorA, name: "GB*month", description: "gigabyte-months")
        #expect(unit == Unit(name: "GB*month", description: "gigabyte-months", vendorID: "VA-100-001"))
        let listed = try await world.catalogue.listUnits(world.vendorA, page: PageRequest())
        #expect(listed.items == Unit.builtin + [unit])
        #expect(listed.nextAfter == nil)
        let theirs = try await world.catalogue.listUnits(world.vendorB, page: PageRequest())
        #expect(theirs.items == Unit.builtin)
        // Another vendor may define a unit of the same name.
        _ = try await world.catalogue.createUnit(world.vendorB, name: "GB*month")
    }

    static let invalidUnits: [(name: String, description: String, kind: DomainError.Kind, fields: [String])] = [
        ("", "", .invalidArgument, ["name"]),
        (String(repeating: "u", count: 65), "", .invalidArgument, ["name"]),
        ("ok", String(repeating: "d", count: 2001), .invalidArgument, ["description"]),
        ("MB*h", "", .alreadyExists, ["name"]),
        ("unit*h", "", .alreadyExists, ["name"]),
        ("GB", "again", .alreadyExists, ["name"]),
    ]

    @Test("a unit needs a fresh name of 1–64 characters", arguments: invalidUnits)
    func createInvalid(
        _ example: (name: String, description: String, kind: DomainError.Kind, fields: [String])
    ) async throws {
        let world = try await World()
        _ = try await world.catalogue.createUnit(world.vendorA, name: "GB")
        let before = try await world.units(world.vendorA)
        let error = await domainError {
            try await world.catalogue.createUnit(world.vendorA, name: example.name, description: example.description)
        }
        #expect(error?.kind == example.kind)
        #expect(fields(error) == example.fields)
        #expect(try await world.units(world.vendorA) == before)
    }

    @Test("a 64-character unit name is accepted")
    func unitAtLimit() async throws {
        let world = try await World()
        let unit = try await world.catalogue.createUnit(world.vendorA, name: String(repeating: "u", count: 64))
        #expect(unit.name.count == 64)
    }

    @Test("the built-ins fill the first page; the vendor's units page after them")
    func paging() async throws {
        let world = try await World()
        var own: [Unit] = []
        for index in 1...5 { own.append(try await world.catalogue.createUnit(world.vendorA, name: "u\(index)")) }

        let first = try await world.catalogue.listUnits(world.vendorA, page: PageRequest(size: 5))
        #expect(first.items == Unit.builtin + Array(own[0..<2]))
        let after: Int64 = try #require(first.nextAfter)
        let second = try await world.catalogue.listUnits(world.vendorA, page: PageRequest(size: 5, after: after))
        #expect(second.items == Array(own[2..<5]))
        #expect(second.nextAfter == nil)

        // A page too small for the built-ins still carries one of the vendor's units.
        let tiny = try await world.catalogue.listUnits(world.vendorA, page: PageRequest(size: 1))
        #expect(tiny.items == Unit.builtin + [own[0]])
        #expect(tiny.nextAfter != nil)
    }

    @Test("only vendors have units")
    func otherRoles() async throws {
        let world = try await World()
        let create = await domainError { try await world.catalogue.createUnit(.operator, name: "x") }
        #expect(create?.kind == .permissionDenied)
        let list = await domainError {
            try await world.catalogue.listUnits(.distributor(id: "PA-100-001"), page: PageRequest())
        }
        #expect(list?.kind == .permissionDenied)
    }
}

// MARK: - In-memory store

/// The catalogue part of a `DataStore`, in memory: enough for these tests, with the SQLite store's
/// contract (all-or-nothing transactions, unique constraints, insertion-order pages, item numbers
/// never reused). Channel and credential lookups answer nothing.
private final class MemoryCatalogueStore: DataStore {
    // A Mutex serializes every transaction, as the SQLite store's single writer does.
    private let state = Mutex(MemoryCatalogueState())

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T {
        try state.withLock { state in try body(MemoryCatalogueTransaction(state)) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        try state.withLock { state in
            let tx = MemoryCatalogueTransaction(state)
            let result = try body(tx)
            state = tx.state
            return result
        }
    }
}

private struct MemoryCatalogueState: Sendable {
    var position: Int64 = 0
    var accounts: [(Int64, Account)] = []
    var products: [(Int64, Product)] = []
    var items: [(Int64, Item)] = []
    var units: [(Int64, Unit)] = []
    var sequences: [String: Int] = [:]

    mutating func nextPosition() -> Int64 {
        position += 1
        return position
    }
}

/// One transaction over a private copy of the state; the store keeps the copy only on commit.
private final class MemoryCatalogueTransaction: StoreWriter {
    var state: MemoryCatalogueState

    init(_ state: MemoryCatalogueState) { self.state = state }

    private func page<T>(_ rows: [(Int64, T)], _ request: PageRequest, where keep: (T) -> Bool) -> Page<T> {
        let matching = rows.filter { $0.0 > (request.after ?? 0) && keep($0.1) }
        let taken = matching.prefix(request.size)
        return Page(items: taken.map(\.1), nextAfter: matching.count > taken.count ? taken.last?.0 : nil)
    }

    private func unsupported() -> DomainError { DomainError.internalFailure("not kept by the catalogue test store") }

    // MARK: Catalogue

    func account(id: String) throws -> Account? { state.accounts.first { $0.1.id == id }?.1 }
    func accounts(role: Role?, page request: PageRequest) throws -> Page<Account> {
        page(state.accounts, request) { role == nil || $0.role == role }
    }
    func insert(_ account: Account) throws {
        if try isIdentifierTaken(account.id) { throw DomainError.alreadyExists("id \(account.id) is taken") }
        state.accounts.append((state.nextPosition(), account))
    }

    func product(id: String) throws -> Product? { state.products.first { $0.1.id == id }?.1 }
    func products(vendorID: String, page request: PageRequest) throws -> Page<Product> {
        page(state.products, request) { $0.vendorID == vendorID }
    }
    func insert(_ product: Product) throws {
        if try isIdentifierTaken(product.id) { throw DomainError.alreadyExists("id \(product.id) is taken") }
        state.products.append((state.nextPosition(), product))
    }
    func update(_ product: Product) throws {
        guard let index = state.products.firstIndex(where: { $0.1.id == product.id }) else {
            throw DomainError.notFound("product", product.id)
        }
        state.products[index].1 = product
    }

    func nextItemSequence(productID: String) throws -> Int {
        let next = (state.sequences[productID] ?? 0) + 1
        state.sequences[productID] = next
        return next
    }
    func item(id: String) throws -> Item? { state.items.first { $0.1.id == id }?.1 }
    func items(productID: String, status: ItemStatus?, page request: PageRequest) throws -> Page<Item> {
        page(state.items, request) { $0.productID == productID && (status == nil || $0.status == status) }
    }
    func item(productID: String, name: String) throws -> Item? {
        state.items.first { $0.1.productID == productID && $0.1.name == name }?.1
    }
    func item(productID: String, mpn: String) throws -> Item? {
        state.items.first { $0.1.productID == productID && $0.1.mpn == mpn }?.1
    }
    func insert(_ item: Item) throws {
        if try isIdentifierTaken(item.id) { throw DomainError.alreadyExists("id \(item.id) is taken") }
        try checkUnique(item)
        state.items.append((state.nextPosition(), item))
    }
    func update(_ item: Item) throws {
        guard let index = state.items.firstIndex(where: { $0.1.id == item.id }) else {
            throw DomainError.notFound("item", item.id)
        }
        try checkUnique(item)
        state.items[index].1 = item
    }
    func deleteItem(id: String) throws {
        guard let index = state.items.firstIndex(where: { $0.1.id == id }) else {
            throw DomainError.notFound("item", id)
        }
        state.items.remove(at: index)
    }
    private func checkUnique(_ item: Item) throws {
        if state.items.contains(where: {
            $0.1.id != item.id && $0.1.productID == item.productID && ($0.1.name == item.name || $0.1.mpn == item.mpn)
        }) {
            throw DomainError.alreadyExists("an item with this name or MPN already exists")
        }
    }

    func unit(vendorID: String, name: String) throws -> Unit? {
        state.units.first { $0.1.vendorID == vendorID && $0.1.name == name }?.1
    }
    func units(vendorID: String, page request: PageRequest) throws -> Page<Unit> {
        page(state.units, request) { $0.vendorID == vendorID }
    }
    func insert(_ unit: Unit) throws {
        if try self.unit(vendorID: unit.vendorID ?? "", name: unit.name) != nil {
            throw DomainError.alreadyExists("unit \(unit.name) already exists")
        }
        state.units.append((state.nextPosition(), unit))
    }

    func isIdentifierTaken(_ id: String) throws -> Bool {
        state.accounts.contains { $0.1.id == id } || state.products.contains { $0.1.id == id }
            || state.items.contains { $0.1.id == id }
    }

    // MARK: Not kept here

    func apiKey(id: String) throws -> APIKey? { nil }
    func apiKeys(accountID: String, includeRevoked: Bool, page: PageRequest) throws -> Page<APIKey> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ key: APIKey) throws { throw unsupported() }
    func update(_ key: APIKey) throws { throw unsupported() }
    func marketplace(id: String) throws -> Marketplace? { nil }
    func marketplaces(distributorID: String, page: PageRequest) throws -> Page<Marketplace> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ marketplace: Marketplace) throws { throw unsupported() }
    func contract(id: String) throws -> Contract? { nil }
    func contracts(_ filter: ContractFilter, page: PageRequest) throws -> Page<Contract> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ contract: Contract) throws { throw unsupported() }
    func update(_ contract: Contract) throws { throw unsupported() }
    func listing(id: String) throws -> Listing? { nil }
    func listings(_ filter: ListingFilter, page: PageRequest) throws -> Page<Listing> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ listing: Listing) throws { throw unsupported() }
    func update(_ listing: Listing) throws { throw unsupported() }
    func reseller(id: String) throws -> Reseller? { nil }
    func resellers(_ filter: ResellerFilter, page: PageRequest) throws -> Page<Reseller> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ reseller: Reseller) throws { throw unsupported() }
    func customer(id: String) throws -> Customer? { nil }
    func customers(_ filter: CustomerFilter, page: PageRequest) throws -> Page<Customer> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ customer: Customer) throws { throw unsupported() }
    func subscription(id: String) throws -> Subscription? { nil }
    func subscriptions(_ filter: SubscriptionFilter, page: PageRequest) throws -> Page<Subscription> {
        Page(items: [], nextAfter: nil)
    }
    func insert(_ subscription: Subscription) throws { throw unsupported() }
    func update(_ subscription: Subscription) throws { throw unsupported() }
    func serviceIdentity(id: String) throws -> ServiceIdentity? { nil }
    func serviceIdentities(
        distributorID: String, includeRevoked: Bool, page: PageRequest
    ) throws -> Page<ServiceIdentity> {
        Page(items: [], nextAfter: nil)
    }
    func serviceIdentities(fingerprint: String, subject: String) throws -> [ServiceIdentity] { [] }
    func insert(_ identity: ServiceIdentity) throws { throw unsupported() }
    func update(_ identity: ServiceIdentity) throws { throw unsupported() }
}
