// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import RPCInProcessTransport
import ServiceSupport
import Testing
import VendorAPI
import WellKnownTypes

private typealias RPC = Usageflow_V1_VendorService

private let longName = String(repeating: "n", count: 256)

// MARK: - Policies

@Suite("VendorService policies")
struct VendorPolicyTests {
    static let reads: Set<String> = [
        "GetProduct", "ListProducts", "GetItem", "ListItems", "ListUnits", "ListContracts", "ListListings",
        "ListSubscriptions", "GetSubscription", "GetUsageFile", "ListUsageFiles", "ListRecords",
        "DownloadProcessedFile", "DownloadTemplate", "GetUsageTotals", "ListEvents", "WatchEvents",
    ]

    @Test("every RPC has a policy: vendor keys only, Get, List, Download and Watch read, the rest write")
    func everyRPC() {
        let methods = RPC.schema.methods
        #expect(methods.count == 34)
        #expect(Set(VendorService.policies.keys) == Set(methods.map(\.path)))
        for method in methods {
            let expected: Policy = Self.reads.contains(method.name) ? .read(.vendor) : .write(.vendor)
            #expect(VendorService.policies[method.path] == expected, "\(method.path)")
        }
        #expect(VendorService.policies["/usageflow.v1.VendorService/CreateItem"] == .write(.vendor))
        #expect(VendorService.policies["/usageflow.v1.VendorService/ListUnits"] == .read(.vendor))
    }

    @Test("a read-only vendor key may read but not write; other roles may do neither")
    func truthTable() throws {
        let vendor = Principal(tenant: .vendor(id: "VA-100-001"), credential: .apiKey(id: "KEY-1"), scope: .full)
        let readOnly = Principal(tenant: vendor.tenant, credential: vendor.credential, scope: .readOnly)
        let distributor = Principal(
            tenant: .distributor(id: "PA-100-001"), credential: .apiKey(id: "KEY-2"), scope: .full)
        let path = RPC.CreateItem.schema.path
        let write = try #require(VendorService.policies[path])
        let read = try #require(VendorService.policies[RPC.GetItem.schema.path])
        #expect(throws: Never.self) { try write.authorize(vendor, method: path) }
        #expect(throws: Never.self) { try read.authorize(readOnly, method: path) }
        #expect(throws: AuthorizationError.permissionDenied("\(path) changes data; a read-only key cannot call it")) {
            try write.authorize(readOnly, method: path)
        }
        #expect(throws: AuthorizationError.self) { try read.authorize(distributor, method: path) }
        #expect(throws: AuthorizationError.self) { try read.authorize(nil, method: path) }
    }
}

// MARK: - Products

@Suite("VendorService catalogue: products")
struct VendorProductTests {
    @Test("a product round-trips through create, get and list")
    func roundTrip() async throws {
        let world = try await CatalogueWorld()
        var request = Usageflow_V1_CreateProductRequest()
        request.name = "Cloud Storage"
        request.description = "Object storage"
        request.capabilities.ppu = true
        request.capabilities.schema = .tr
        request.capabilities.dynamic = true
        request.capabilities.tierLevels = 2
        let product = try await world.service.createProduct(
            request: request, context: serviceContext(RPC.CreateProduct.schema, as: world.vendorA))
        #expect(IdentifierKind.product.matches(product.id))
        #expect(product.vendorId == world.vendorA.actor)
        #expect(product.name == "Cloud Storage")
        #expect(product.description == "Object storage")
        #expect(product.capabilities.ppu && product.capabilities.dynamic)
        #expect(product.capabilities.schema == .tr)
        #expect(product.capabilities.tierLevels == 2)
        #expect(!product.capabilities.future && !product.capabilities.late)
        #expect(product.createdAt.seconds > 0)
        #expect(product.createdAt == product.updatedAt)

        let fetched = try await world.service.getProduct(
            request: idRequest(product.id), context: serviceContext(RPC.GetProduct.schema, as: world.vendorA))
        #expect(fetched == product)
        let listed = try await world.service.listProducts(
            request: Usageflow_V1_ListProductsRequest(),
            context: serviceContext(RPC.ListProducts.schema, as: world.vendorA))
        #expect(listed.products == [product])
        #expect(listed.nextPageToken.isEmpty)
    }

    @Test("capabilities default to off, with one reseller level")
    func defaults() async throws {
        let world = try await CatalogueWorld()
        var request = Usageflow_V1_CreateProductRequest()
        request.name = "Plain"
        let product = try await world.service.createProduct(
            request: request, context: serviceContext(RPC.CreateProduct.schema, as: world.vendorA))
        #expect(!product.capabilities.ppu)
        #expect(product.capabilities.schema == Usageflow_V1_PpuSchema(rawValue: 0))
        #expect(product.capabilities.tierLevels == 1)
    }

    static let invalidProducts:
        [(label: String, change: @Sendable (inout Usageflow_V1_CreateProductRequest) -> Void, fields: [String])] = [
            ("long name", { $0.name = longName }, ["name"]),
            ("no name", { $0.name = "" }, ["name"]),
            ("long description", { $0.description = String(repeating: "d", count: 2001) }, ["description"]),
            (
                "unknown schema", { $0.capabilities.schema = Usageflow_V1_PpuSchema(rawValue: 99) },
                ["capabilities.schema"]
            ),
            (
                "unknown schema without ppu",
                {
                    $0.capabilities.ppu = false
                    $0.capabilities.schema = Usageflow_V1_PpuSchema(rawValue: 7)
                }, ["capabilities.schema"]
            ),
            ("no schema", { $0.capabilities.schema = Usageflow_V1_PpuSchema(rawValue: 0) }, ["capabilities.schema"]),
            (
                "late without ppu",
                {
                    $0.capabilities = Usageflow_V1_Capabilities()
                    $0.capabilities.late = true
                }, ["capabilities.late"]
            ),
            ("three levels", { $0.capabilities.tierLevels = 3 }, ["capabilities.tier_levels"]),
            (
                "everything",
                {
                    $0.name = longName
                    $0.capabilities.schema = Usageflow_V1_PpuSchema(rawValue: 99)
                    $0.capabilities.tierLevels = -1
                }, ["capabilities.schema", "name", "capabilities.tier_levels"]
            ),
        ]

    @Test("an invalid product is INVALID_ARGUMENT with a BadRequest naming each field", arguments: invalidProducts)
    func invalid(
        _ example: (
            label: String, change: @Sendable (inout Usageflow_V1_CreateProductRequest) -> Void, fields: [String]
        )
    ) async throws {
        let world = try await CatalogueWorld()
        var request = Usageflow_V1_CreateProductRequest()
        request.name = "Cloud Storage"
        request.capabilities.ppu = true
        request.capabilities.schema = .qt
        example.change(&request)
        let error = try await world.refuses(.invalidArgument, fields: example.fields) {
            try await world.service.createProduct(
                request: request, context: serviceContext(RPC.CreateProduct.schema, as: world.vendorA))
        }
        if example.label == "unknown schema" {
            #expect(try fieldViolations(error).first?.description == "unknown value 99")
            #expect(error?.message == "capabilities.schema: unknown value 99")
        }
    }

    @Test("products page with opaque tokens bound to their list")
    func paging() async throws {
        let world = try await CatalogueWorld()
        var created: [Usageflow_V1_Product] = []
        for index in 1...5 { created.append(try await world.product(name: "P\(index)")) }
        _ = try await world.product(of: world.vendorB, name: "Theirs")

        var request = Usageflow_V1_ListProductsRequest()
        request.pageSize = 2
        var seen: [Usageflow_V1_Product] = []
        var pages = 0
        repeat {
            let response = try await world.service.listProducts(
                request: request, context: serviceContext(RPC.ListProducts.schema, as: world.vendorA))
            seen += response.products
            request.pageToken = response.nextPageToken
            pages += 1
        } while !request.pageToken.isEmpty && pages < 10
        #expect(seen == created)
        #expect(pages == 3)

        var first = Usageflow_V1_ListProductsRequest()
        first.pageSize = 1
        let token = try await world.service.listProducts(
            request: first, context: serviceContext(RPC.ListProducts.schema, as: world.vendorA)
        ).nextPageToken
        var units = Usageflow_V1_ListUnitsRequest()
        units.pageToken = token
        try await world.refuses(.invalidArgument, fields: ["page_token"]) {
            try await world.service.listUnits(
                request: units, context: serviceContext(RPC.ListUnits.schema, as: world.vendorA))
        }
        var bad = Usageflow_V1_ListProductsRequest()
        bad.pageSize = 1001
        bad.pageToken = "not-a-token"
        try await world.refuses(.invalidArgument, fields: ["page_size", "page_token"]) {
            try await world.service.listProducts(
                request: bad, context: serviceContext(RPC.ListProducts.schema, as: world.vendorA))
        }
    }

    @Test("an update changes only the fields that are set; capabilities are replaced whole")
    func update() async throws {
        let world = try await CatalogueWorld()
        var create = Usageflow_V1_CreateProductRequest()
        create.name = "Old"
        create.description = "Old text"
        create.capabilities.ppu = true
        create.capabilities.schema = .qt
        create.capabilities.late = true
        let product = try await world.service.createProduct(
            request: create, context: serviceContext(RPC.CreateProduct.schema, as: world.vendorA))

        var rename = Usageflow_V1_UpdateProductRequest()
        rename.id = product.id
        rename.name = "New"
        let renamed = try await world.service.updateProduct(
            request: rename, context: serviceContext(RPC.UpdateProduct.schema, as: world.vendorA))
        #expect(renamed.name == "New")
        #expect(renamed.description == "Old text")
        #expect(renamed.capabilities == product.capabilities)

        var replace = Usageflow_V1_UpdateProductRequest()
        replace.id = product.id
        replace.description = ""
        replace.capabilities.predictive = true
        let replaced = try await world.service.updateProduct(
            request: replace, context: serviceContext(RPC.UpdateProduct.schema, as: world.vendorA))
        #expect(replaced.name == "New")
        #expect(replaced.description == "")
        var expected = Usageflow_V1_Capabilities()
        expected.predictive = true
        expected.tierLevels = 1
        #expect(replaced.capabilities == expected)
    }

    @Test("an invalid update is refused and changes nothing")
    func updateInvalid() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        var request = Usageflow_V1_UpdateProductRequest()
        request.id = product.id
        request.name = longName
        request.capabilities.ppu = true
        request.capabilities.schema = Usageflow_V1_PpuSchema(rawValue: 99)
        try await world.refuses(.invalidArgument, fields: ["capabilities.schema", "name"]) {
            try await world.service.updateProduct(
                request: request, context: serviceContext(RPC.UpdateProduct.schema, as: world.vendorA))
        }
    }

    @Test("ppu cannot be turned off while the product has PPU items")
    func ppuOff() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.item(product)
        var request = Usageflow_V1_UpdateProductRequest()
        request.id = product.id
        request.capabilities = Usageflow_V1_Capabilities()
        try await world.refuses(
            .failedPrecondition,
            "product \(product.id) has PPU item \(item.id); ppu cannot be turned off while it has PPU items"
        ) {
            try await world.service.updateProduct(
                request: request, context: serviceContext(RPC.UpdateProduct.schema, as: world.vendorA))
        }
    }

    @Test("another vendor's product answers NOT_FOUND exactly like a missing one")
    func foreign() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let missing = "PRD-000-000-000"
        for id in [product.id, missing] {
            let message = "product \(id) not found"
            try await world.refuses(.notFound, message) {
                try await world.service.getProduct(
                    request: idRequest(id), context: serviceContext(RPC.GetProduct.schema, as: world.vendorB))
            }
            var update = Usageflow_V1_UpdateProductRequest()
            update.id = id
            update.name = "Mine"
            try await world.refuses(.notFound, message) {
                try await world.service.updateProduct(
                    request: update, context: serviceContext(RPC.UpdateProduct.schema, as: world.vendorB))
            }
            var item = world.itemRequest(product)
            item.productId = id
            try await world.refuses(.notFound, message) {
                try await world.service.createItem(
                    request: item, context: serviceContext(RPC.CreateItem.schema, as: world.vendorB))
            }
            var list = Usageflow_V1_ListItemsRequest()
            list.productId = id
            try await world.refuses(.notFound, message) {
                try await world.service.listItems(
                    request: list, context: serviceContext(RPC.ListItems.schema, as: world.vendorB))
            }
        }
        let theirs = try await world.service.listProducts(
            request: Usageflow_V1_ListProductsRequest(),
            context: serviceContext(RPC.ListProducts.schema, as: world.vendorB))
        #expect(theirs.products.isEmpty)
    }

    @Test("a call without a principal is UNAUTHENTICATED")
    func unauthenticated() async throws {
        let world = try await CatalogueWorld()
        try await world.refuses(.unauthenticated) {
            try await world.service.listProducts(
                request: Usageflow_V1_ListProductsRequest(), context: serviceContext(RPC.ListProducts.schema, as: nil)
            )
        }
    }
}

// MARK: - Items

@Suite("VendorService catalogue: items")
struct VendorItemTests {
    @Test("an item round-trips through create, get (by id and local id) and list")
    func roundTrip() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.item(product)
        #expect(item.id == product.id + "-0001")
        #expect(item.localId == product.id.replacing("-", with: "_") + "_0001")
        #expect(item.productId == product.id)
        #expect(item.name == "Storage")
        #expect(item.mpn == "STORAGE-GB")
        #expect(item.description == "Stored data")
        #expect(item.type == .ppu)
        #expect(item.precision == .decimal2)
        #expect(item.unit == "MB*h")
        #expect(item.status == .draft)
        #expect(!item.dynamic)
        for id in [item.id, item.localId] {
            let fetched = try await world.service.getItem(
                request: idRequest(id), context: serviceContext(RPC.GetItem.schema, as: world.vendorA))
            #expect(fetched == item)
        }
        var list = Usageflow_V1_ListItemsRequest()
        list.productId = product.id
        let listed = try await world.service.listItems(
            request: list, context: serviceContext(RPC.ListItems.schema, as: world.vendorA))
        #expect(listed.items == [item])
    }

    static let invalidItems:
        [(label: String, change: @Sendable (inout Usageflow_V1_CreateItemRequest) -> Void, fields: [String])] = [
            ("unknown precision", { $0.precision = Usageflow_V1_Precision(rawValue: 99) }, ["precision"]),
            ("unknown type", { $0.type = Usageflow_V1_ItemType(rawValue: 42) }, ["type"]),
            (
                "both unknown",
                {
                    $0.type = Usageflow_V1_ItemType(rawValue: -1)
                    $0.precision = Usageflow_V1_Precision(rawValue: 6)
                }, ["type", "precision"]
            ),
            (
                "no type or precision",
                {
                    $0.type = Usageflow_V1_ItemType(rawValue: 0)
                    $0.precision = Usageflow_V1_Precision(rawValue: 0)
                }, ["type", "precision"]
            ),
            ("long name", { $0.name = longName }, ["name"]),
            ("long mpn", { $0.mpn = longName }, ["mpn"]),
            ("no mpn", { $0.mpn = "" }, ["mpn"]),
            ("no unit", { $0.unit = "" }, ["unit"]),
            ("long unit", { $0.unit = String(repeating: "u", count: 65) }, ["unit"]),
            ("unknown unit", { $0.unit = "parsec" }, ["unit"]),
            ("no product", { $0.productId = "" }, ["product_id"]),
            (
                "reservation in the wrong case unit",
                {
                    $0.type = .reservation
                    $0.unit = "mb*h"
                }, ["unit"]
            ),
            (
                "many",
                {
                    $0.name = longName
                    $0.mpn = ""
                    $0.precision = Usageflow_V1_Precision(rawValue: 99)
                    $0.unit = ""
                }, ["precision", "name", "mpn", "unit"]
            ),
        ]

    @Test("an invalid item is INVALID_ARGUMENT with a BadRequest naming each field", arguments: invalidItems)
    func invalid(
        _ example: (label: String, change: @Sendable (inout Usageflow_V1_CreateItemRequest) -> Void, fields: [String])
    ) async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        var request = world.itemRequest(product)
        example.change(&request)
        let error = try await world.refuses(.invalidArgument, fields: example.fields) {
            try await world.service.createItem(
                request: request, context: serviceContext(RPC.CreateItem.schema, as: world.vendorA))
        }
        if example.label == "unknown precision" {
            #expect(try fieldViolations(error).map(\.description) == ["unknown value 99"])
        }
    }

    @Test("a PPU item on a product without ppu is INVALID_ARGUMENT on type")
    func ppuWithoutCapability() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product(ppu: false)
        try await world.refuses(.invalidArgument, fields: ["type"]) {
            try await world.service.createItem(
                request: world.itemRequest(product), context: serviceContext(RPC.CreateItem.schema, as: world.vendorA)
            )
        }
        let reserved = try await world.item(product, type: .reservation)
        #expect(reserved.type == .reservation)
    }

    @Test(
        "a duplicate name or MPN is ALREADY_EXISTS naming the field",
        arguments: [
            ("Storage", "OTHER", ["name"]), ("Other", "STORAGE-GB", ["mpn"]),
            ("Storage", "STORAGE-GB", ["name", "mpn"]),
        ])
    func duplicate(name: String, mpn: String, fields: [String]) async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let existing = try await world.item(product)
        let error = try await world.refuses(.alreadyExists, fields: fields) {
            try await world.service.createItem(
                request: world.itemRequest(product, name: name, mpn: mpn),
                context: serviceContext(RPC.CreateItem.schema, as: world.vendorA))
        }
        #expect(error?.message.contains(existing.id) == true)
    }

    @Test("a vendor's own unit may be used; another vendor's may not")
    func ownUnits() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        for (vendor, name) in [(world.vendorA, "GB*month"), (world.vendorB, "seat")] {
            var unit = Usageflow_V1_CreateUnitRequest()
            unit.name = name
            _ = try await world.service.createUnit(
                request: unit, context: serviceContext(RPC.CreateUnit.schema, as: vendor))
        }
        var request = world.itemRequest(product)
        request.unit = "GB*month"
        let item = try await world.service.createItem(
            request: request, context: serviceContext(RPC.CreateItem.schema, as: world.vendorA))
        #expect(item.unit == "GB*month")
        var theirs = world.itemRequest(product, name: "Seats", mpn: "SEATS")
        theirs.unit = "seat"
        try await world.refuses(.invalidArgument, fields: ["unit"]) {
            try await world.service.createItem(
                request: theirs, context: serviceContext(RPC.CreateItem.schema, as: world.vendorA))
        }
    }

    @Test("actions in the wrong state are FAILED_PRECONDITION naming the state")
    func wrongState() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let draft = try await world.item(product, name: "Draft", mpn: "DRAFT")
        try await world.refuses(
            .failedPrecondition, "item \(draft.id) is draft; only published items can reach end of sale"
        ) {
            try await world.service.endItemSale(
                request: idRequest(draft.id), context: serviceContext(RPC.EndItemSale.schema, as: world.vendorA))
        }

        let item = try await world.publishedItem(product)
        #expect(item.status == .published)
        try await world.refuses(.failedPrecondition, "item \(item.id) is published; only draft items can be published")
        {
            try await world.service.publishItem(
                request: idRequest(item.id), context: serviceContext(RPC.PublishItem.schema, as: world.vendorA))
        }
        try await world.refuses(.failedPrecondition, "item \(item.id) is published; only draft items can be deleted") {
            try await world.service.deleteItem(
                request: idRequest(item.id), context: serviceContext(RPC.DeleteItem.schema, as: world.vendorA))
        }
        var precision = Usageflow_V1_UpdateItemRequest()
        precision.id = item.id
        precision.precision = .integer
        try await world.refuses(
            .failedPrecondition,
            "item \(item.id) is published; only name, mpn and description can change (not precision)"
        ) {
            try await world.service.updateItem(
                request: precision, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        }
        var unitAndType = Usageflow_V1_UpdateItemRequest()
        unitAndType.id = item.id
        unitAndType.type = .reservation
        unitAndType.unit = "unit*h"
        try await world.refuses(
            .failedPrecondition,
            "item \(item.id) is published; only name, mpn and description can change (not type, unit)"
        ) {
            try await world.service.updateItem(
                request: unitAndType, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        }

        let ended = try await world.service.endItemSale(
            request: idRequest(item.id), context: serviceContext(RPC.EndItemSale.schema, as: world.vendorA))
        #expect(ended.status == .endOfSale)
        try await world.refuses(
            .failedPrecondition, "item \(item.id) is endofsale; only published items can reach end of sale"
        ) {
            try await world.service.endItemSale(
                request: idRequest(item.id), context: serviceContext(RPC.EndItemSale.schema, as: world.vendorA))
        }
    }

    @Test("a published item still changes name, MPN and description; unset fields keep their values")
    func updatePublished() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.publishedItem(product)
        var request = Usageflow_V1_UpdateItemRequest()
        request.id = item.id
        request.name = "Renamed"
        request.mpn = "NEW-MPN"
        request.description = ""
        request.precision = .decimal2  // the value it has: not a change
        let updated = try await world.service.updateItem(
            request: request, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        #expect(updated.name == "Renamed")
        #expect(updated.mpn == "NEW-MPN")
        #expect(updated.description == "")
        #expect(updated.type == item.type)
        #expect(updated.precision == item.precision)
        #expect(updated.unit == item.unit)
        #expect(updated.status == .published)
    }

    @Test("a draft item changes every field")
    func updateDraft() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.item(product)
        var request = Usageflow_V1_UpdateItemRequest()
        request.id = item.id
        request.type = .reservation
        request.precision = .decimal8
        request.unit = "MHz*h"
        let updated = try await world.service.updateItem(
            request: request, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        #expect(updated.type == .reservation)
        #expect(updated.precision == .decimal8)
        #expect(updated.unit == "MHz*h")
        #expect(updated.name == item.name)
        #expect(updated.mpn == item.mpn)
    }

    @Test("an invalid item update is refused and changes nothing")
    func updateInvalid() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.item(product)
        _ = try await world.item(product, name: "Other", mpn: "OTHER")
        var request = Usageflow_V1_UpdateItemRequest()
        request.id = item.id
        request.name = longName
        request.precision = Usageflow_V1_Precision(rawValue: 99)
        request.type = Usageflow_V1_ItemType(rawValue: 3)
        try await world.refuses(.invalidArgument, fields: ["type", "precision", "name"]) {
            try await world.service.updateItem(
                request: request, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        }
        var clash = Usageflow_V1_UpdateItemRequest()
        clash.id = item.id
        clash.mpn = "OTHER"
        try await world.refuses(.alreadyExists, fields: ["mpn"]) {
            try await world.service.updateItem(
                request: clash, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        }
        var unit = Usageflow_V1_UpdateItemRequest()
        unit.id = item.id
        unit.unit = "parsec"
        try await world.refuses(.invalidArgument, fields: ["unit"]) {
            try await world.service.updateItem(
                request: unit, context: serviceContext(RPC.UpdateItem.schema, as: world.vendorA))
        }
    }

    @Test("a draft item is deleted; then it is not found")
    func delete() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.item(product)
        let empty = try await world.service.deleteItem(
            request: idRequest(item.id), context: serviceContext(RPC.DeleteItem.schema, as: world.vendorA))
        #expect(empty == Google_Protobuf_Empty())
        try await world.refuses(.notFound, "item \(item.id) not found") {
            try await world.service.getItem(
                request: idRequest(item.id), context: serviceContext(RPC.GetItem.schema, as: world.vendorA))
        }
        let next = try await world.item(product)
        #expect(next.id == product.id + "-0002")
    }

    @Test("another vendor's item answers NOT_FOUND exactly like a missing one")
    func foreign() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let item = try await world.item(product)
        let service = world.service
        for id in [item.id, product.id + "-0999", "PRD-1"] {
            let message = "item \(id) not found"
            var update = Usageflow_V1_UpdateItemRequest()
            update.id = id
            update.name = "Mine"
            let calls: [(MethodSchema, @Sendable (ServerContext) async throws -> Void)] = [
                (RPC.GetItem.schema, { _ = try await service.getItem(request: idRequest(id), context: $0) }),
                (RPC.UpdateItem.schema, { [update] in _ = try await service.updateItem(request: update, context: $0) }),
                (RPC.PublishItem.schema, { _ = try await service.publishItem(request: idRequest(id), context: $0) }),
                (RPC.EndItemSale.schema, { _ = try await service.endItemSale(request: idRequest(id), context: $0) }),
                (RPC.DeleteItem.schema, { _ = try await service.deleteItem(request: idRequest(id), context: $0) }),
            ]
            for (method, call) in calls {
                try await world.refuses(.notFound, message) {
                    try await call(serviceContext(method, as: world.vendorB))
                }
            }
        }
    }

    @Test("items list by status and page with tokens bound to their filters")
    func listing() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        var items: [Usageflow_V1_Item] = []
        for index in 1...5 { items.append(try await world.item(product, name: "I\(index)", mpn: "M\(index)")) }
        for index in [1, 2, 4] {
            items[index] = try await world.service.publishItem(
                request: idRequest(items[index].id),
                context: serviceContext(RPC.PublishItem.schema, as: world.vendorA))
        }

        var request = Usageflow_V1_ListItemsRequest()
        request.productId = product.id
        request.status = .published
        request.pageSize = 2
        let first = try await world.service.listItems(
            request: request, context: serviceContext(RPC.ListItems.schema, as: world.vendorA))
        #expect(first.items == [items[1], items[2]])
        #expect(!first.nextPageToken.isEmpty)
        request.pageToken = first.nextPageToken
        let second = try await world.service.listItems(
            request: request, context: serviceContext(RPC.ListItems.schema, as: world.vendorA))
        #expect(second.items == [items[4]])
        #expect(second.nextPageToken.isEmpty)

        // The same token with another status filter is refused.
        request.status = .draft
        try await world.refuses(.invalidArgument, fields: ["page_token"]) {
            try await world.service.listItems(
                request: request, context: serviceContext(RPC.ListItems.schema, as: world.vendorA))
        }
        var unknown = Usageflow_V1_ListItemsRequest()
        unknown.status = Usageflow_V1_ItemStatus(rawValue: 9)
        try await world.refuses(.invalidArgument, fields: ["product_id", "status"]) {
            try await world.service.listItems(
                request: unknown, context: serviceContext(RPC.ListItems.schema, as: world.vendorA))
        }
    }
}

// MARK: - Units

@Suite("VendorService catalogue: units")
struct VendorUnitTests {
    @Test("the built-in units come first, then the vendor's own")
    func list() async throws {
        let world = try await CatalogueWorld()
        var create = Usageflow_V1_CreateUnitRequest()
        create.name = "GB*month"
        create.description = "gigabyte-months"
        let unit = try await world.service.createUnit(
            request: create, context: serviceContext(RPC.CreateUnit.schema, as: world.vendorA))
        #expect(unit.name == "GB*month")
        #expect(unit.description == "gigabyte-months")
        #expect(!unit.builtin)
        #expect(unit.vendorId == world.vendorA.actor)

        let listed = try await world.service.listUnits(
            request: Usageflow_V1_ListUnitsRequest(), context: serviceContext(RPC.ListUnits.schema, as: world.vendorA)
        )
        #expect(listed.units.map(\.name) == ["MB*h", "MHz*h", "unit*h", "GB*month"])
        #expect(listed.units.map(\.builtin) == [true, true, true, false])
        #expect(listed.units.prefix(3).allSatisfy { $0.vendorId.isEmpty })
        #expect(listed.nextPageToken.isEmpty)

        let theirs = try await world.service.listUnits(
            request: Usageflow_V1_ListUnitsRequest(), context: serviceContext(RPC.ListUnits.schema, as: world.vendorB)
        )
        #expect(theirs.units.map(\.name) == ["MB*h", "MHz*h", "unit*h"])
    }

    @Test("the vendor's units page after the built-ins")
    func paging() async throws {
        let world = try await CatalogueWorld()
        for index in 1...4 {
            var create = Usageflow_V1_CreateUnitRequest()
            create.name = "u\(index)"
            _ = try await world.service.createUnit(
                request: create, context: serviceContext(RPC.CreateUnit.schema, as: world.vendorA))
        }
        var request = Usageflow_V1_ListUnitsRequest()
        request.pageSize = 5
        let first = try await world.service.listUnits(
            request: request, context: serviceContext(RPC.ListUnits.schema, as: world.vendorA))
        #expect(first.units.map(\.name) == ["MB*h", "MHz*h", "unit*h", "u1", "u2"])
        request.pageToken = first.nextPageToken
        let second = try await world.service.listUnits(
            request: request, context: serviceContext(RPC.ListUnits.schema, as: world.vendorA))
        #expect(second.units.map(\.name) == ["u3", "u4"])
        #expect(second.nextPageToken.isEmpty)
    }

    @Test(
        "a unit needs a fresh name of 1–64 characters",
        arguments: [
            ("", Status.Code.invalidArgument), (String(repeating: "u", count: 65), .invalidArgument),
            ("MB*h", .alreadyExists), ("GB", .alreadyExists),
        ])
    func invalid(name: String, code: Status.Code) async throws {
        let world = try await CatalogueWorld()
        var existing = Usageflow_V1_CreateUnitRequest()
        existing.name = "GB"
        _ = try await world.service.createUnit(
            request: existing, context: serviceContext(RPC.CreateUnit.schema, as: world.vendorA))
        var request = Usageflow_V1_CreateUnitRequest()
        request.name = name
        try await world.refuses(code, fields: ["name"]) {
            try await world.service.createUnit(
                request: request, context: serviceContext(RPC.CreateUnit.schema, as: world.vendorA))
        }
    }
}

// MARK: - Over the wire and under contention

@Suite("VendorService catalogue: in-process calls and concurrent writers")
struct VendorCatalogueWireTests {
    /// Runs a client call that must fail and returns its error as the client sees it.
    private func failure<T>(
        _ code: Status.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async -> RPCError? {
        let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) { _ = try await body() }
        #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
        return error
    }

    @Test("a generated client sees the catalogue's statuses and BadRequest details")
    func generatedClient() async throws {
        let world = try await CatalogueWorld()
        try await InProcessTransport.withTransport(router: world.router) { transport in
            let client = Usageflow_V1_VendorService_Client(transport: transport)
            let vendorA = world.options(as: world.vendorA)

            var createProduct = Usageflow_V1_CreateProductRequest()
            createProduct.name = "Cloud Storage"
            createProduct.capabilities.ppu = true
            createProduct.capabilities.schema = .qt
            let product = try await client.createProduct(createProduct, options: vendorA)
            let item = try await client.createItem(world.itemRequest(product), options: vendorA)
            #expect(item.id == product.id + "-0001")

            var unknown = world.itemRequest(product, name: "Other", mpn: "OTHER")
            unknown.precision = Usageflow_V1_Precision(rawValue: 99)
            unknown.name = longName
            let invalid = await failure(.invalidArgument) { try await client.createItem(unknown, options: vendorA) }
            #expect(try fieldViolations(invalid).map(\.field) == ["precision", "name"])

            let duplicate = await failure(.alreadyExists) {
                try await client.createItem(world.itemRequest(product), options: vendorA)
            }
            #expect(try fieldViolations(duplicate).map(\.field) == ["name", "mpn"])

            _ = try await client.publishItem(idRequest(item.id), options: vendorA)
            let twice = await failure(.failedPrecondition) {
                try await client.publishItem(idRequest(item.id), options: vendorA)
            }
            #expect(twice?.message == "item \(item.id) is published; only draft items can be published")

            let foreign = await failure(.notFound) {
                try await client.getProduct(idRequest(product.id), options: world.options(as: world.vendorB))
            }
            let missing = await failure(.notFound) {
                try await client.getProduct(idRequest("PRD-000-000-000"), options: vendorA)
            }
            #expect(foreign?.message == "product \(product.id) not found")
            #expect(missing?.message == "product PRD-000-000-000 not found")

            let readOnly = world.options(as: world.vendorA, readOnly: true)
            var list = Usageflow_V1_ListItemsRequest()
            list.productId = product.id
            #expect(try await client.listItems(list, options: readOnly).items.map(\.id) == [item.id])
            _ = await failure(.permissionDenied) {
                try await client.createItem(world.itemRequest(product), options: readOnly)
            }
            _ = await failure(.unauthenticated) { try await client.listUnits(Usageflow_V1_ListUnitsRequest()) }
        }
        #expect(try await world.snapshot().items.count == 1)
    }

    @Test("concurrent creates of the same item: exactly one wins, the rest are ALREADY_EXISTS")
    func concurrentDuplicates() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let service = world.service
        let request = world.itemRequest(product)
        let context = serviceContext(RPC.CreateItem.schema, as: world.vendorA)
        let codes = await withTaskGroup(of: Status.Code.self, returning: [Status.Code].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        _ = try await service.createItem(request: request, context: context)
                        return .ok
                    } catch {
                        return RPCError.from(error).code
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(codes.filter { $0 == .ok }.count == 1)
        #expect(codes.filter { $0 == .alreadyExists }.count == 7)
        #expect(try await world.snapshot().items.count == 1)
    }

    @Test("concurrent creates of different items get distinct consecutive numbers")
    func concurrentNumbers() async throws {
        let world = try await CatalogueWorld()
        let product = try await world.product()
        let service = world.service
        let context = serviceContext(RPC.CreateItem.schema, as: world.vendorA)
        let requests = (1...8).map { world.itemRequest(product, name: "Item \($0)", mpn: "MPN-\($0)") }
        let ids = try await withThrowingTaskGroup(of: String.self, returning: [String].self) { group in
            for request in requests {
                group.addTask { try await service.createItem(request: request, context: context).id }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ids.sorted() == (1...8).map { product.id + "-000\($0)" })
    }
}
