// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Storage
import Testing

@Suite("Store transaction: products, items, units")
struct StoreTransactionCatalogueTests {
    static let capabilities: [Capabilities] =
        PPUSchema.allCases.map { Capabilities(ppu: true, schema: $0) } + [
            Capabilities(),
            Capabilities(predictive: true, reservationConsumption: true, tierLevels: 2),
            Capabilities(
                ppu: true, schema: .cr, dynamic: true, future: true, late: true, predictive: true,
                reservationConsumption: true, tierLevels: 2),
        ]

    @Test("a product comes back exactly with its capabilities", arguments: capabilities)
    func productRoundTrip(capabilities: Capabilities) async throws {
        try await withWorld { store throws in
            var product = World.product
            product.id = "PRD-100-200-300"
            product.capabilities = capabilities
            try await store.write { [product] in try $0.insert(product) }
            let stored = try await store.read { [product] in try $0.product(id: product.id) }
            #expect(stored == product)
        }
    }

    @Test("an item comes back exactly", arguments: Precision.allCases, ItemStatus.allCases)
    func itemRoundTrip(precision: Precision, status: ItemStatus) async throws {
        try await withWorld { store throws in
            for (number, type) in ItemType.allCases.enumerated() {
                var item = World.item
                item.id = "PRD-000-000-001-010\(number)"
                item.localID = "PRD_000_000_001_010\(number)"
                item.name = "item \(number)"
                item.mpn = "mpn \(number)"
                item.type = type
                item.precision = precision
                item.status = status
                item.dynamic = number == 0
                try await store.write { [item] in try $0.insert(item) }
                let stored = try await store.read { [item] in try $0.item(id: item.id) }
                #expect(stored == item)
            }
        }
    }

    @Test("products and items update; a missing one is not found")
    func catalogueUpdates() async throws {
        try await withWorld { store throws in
            var product = World.product
            product.name = "Compute v2"
            product.capabilities = Capabilities()
            product.updatedAt = World.time(100)
            var item = World.item
            try item.endSale(at: World.time(101))
            item.name = "Small VM (old)"
            item.mpn = "VM-S-OLD"
            try await store.write { [item, product] tx in
                try tx.update(product)
                try tx.update(item)
            }
            let found = try await store.read { [item, product] tx in
                (try tx.product(id: product.id), try tx.item(id: item.id))
            }
            #expect(found.0 == product)
            #expect(found.1 == item)

            var missingProduct = product
            missingProduct.id = "PRD-999-999-999"
            let productError = await expectDomainError(.notFound) {
                try await store.write { [missingProduct] in try $0.update(missingProduct) }
            }
            #expect(productError?.message == "product PRD-999-999-999 not found")
            var missingItem = item
            missingItem.id = "PRD-000-000-001-9999"
            await expectDomainError(.notFound) { try await store.write { [missingItem] in try $0.update(missingItem) } }
        }
    }

    @Test("items by name and MPN within their product only")
    func itemLookups() async throws {
        try await withWorld { store throws in
            let found = try await store.read { tx in
                [
                    try tx.item(productID: World.product.id, name: "Small VM"),
                    try tx.item(productID: World.product.id, mpn: "VM-S"),
                    try tx.item(productID: World.product.id, name: "small vm"),
                    try tx.item(productID: World.product.id, name: "VM-S"),
                    try tx.item(productID: World.otherProduct.id, name: "Small VM"),
                    try tx.item(productID: World.otherProduct.id, mpn: "VM-S"),
                ]
            }
            #expect(found == [World.item, World.item, nil, nil, nil, nil])
        }
    }

    @Test("a product's items list in creation order, optionally by status")
    func itemsOfProduct() async throws {
        try await withWorld { store throws in
            let statuses: [ItemStatus] = [.draft, .published, .draft, .endOfSale, .draft, .published, .draft]
            let items = try await store.write { tx in
                var items = [World.item]
                for status in statuses {
                    let number = try tx.nextItemSequence(productID: World.product.id)
                    var item = World.item
                    item.id = "PRD-000-000-001-000\(number)"
                    item.localID = "PRD_000_000_001_000\(number)"
                    item.name = "item \(number)"
                    item.mpn = "mpn \(number)"
                    item.status = status
                    try tx.insert(item)
                    items.append(item)
                }
                return items
            }
            for status in [nil] + ItemStatus.allCases.map(Optional.some) {
                let found = try await store.read { tx in
                    try readAll(size: 2) { try tx.items(productID: World.product.id, status: status, page: $0) }.items
                }
                #expect(
                    found == items.filter { status == nil || $0.status == status },
                    "status \(String(describing: status))")
            }
            let other = try await store.read {
                try $0.items(productID: World.otherProduct.id, status: nil, page: PageRequest())
            }
            #expect(other.items.isEmpty)
            #expect(other.nextAfter == nil)
        }
    }

    @Test("a deleted item is gone and its number is never given out again")
    func itemSequenceNeverReused() async throws {
        try await withTemporaryDirectory { directory throws in
            let path = directory.file("store.sqlite")
            let store = try await SQLiteDataStore(path: path)
            try await store.write { try World.insert(into: $0) }
            // World took number 1 for its item.
            let numbers = try await store.write { tx in
                [
                    try tx.nextItemSequence(productID: World.product.id),
                    try tx.nextItemSequence(productID: World.product.id),
                ]
            }
            #expect(numbers == [2, 3])
            #expect(try await store.write { try $0.nextItemSequence(productID: World.otherProduct.id) } == 1)

            try await store.write { try $0.deleteItem(id: World.item.id) }
            #expect(try await store.read { try $0.item(id: World.item.id) } == nil)
            #expect(try await store.read { try $0.isIdentifierTaken(World.item.id) } == false)
            let error = await expectDomainError(.notFound) {
                try await store.write { try $0.deleteItem(id: World.item.id) }
            }
            #expect(error?.message == "item \(World.item.id) not found")
            #expect(try await store.write { try $0.nextItemSequence(productID: World.product.id) } == 4)
            await store.close()

            // The counter lives in the file, not the process.
            let reopened = try await SQLiteDataStore(path: path)
            #expect(try await reopened.write { try $0.nextItemSequence(productID: World.product.id) } == 5)
            await reopened.close()
        }
    }

    @Test("a number taken in a write that failed was never given out")
    func itemSequenceRollsBack() async throws {
        try await withWorld { store throws in
            await #expect(throws: TestFailure.self) {
                try await store.write { tx in
                    _ = try tx.nextItemSequence(productID: World.product.id)
                    throw TestFailure(reason: "no item after all")
                }
            }
            #expect(try await store.write { try $0.nextItemSequence(productID: World.product.id) } == 2)
        }
    }

    @Test("the sequence of a product that does not exist is refused")
    func itemSequenceOfMissingProduct() async throws {
        try await withWorld { store throws in
            await expectDomainError(.internalFailure) {
                _ = try await store.write { try $0.nextItemSequence(productID: "PRD-999-999-999") }
            }
        }
    }

    @Test("an item name or MPN taken in the product already exists, on insert and on update")
    func itemUniqueness() async throws {
        try await withWorld { store throws in
            var sameName = World.item
            sameName.id = "PRD-000-000-001-0002"
            sameName.localID = "PRD_000_000_001_0002"
            sameName.mpn = "other"
            let nameError = await expectDomainError(.alreadyExists) {
                try await store.write { [sameName] in try $0.insert(sameName) }
            }
            #expect(nameError?.violations.map(\.field) == ["name"])
            #expect(nameError?.message == "an item named Small VM already exists in product PRD-000-000-001")

            var sameMPN = sameName
            sameMPN.name = "other"
            sameMPN.mpn = World.item.mpn
            let mpnError = await expectDomainError(.alreadyExists) {
                try await store.write { [sameMPN] in try $0.insert(sameMPN) }
            }
            #expect(mpnError?.violations.map(\.field) == ["mpn"])

            var sameID = sameName
            sameID.id = World.item.id
            sameID.name = "other"
            let idError = await expectDomainError(.alreadyExists) {
                try await store.write { [sameID] in try $0.insert(sameID) }
            }
            #expect(idError?.message == "item \(World.item.id) already exists")

            // The same name and MPN in another product are fine.
            var elsewhere = World.item
            elsewhere.id = "PRD-000-000-002-0001"
            elsewhere.localID = "PRD_000_000_002_0001"
            elsewhere.productID = World.otherProduct.id
            elsewhere.vendorID = World.otherVendor.id
            try await store.write { [elsewhere] in try $0.insert(elsewhere) }

            // A rename onto a taken name already exists too, and changes nothing.
            var renamed = sameMPN
            renamed.mpn = "free"
            try await store.write { [renamed] in try $0.insert(renamed) }
            renamed.name = World.item.name
            let renameError = await expectDomainError(.alreadyExists) {
                try await store.write { [renamed] in try $0.update(renamed) }
            }
            #expect(renameError?.violations.map(\.field) == ["name"])
            let stored = try await store.read { [renamed] in try $0.item(id: renamed.id)?.name }
            #expect(stored == "other")
        }
    }

    @Test("a vendor's units: by name, in creation order, unique per vendor")
    func units() async throws {
        try await withWorld { store throws in
            let more = ["TB", "req", "GB*month "].map { Unit(name: $0, description: "", vendorID: World.vendor.id) }
            let others = Unit(name: World.unit.name, description: "theirs", vendorID: World.otherVendor.id)
            try await store.write { tx in
                for unit in more { try tx.insert(unit) }
                try tx.insert(others)
            }
            let (byName, missing, listed, otherListed) = try await store.read { tx in
                (
                    try tx.unit(vendorID: World.vendor.id, name: World.unit.name),
                    try tx.unit(vendorID: World.vendor.id, name: "MB*h"),
                    try readAll(size: 3) { try tx.units(vendorID: World.vendor.id, page: $0) },
                    try readAll(size: 3) { try tx.units(vendorID: World.otherVendor.id, page: $0) }.items
                )
            }
            #expect(byName == World.unit)
            #expect(missing == nil)
            #expect(listed.items == [World.unit] + more)
            #expect(listed.pages == 2)
            #expect(otherListed == [others])

            let error = await expectDomainError(.alreadyExists) { try await store.write { try $0.insert(World.unit) } }
            #expect(error?.message == "unit GB*month already exists")
            #expect(error?.violations.map(\.field) == ["name"])
            await expectDomainError(.internalFailure) { try await store.write { try $0.insert(Unit.builtin[0]) } }
        }
    }
}
