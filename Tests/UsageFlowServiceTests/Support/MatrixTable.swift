// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import Testing
import WellKnownTypes

// The authorization matrix as data: who calls (principals), what a call aims at (targets), the
// rules that give every cell its expected status, and one row per RPC (at the end of the file).
// The world the cells run against is in `MatrixFixtures.swift`.

/// One column of the matrix: a way of calling, as the authentication interceptor will see it.
/// Every principal with a credential belongs to world A.
enum MatrixPrincipal: String, CaseIterable, Sendable, Hashable {
    case none = "no credential"
    case malformedBearer = "malformed bearer"
    case unknownKey = "unknown key"
    case revokedKey = "revoked key"
    case operatorKey = "operator"
    case vendorFull = "vendor"
    case vendorReadOnly = "vendor read-only"
    case distributorFull = "distributor"
    case distributorReadOnly = "distributor read-only"
    case resellerTier1 = "reseller tier 1"
    case resellerTier2 = "reseller tier 2"
    case serviceIdentity = "service identity"

    /// Words of the UNAUTHENTICATED message for a refused credential, proving the call failed
    /// for the reason the principal stands for (no header, a malformed one, an invalid key).
    var refusalWords: String? {
        switch self {
        case .none: "requires a credential"
        case .malformedBearer: "is malformed"
        case .unknownKey, .revokedKey: "is not valid"
        default: nil
        }
    }

    /// What authentication must make of the credential; nil when it must refuse it.
    var authenticated: (kind: PrincipalKind, scope: KeyScope)? {
        switch self {
        case .none, .malformedBearer, .unknownKey, .revokedKey: nil
        case .operatorKey: (.operator, .full)
        case .vendorFull: (.vendor, .full)
        case .vendorReadOnly: (.vendor, .readOnly)
        case .distributorFull: (.distributor, .full)
        case .distributorReadOnly: (.distributor, .readOnly)
        case .resellerTier1, .resellerTier2: (.reseller, .full)
        case .serviceIdentity: (.serviceIdentity, .full)
        }
    }
}

/// What a call aims at: the object a request names, or for creates and filtered lists the parent.
enum MatrixTarget: String, CaseIterable, Sendable, Hashable {
    /// World A's object, as world A's principals see it.
    case own
    /// World B's corresponding object.
    case other
    /// A well-formed id that names nothing.
    case missing
}

/// What one cell must answer.
struct MatrixExpectation: Hashable, Sendable, CustomStringConvertible {
    /// For a list answered OK: whether its page must be empty or hold something.
    enum Page: Hashable, Sendable {
        case empty, nonEmpty
    }

    var code: Status.Code
    var page: Page?

    init(_ code: Status.Code, page: Page? = nil) {
        self.code = code
        self.page = page
    }

    static let emptyPage = MatrixExpectation(.ok, page: .empty)

    var description: String {
        switch page {
        case nil: "\(code)"
        case .empty: "\(code) with an empty page"
        case .nonEmpty: "\(code) with a non-empty page"
        }
    }
}

/// How a row's request relates to tenants, which decides its other and missing cells.
enum MatrixShape: Sendable {
    /// The request names an object, or a parent, that must be the caller's: another tenant's and
    /// a missing one are both NOT_FOUND, with the same message.
    case object
    /// The request narrows a list by a filter: a filter naming another tenant's object, or
    /// nothing, matches nothing the caller may see, so the answer is OK with an empty page
    /// (documented on the list operations) — never another tenant's data.
    case filter
    /// The operator's rows: the operator stands above tenants and manages every vendor's and
    /// distributor's accounts and keys, so world B's object answers as world A's; a missing one is
    /// NOT_FOUND.
    case acrossTenants
    /// Nothing to aim at: a create without a parent, or a list of everything the caller owns.
    /// The other and missing cells do not apply, for the reason given.
    case ownOnly(String)
}

/// A cell whose answer legitimately differs from what the rules give, with the reason.
struct MatrixOverride: Sendable {
    /// The principals it applies to; nil for every principal the RPC admits.
    var principals: Set<MatrixPrincipal>?
    var targets: Set<MatrixTarget>
    var expectation: MatrixExpectation
    var why: String

    func applies(to principal: MatrixPrincipal, _ target: MatrixTarget) -> Bool {
        targets.contains(target) && (principals?.contains(principal) ?? true)
    }
}

/// One call made for a cell, with its request built; `run` sends it and reads the reply.
struct MatrixCall: Sendable {
    let run: @Sendable (RPCClient, CallOptions) async throws -> MatrixResponse
}

/// What an OK call answered: the reply's bytes (searched for world B's ids) and, for a list, how
/// many elements its page holds.
struct MatrixResponse: Sendable {
    let bytes: [UInt8]
    let pageCount: Int?
}

/// One RPC of the matrix: its method, how its request relates to tenants, and how to build the
/// request for a cell.
struct MatrixRow: Sendable {
    let method: MethodSchema
    let shape: MatrixShape
    let overrides: [MatrixOverride]
    /// Whether the reply is a page whose emptiness the cells check.
    let isList: Bool
    /// Builds the cell's request, making a fresh object first when an expected success consumes one.
    let prepare: @Sendable (MatrixRequestContext) async throws -> MatrixCall

    /// The targets the row has cells for.
    var targets: [MatrixTarget] {
        if case .ownOnly = shape { return [.own] }
        return MatrixTarget.allCases
    }

    /// The one kind of principal the RPC's service is for, from the service's name.
    ///
    /// Derived independently of the policy table, so a wrong policy fails cells instead of
    /// quietly changing what they expect.
    var allowedKind: PrincipalKind {
        switch method.service {
        case Usageflow_V1_AdminService.name: .operator
        case Usageflow_V1_VendorService.name: .vendor
        case Usageflow_V1_DistributorService.name: .distributor
        case Usageflow_V1_ResellerService.name: .reseller
        case Usageflow_V1_ReconciliationService.name: .serviceIdentity
        default: preconditionFailure("no principal kind for service \(method.service)")
        }
    }

    /// Get, List, Download, Export and Watch RPCs only read; every other RPC changes something.
    var access: Access {
        ["Get", "List", "Download", "Export", "Watch"].contains { method.name.hasPrefix($0) } ? .read : .write
    }

    /// Whether world B's objects may appear in the row's replies: the operator's rows, which see
    /// every vendor's and distributor's accounts and keys.
    var spansTenants: Bool { allowedKind == .operator }

    /// A row sending `Input` and decoding `Output`; `page` counts a list reply's elements.
    static func make<Input: ProtoMessage, Output: ProtoMessage>(
        _ method: MethodSchema, _ output: Output.Type, _ shape: MatrixShape, overrides: [MatrixOverride] = [],
        page: (@Sendable (Output) -> Int)? = nil,
        _ request: @escaping @Sendable (MatrixRequestContext) async throws -> Input
    ) -> MatrixRow {
        MatrixRow(method: method, shape: shape, overrides: overrides, isList: page != nil) { context in
            let message = try await request(context)
            return MatrixCall { client, options in
                let reply = try await client.unary(method, request: message, options: options, output: Output.self)
                return MatrixResponse(bytes: reply.serializedBytes(), pageCount: page?(reply))
            }
        }
    }
}

/// The status every cell must answer, computed from rules rather than listed by hand.
enum MatrixRules {
    /// - no or a bad credential: UNAUTHENTICATED;
    /// - a principal of another kind than the service is for, or a read-only key on a write:
    ///   PERMISSION_DENIED;
    /// - otherwise a row's override when one applies, else by target and shape: own is OK (a list
    ///   page holding something), other and missing NOT_FOUND (see `MatrixShape` for filters and
    ///   the operator's rows).
    static func expectation(
        _ row: MatrixRow, _ principal: MatrixPrincipal, _ target: MatrixTarget
    ) -> MatrixExpectation {
        guard principal.authenticated != nil else { return MatrixExpectation(.unauthenticated) }
        guard admits(row, principal) else { return MatrixExpectation(.permissionDenied) }
        if let override = row.overrides.first(where: { $0.applies(to: principal, target) }) {
            return override.expectation
        }
        let found = MatrixExpectation(.ok, page: row.isList ? .nonEmpty : nil)
        switch (row.shape, target) {
        case (_, .own): return found
        case (.acrossTenants, .other): return found
        case (.filter, _): return .emptyPage
        default: return MatrixExpectation(.notFound)
        }
    }
}

extension MatrixRules {
    /// Whether the row's policy lets `principal` through to the operation, which may still refuse
    /// the call; such a call records its key's use.
    static func admits(_ row: MatrixRow, _ principal: MatrixPrincipal) -> Bool {
        guard let credential = principal.authenticated, credential.kind == row.allowedKind else { return false }
        return row.access == .read || credential.scope == .full
    }
}

/// One cell: a row called by a principal at a target.
struct MatrixCell: Sendable, CustomTestStringConvertible {
    let row: MatrixRow
    let principal: MatrixPrincipal
    let target: MatrixTarget

    var expectation: MatrixExpectation { MatrixRules.expectation(row, principal, target) }

    var testDescription: String {
        let service = row.method.service.split(separator: ".").last.map(String.init) ?? row.method.service
        return "\(service)/\(row.method.name) · \(principal.rawValue) · \(target.rawValue)"
    }
}

/// The table: every row, and every cell generated from the rows, principals and targets.
enum MatrixTable {
    /// The four role services and the distributor's reconciliation stream, whose RPCs the matrix covers.
    static let services = [
        Usageflow_V1_AdminService.schema, Usageflow_V1_VendorService.schema, Usageflow_V1_DistributorService.schema,
        Usageflow_V1_ResellerService.schema, Usageflow_V1_ReconciliationService.schema,
    ]

    static let rows: [MatrixRow] =
        adminRows + vendorRows + vendorUsageRows + distributorRows + distributorUsageRows
        + distributorReconciliationRows + resellerRows + exportRows + reconciliationFileRows + reconcileStreamRows
        + resellerBillingRows + usageTotalsRows + eventRows

    static let cells: [MatrixCell] = rows.flatMap { row in
        MatrixPrincipal.allCases.flatMap { principal in
            row.targets.map { MatrixCell(row: row, principal: principal, target: $0) }
        }
    }

    /// How many cells expect each answer, for the summary.
    static func expectedCounts() -> [String: Int] {
        cells.reduce(into: [:]) { counts, cell in counts[cell.expectation.description, default: 0] += 1 }
    }
}

// MARK: - The rows

// One row per RPC, in the order the protos declare them. A row's request names world A's object
// for the own target, world B's for other, and well-formed ids of nothing for missing (all from
// `context.refs`). Actions that consume their object (accept, publish, delete, revoke…) aim at a
// fresh one when the cell expects success, and otherwise at a seeded object in the state the
// action needs, so a wrongly admitted call would show as a change.

extension MatrixTable {
    private typealias Admin = Usageflow_V1_AdminService
    private typealias Vendor = Usageflow_V1_VendorService
    private typealias Distributor = Usageflow_V1_DistributorService
    private typealias Reseller = Usageflow_V1_ResellerService

    static func idRequest(_ id: String) -> Usageflow_V1_IdRequest {
        var request = Usageflow_V1_IdRequest()
        request.id = id
        return request
    }

    static func changeRequest(_ id: String) -> Usageflow_V1_ChangeSubscriptionRequest {
        var request = Usageflow_V1_ChangeSubscriptionRequest()
        request.id = id
        request.reason = "matrix"
        return request
    }

    // MARK: AdminService

    static let adminRows: [MatrixRow] = [
        .make(Admin.CreateAccount.schema, Usageflow_V1_Account.self, .ownOnly("creates an account: no parent")) {
            context in
            var request = Usageflow_V1_CreateAccountRequest()
            request.role = .vendor
            request.name = context.unique("Vendor")
            return request
        },
        .make(Admin.GetAccount.schema, Usageflow_V1_Account.self, .acrossTenants) { idRequest($0.refs.vendor) },
        .make(
            Admin.ListAccounts.schema, Usageflow_V1_ListAccountsResponse.self,
            .ownOnly("lists every account: no parent"), page: { $0.accounts.count }
        ) { _ in Usageflow_V1_ListAccountsRequest() },
        .make(Admin.CreateApiKey.schema, Usageflow_V1_IssuedApiKey.self, .acrossTenants) { context in
            var request = Usageflow_V1_CreateApiKeyRequest()
            request.accountId = context.refs.vendor
            request.scope = .readOnly
            request.name = "matrix"
            return request
        },
        .make(
            Admin.ListApiKeys.schema, Usageflow_V1_ListApiKeysResponse.self, .acrossTenants, page: { $0.keys.count }
        ) { context in
            var request = Usageflow_V1_ListApiKeysRequest()
            request.accountId = context.refs.vendor
            return request
        },
        .make(Admin.RevokeApiKey.schema, Usageflow_V1_ApiKey.self, .acrossTenants) { context in
            idRequest(try await context.consumable(\.vendorKey) { try await $0.vendorKey() })
        },
    ]

    // MARK: VendorService

    static let vendorRows: [MatrixRow] = [
        .make(Vendor.CreateProduct.schema, Usageflow_V1_Product.self, .ownOnly("creates a product: no parent")) {
            context in
            var request = Usageflow_V1_CreateProductRequest()
            request.name = context.unique("Product")
            return request
        },
        .make(Vendor.GetProduct.schema, Usageflow_V1_Product.self, .object) { idRequest($0.refs.product) },
        .make(
            Vendor.ListProducts.schema, Usageflow_V1_ListProductsResponse.self,
            .ownOnly("lists the caller's products: no parent"), page: { $0.products.count }
        ) { _ in Usageflow_V1_ListProductsRequest() },
        .make(Vendor.UpdateProduct.schema, Usageflow_V1_Product.self, .object) { context in
            var request = Usageflow_V1_UpdateProductRequest()
            request.id = context.refs.product
            request.description = context.unique("Description")
            return request
        },
        .make(Vendor.CreateItem.schema, Usageflow_V1_Item.self, .object) { context in
            var request = Usageflow_V1_CreateItemRequest()
            request.productId = context.refs.product
            request.name = context.unique("Item")
            request.mpn = context.unique("MPN")
            request.type = .ppu
            request.precision = .decimal2
            request.unit = "MB*h"
            return request
        },
        .make(Vendor.GetItem.schema, Usageflow_V1_Item.self, .object) { idRequest($0.refs.publishedItem) },
        // The product is required and looked up, not a filter: another's is NOT_FOUND.
        .make(Vendor.ListItems.schema, Usageflow_V1_ListItemsResponse.self, .object, page: { $0.items.count }) {
            context in
            var request = Usageflow_V1_ListItemsRequest()
            request.productId = context.refs.product
            return request
        },
        .make(Vendor.UpdateItem.schema, Usageflow_V1_Item.self, .object) { context in
            var request = Usageflow_V1_UpdateItemRequest()
            request.id = context.refs.publishedItem
            request.description = context.unique("Description")
            return request
        },
        .make(Vendor.PublishItem.schema, Usageflow_V1_Item.self, .object) { context in
            idRequest(try await context.consumable(\.draftItem) { try await $0.draftItem() })
        },
        .make(Vendor.EndItemSale.schema, Usageflow_V1_Item.self, .object) { context in
            idRequest(try await context.consumable(\.publishedItem) { try await $0.publishedItem() })
        },
        .make(Vendor.DeleteItem.schema, Google_Protobuf_Empty.self, .object) { context in
            idRequest(try await context.consumable(\.draftItem) { try await $0.draftItem() })
        },
        .make(Vendor.CreateUnit.schema, Usageflow_V1_Unit.self, .ownOnly("defines a unit: no parent")) { context in
            var request = Usageflow_V1_CreateUnitRequest()
            request.name = context.unique("unit")
            return request
        },
        .make(
            Vendor.ListUnits.schema, Usageflow_V1_ListUnitsResponse.self,
            .ownOnly("lists built-in units and the caller's: no parent"), page: { $0.units.count }
        ) { _ in Usageflow_V1_ListUnitsRequest() },
        .make(
            Vendor.ListContracts.schema, Usageflow_V1_ListContractsResponse.self, .filter,
            page: { $0.contracts.count }
        ) { context in
            var request = Usageflow_V1_ListContractsRequest()
            request.marketplaceId = context.refs.marketplace
            return request
        },
        .make(Vendor.AcceptContract.schema, Usageflow_V1_Contract.self, .object) { context in
            idRequest(try await context.consumable(\.pendingContract) { try await $0.pendingContract() })
        },
        .make(Vendor.TerminateContract.schema, Usageflow_V1_Contract.self, .object) { context in
            var request = Usageflow_V1_TerminateContractRequest()
            request.id = try await context.consumable(\.pendingContract) { try await $0.pendingContract() }
            return request
        },
        .make(Vendor.RequestListing.schema, Usageflow_V1_Listing.self, .object) { context in
            // A product without a listing, under the world's active contract: the whole request
            // is one world's, so other is world B's product and contract.
            var request = Usageflow_V1_RequestListingRequest()
            request.productId = try await context.consumable(\.unlistedProduct) { try await $0.unlistedProduct() }
            request.contractId = context.refs.activeContract
            return request
        },
        .make(
            Vendor.ListListings.schema, Usageflow_V1_ListListingsResponse.self, .filter, page: { $0.listings.count }
        ) { context in
            var request = Usageflow_V1_ListListingsRequest()
            request.productId = context.refs.product
            return request
        },
        .make(
            Vendor.ListSubscriptions.schema, Usageflow_V1_ListSubscriptionsResponse.self, .filter,
            page: { $0.subscriptions.count }
        ) { context in
            var request = Usageflow_V1_ListSubscriptionsRequest()
            request.productId = context.refs.product
            return request
        },
        .make(Vendor.GetSubscription.schema, Usageflow_V1_Subscription.self, .object) {
            idRequest($0.refs.directSubscription)
        },
    ]

    // MARK: DistributorService

    static let distributorRows: [MatrixRow] = [
        .make(
            Distributor.CreateMarketplace.schema, Usageflow_V1_Marketplace.self,
            .ownOnly("creates a marketplace: no parent")
        ) { context in
            var request = Usageflow_V1_CreateMarketplaceRequest()
            request.name = context.unique("Marketplace")
            request.currency = "EUR"
            return request
        },
        .make(Distributor.GetMarketplace.schema, Usageflow_V1_Marketplace.self, .object) {
            idRequest($0.refs.marketplace)
        },
        .make(
            Distributor.ListMarketplaces.schema, Usageflow_V1_ListMarketplacesResponse.self,
            .ownOnly("lists the caller's marketplaces: no parent"), page: { $0.marketplaces.count }
        ) { _ in Usageflow_V1_ListMarketplacesRequest() },
        .make(Distributor.OfferContract.schema, Usageflow_V1_Contract.self, .object) { context in
            // Vendors belong to no distributor (any distributor may offer any vendor a contract),
            // so the target decides only the marketplace, which must be the caller's; the vendor
            // is always world A's.
            var request = Usageflow_V1_OfferContractRequest()
            request.vendorId = context.world.a.refs.vendor
            request.marketplaceId = try await context.consumable(\.freeMarketplace) {
                try await $0.freeMarketplace()
            }
            return request
        },
        .make(
            Distributor.ListContracts.schema, Usageflow_V1_ListContractsResponse.self, .filter,
            page: { $0.contracts.count }
        ) { context in
            var request = Usageflow_V1_ListContractsRequest()
            request.marketplaceId = context.refs.marketplace
            return request
        },
        .make(Distributor.TerminateContract.schema, Usageflow_V1_Contract.self, .object) { context in
            var request = Usageflow_V1_TerminateContractRequest()
            request.id = try await context.consumable(\.pendingContract) { try await $0.pendingContract() }
            return request
        },
        .make(
            Distributor.ListListings.schema, Usageflow_V1_ListListingsResponse.self, .filter,
            page: { $0.listings.count }
        ) { context in
            var request = Usageflow_V1_ListListingsRequest()
            request.productId = context.refs.product
            return request
        },
        .make(Distributor.ApproveListing.schema, Usageflow_V1_Listing.self, .object) { context in
            idRequest(try await context.consumable(\.pendingListing) { try await $0.pendingListing() })
        },
        .make(Distributor.DeclineListing.schema, Usageflow_V1_Listing.self, .object) { context in
            var request = Usageflow_V1_DeclineListingRequest()
            request.id = try await context.consumable(\.pendingListing) { try await $0.pendingListing() }
            return request
        },
        .make(Distributor.UnlistListing.schema, Usageflow_V1_Listing.self, .object) { context in
            idRequest(try await context.consumable(\.listedListing) { try await $0.listedListing() })
        },
        .make(
            Distributor.CreateReseller.schema, Usageflow_V1_Reseller.self,
            .ownOnly("creates a tier-1 reseller: no parent")
        ) { context in
            var request = Usageflow_V1_CreateResellerRequest()
            request.name = context.unique("Reseller")
            return request
        },
        .make(Distributor.GetReseller.schema, Usageflow_V1_Reseller.self, .object) {
            idRequest($0.refs.tier1Reseller)
        },
        .make(
            Distributor.ListResellers.schema, Usageflow_V1_ListResellersResponse.self, .filter,
            page: { $0.resellers.count }
        ) { context in
            var request = Usageflow_V1_ListResellersRequest()
            request.parentId = context.refs.tier1Reseller
            return request
        },
        .make(Distributor.CreateCustomer.schema, Usageflow_V1_Customer.self, .object) { context in
            var request = Usageflow_V1_CreateCustomerRequest()
            request.name = context.unique("Customer")
            request.resellerId = context.refs.tier1Reseller
            return request
        },
        .make(Distributor.GetCustomer.schema, Usageflow_V1_Customer.self, .object) {
            idRequest($0.refs.directCustomer)
        },
        .make(
            Distributor.ListCustomers.schema, Usageflow_V1_ListCustomersResponse.self, .filter,
            page: { $0.customers.count }
        ) { context in
            var request = Usageflow_V1_ListCustomersRequest()
            request.resellerId = context.refs.tier1Reseller
            return request
        },
        .make(Distributor.CreateSubscription.schema, Usageflow_V1_Subscription.self, .object) { context in
            var request = Usageflow_V1_CreateSubscriptionRequest()
            request.customerId = context.refs.directCustomer
            request.productId = context.refs.product
            request.marketplaceId = context.refs.marketplace
            return request
        },
        .make(Distributor.GetSubscription.schema, Usageflow_V1_Subscription.self, .object) {
            idRequest($0.refs.directSubscription)
        },
        .make(
            Distributor.ListSubscriptions.schema, Usageflow_V1_ListSubscriptionsResponse.self, .filter,
            page: { $0.subscriptions.count }
        ) { context in
            var request = Usageflow_V1_ListSubscriptionsRequest()
            request.customerId = context.refs.directCustomer
            return request
        },
        .make(Distributor.SuspendSubscription.schema, Usageflow_V1_Subscription.self, .object) { context in
            changeRequest(try await context.consumable(\.activeSubscription) { try await $0.activeSubscription() })
        },
        .make(Distributor.ResumeSubscription.schema, Usageflow_V1_Subscription.self, .object) { context in
            changeRequest(
                try await context.consumable(\.suspendedSubscription) { try await $0.suspendedSubscription() })
        },
        .make(Distributor.TerminateSubscription.schema, Usageflow_V1_Subscription.self, .object) { context in
            changeRequest(try await context.consumable(\.activeSubscription) { try await $0.activeSubscription() })
        },
        .make(
            Distributor.CreateServiceIdentity.schema, Usageflow_V1_ServiceIdentity.self,
            .ownOnly("registers a certificate: no parent")
        ) { context in
            var request = Usageflow_V1_CreateServiceIdentityRequest()
            request.name = context.unique("Billing")
            request.sha256Fingerprint = context.uniqueFingerprint()
            return request
        },
        .make(
            Distributor.ListServiceIdentities.schema, Usageflow_V1_ListServiceIdentitiesResponse.self,
            .ownOnly("lists the caller's service identities: no parent"), page: { $0.identities.count }
        ) { _ in Usageflow_V1_ListServiceIdentitiesRequest() },
        .make(Distributor.RevokeServiceIdentity.schema, Usageflow_V1_ServiceIdentity.self, .object) { context in
            idRequest(try await context.consumable(\.serviceIdentity) { try await $0.serviceIdentity() })
        },
        .make(Distributor.CreateResellerKey.schema, Usageflow_V1_IssuedApiKey.self, .object) { context in
            var request = Usageflow_V1_CreateApiKeyRequest()
            request.accountId = context.refs.tier1Reseller
            request.name = "matrix"
            return request
        },
        .make(
            Distributor.ListResellerKeys.schema, Usageflow_V1_ListApiKeysResponse.self, .object,
            page: { $0.keys.count }
        ) { context in
            // The account is required and looked up, not a filter: another's reseller is NOT_FOUND.
            var request = Usageflow_V1_ListApiKeysRequest()
            request.accountId = context.refs.tier1Reseller
            return request
        },
        .make(Distributor.RevokeResellerKey.schema, Usageflow_V1_ApiKey.self, .object) { context in
            idRequest(try await context.consumable(\.resellerKey) { try await $0.resellerKey() })
        },
    ]

    // MARK: ResellerService

    // A reseller's own objects depend on its tier: a tier-1 reseller aims at its tier-2
    // reseller and its own customer and subscription, a tier-2 reseller at itself and its own.

    static let resellerRows: [MatrixRow] = [
        .make(
            Reseller.CreateReseller.schema, Usageflow_V1_Reseller.self,
            .ownOnly("creates a tier-2 reseller under the caller: no parent"),
            overrides: [
                MatrixOverride(
                    principals: [.resellerTier2], targets: [.own], expectation: MatrixExpectation(.failedPrecondition),
                    why: "only a tier-1 reseller can create resellers; the policy admits every reseller key")
            ]
        ) { context in
            var request = Usageflow_V1_CreateResellerRequest()
            request.name = context.unique("Reseller")
            return request
        },
        .make(Reseller.GetReseller.schema, Usageflow_V1_Reseller.self, .object) { idRequest($0.refs.tier2Reseller) },
        .make(
            Reseller.ListResellers.schema, Usageflow_V1_ListResellersResponse.self, .filter,
            overrides: [
                MatrixOverride(
                    principals: [.resellerTier2], targets: [.own], expectation: .emptyPage,
                    why: "a tier-2 reseller has no resellers under it")
            ],
            page: { $0.resellers.count }
        ) { context in
            var request = Usageflow_V1_ListResellersRequest()
            request.parentId = context.byTier(\.tier1Reseller, \.tier2Reseller)
            return request
        },
        .make(
            Reseller.CreateCustomer.schema, Usageflow_V1_Customer.self, .object,
            overrides: [
                MatrixOverride(
                    principals: nil, targets: [.other, .missing], expectation: MatrixExpectation(.invalidArgument),
                    why: "reseller_id may only be empty or the caller's own id, a rule on the field that needs "
                        + "no lookup and so tells nothing about other tenants")
            ]
        ) { context in
            var request = Usageflow_V1_CreateCustomerRequest()
            request.name = context.unique("Customer")
            request.resellerId = context.byTier(\.tier1Reseller, \.tier2Reseller)
            return request
        },
        .make(Reseller.GetCustomer.schema, Usageflow_V1_Customer.self, .object) { context in
            idRequest(context.byTier(\.tier1Customer, \.tier2Customer))
        },
        .make(
            Reseller.ListCustomers.schema, Usageflow_V1_ListCustomersResponse.self, .filter,
            page: { $0.customers.count }
        ) { context in
            var request = Usageflow_V1_ListCustomersRequest()
            request.resellerId = context.byTier(\.tier1Reseller, \.tier2Reseller)
            return request
        },
        .make(Reseller.CreateSubscription.schema, Usageflow_V1_Subscription.self, .object) { context in
            var request = Usageflow_V1_CreateSubscriptionRequest()
            request.customerId = context.byTier(\.tier1Customer, \.tier2Customer)
            request.productId = context.refs.product
            request.marketplaceId = context.refs.marketplace
            return request
        },
        .make(Reseller.GetSubscription.schema, Usageflow_V1_Subscription.self, .object) { context in
            idRequest(context.byTier(\.tier1Subscription, \.tier2Subscription))
        },
        .make(
            Reseller.ListSubscriptions.schema, Usageflow_V1_ListSubscriptionsResponse.self, .filter,
            page: { $0.subscriptions.count }
        ) { context in
            var request = Usageflow_V1_ListSubscriptionsRequest()
            request.customerId = context.byTier(\.tier1Customer, \.tier2Customer)
            return request
        },
    ]
}
