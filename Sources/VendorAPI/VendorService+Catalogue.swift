// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport
import WellKnownTypes

// Products, items and units. Requests are read so that every bad field of a request (an unknown
// enum number, an over-long name, a bad page token) is reported together, then one operation runs.

extension VendorService {
    // MARK: Products

    public func createProduct(
        request: Usageflow_V1_CreateProductRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Product {
        let tenant = try context.tenant()
        var validation = Validation()
        let capabilities = Capabilities.decode(request.capabilities, into: &validation)
        CatalogueOperations.validateProduct(
            name: request.name, description: request.description, capabilities: capabilities, into: &validation)
        try validation.check()
        let product = try await operations.createProduct(
            tenant, name: request.name, description: request.description, capabilities: capabilities)
        return Usageflow_V1_Product(product)
    }

    public func getProduct(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Product {
        let tenant = try context.tenant()
        return Usageflow_V1_Product(try await operations.getProduct(tenant, id: request.id))
    }

    public func listProducts(
        request: Usageflow_V1_ListProductsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListProductsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "vendor.products", pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await operations.listProducts(tenant, page: paging.request)
        var response = Usageflow_V1_ListProductsResponse()
        response.products = page.items.map(Usageflow_V1_Product.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func updateProduct(
        request: Usageflow_V1_UpdateProductRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Product {
        let tenant = try context.tenant()
        var validation = Validation()
        var changes = CatalogueOperations.ProductChanges()
        if request.hasName { changes.name = request.name }
        if request.hasDescription { changes.description = request.description }
        if request.hasCapabilities {
            changes.capabilities = Capabilities.decode(request.capabilities, into: &validation)
        }
        CatalogueOperations.validate(changes, into: &validation)
        try validation.check()
        return Usageflow_V1_Product(try await operations.updateProduct(tenant, id: request.id, changes: changes))
    }

    // MARK: Items

    public func createItem(
        request: Usageflow_V1_CreateItemRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Item {
        let tenant = try context.tenant()
        var validation = Validation()
        let draft = CatalogueOperations.ItemDraft(
            productID: request.productId, name: request.name, mpn: request.mpn, description: request.description,
            type: ItemType.decode(request.type, field: "type", into: &validation),
            precision: Precision.decode(request.precision, field: "precision", into: &validation),
            unit: request.unit)
        CatalogueOperations.validate(draft, into: &validation)
        try validation.check()
        return Usageflow_V1_Item(try await operations.createItem(tenant, draft))
    }

    public func getItem(request: Usageflow_V1_IdRequest, context: ServerContext) async throws -> Usageflow_V1_Item {
        let tenant = try context.tenant()
        return Usageflow_V1_Item(try await operations.getItem(tenant, id: request.id))
    }

    public func listItems(
        request: Usageflow_V1_ListItemsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListItemsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        if request.productId.isEmpty { validation.fail("product_id", "is required") }
        let status = ItemStatus.decode(request.status, field: "status", into: &validation)
        let paging = ListPaging(
            list: "vendor.items", filters: ["product": request.productId, "status": "\(request.status.rawValue)"],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await operations.listItems(
            tenant, productID: request.productId, status: status, page: paging.request)
        var response = Usageflow_V1_ListItemsResponse()
        response.items = page.items.map(Usageflow_V1_Item.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func updateItem(
        request: Usageflow_V1_UpdateItemRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Item {
        let tenant = try context.tenant()
        var validation = Validation()
        var changes = CatalogueOperations.ItemChanges()
        if request.hasName { changes.name = request.name }
        if request.hasMpn { changes.mpn = request.mpn }
        if request.hasDescription { changes.description = request.description }
        changes.type = ItemType.decode(request.type, field: "type", into: &validation)
        changes.precision = Precision.decode(request.precision, field: "precision", into: &validation)
        if request.hasUnit { changes.unit = request.unit }
        CatalogueOperations.validate(changes, into: &validation)
        try validation.check()
        return Usageflow_V1_Item(try await operations.updateItem(tenant, id: request.id, changes: changes))
    }

    public func publishItem(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Item {
        let tenant = try context.tenant()
        return Usageflow_V1_Item(try await operations.publishItem(tenant, id: request.id))
    }

    public func endItemSale(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Item {
        let tenant = try context.tenant()
        return Usageflow_V1_Item(try await operations.endItemSale(tenant, id: request.id))
    }

    public func deleteItem(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Google_Protobuf_Empty {
        let tenant = try context.tenant()
        try await operations.deleteItem(tenant, id: request.id)
        return Google_Protobuf_Empty()
    }

    // MARK: Units

    public func createUnit(
        request: Usageflow_V1_CreateUnitRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Unit {
        let tenant = try context.tenant()
        return Usageflow_V1_Unit(
            try await operations.createUnit(tenant, name: request.name, description: request.description))
    }

    public func listUnits(
        request: Usageflow_V1_ListUnitsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListUnitsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let paging = ListPaging(
            list: "vendor.units", pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await operations.listUnits(tenant, page: paging.request)
        var response = Usageflow_V1_ListUnitsResponse()
        response.units = page.items.map(Usageflow_V1_Unit.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    private var operations: CatalogueOperations { CatalogueOperations(environment: environment) }
}
