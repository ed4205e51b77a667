// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import WellKnownTypes

// Domain entities → wire messages. Every role service answers with the same shapes, so the
// conversions live here once.

extension Usageflow_V1_StatusChange {
    public init(_ change: StatusChange) {
        self.init()
        from = change.from
        to = change.to
        at = Google_Protobuf_Timestamp(change.at)
        actor = change.actor
        reason = change.reason
    }
}

extension Usageflow_V1_Account {
    public init(_ account: Account) {
        self.init()
        id = account.id
        role = account.role.proto
        name = account.name
        createdAt = Google_Protobuf_Timestamp(account.createdAt)
    }
}

extension Usageflow_V1_ApiKey {
    public init(_ key: APIKey) {
        self.init()
        id = key.id
        accountId = key.accountID
        role = key.role.proto
        scope = key.scope.proto
        name = key.name
        createdAt = Google_Protobuf_Timestamp(key.createdAt)
        if let lastUsed = key.lastUsedAt { lastUsedAt = Google_Protobuf_Timestamp(lastUsed) }
        if let revoked = key.revokedAt { revokedAt = Google_Protobuf_Timestamp(revoked) }
    }
}

extension Usageflow_V1_Capabilities {
    public init(_ capabilities: Capabilities) {
        self.init()
        ppu = capabilities.ppu
        if let schema = capabilities.schema { self.schema = schema.proto }
        dynamic = capabilities.dynamic
        future = capabilities.future
        late = capabilities.late
        predictive = capabilities.predictive
        reservationConsumption = capabilities.reservationConsumption
        tierLevels = Int32(capabilities.tierLevels)
    }
}

extension Capabilities {
    /// Reads wire capabilities, adding a violation for unknown enum values; `tier_levels` 0 means 1.
    public static func decode(
        _ wire: Usageflow_V1_Capabilities, field: String = "capabilities", into validation: inout Validation
    ) -> Capabilities {
        Capabilities(
            ppu: wire.ppu,
            schema: PPUSchema.decode(wire.schema, field: "\(field).schema", into: &validation),
            dynamic: wire.dynamic, future: wire.future, late: wire.late, predictive: wire.predictive,
            reservationConsumption: wire.reservationConsumption,
            tierLevels: wire.tierLevels == 0 ? 1 : Int(wire.tierLevels))
    }
}

extension Usageflow_V1_Product {
    public init(_ product: Product) {
        self.init()
        id = product.id
        vendorId = product.vendorID
        name = product.name
        description = product.description
        capabilities = Usageflow_V1_Capabilities(product.capabilities)
        createdAt = Google_Protobuf_Timestamp(product.createdAt)
        updatedAt = Google_Protobuf_Timestamp(product.updatedAt)
    }
}

extension Usageflow_V1_Item {
    public init(_ item: Item) {
        self.init()
        id = item.id
        localId = item.localID
        productId = item.productID
        name = item.name
        mpn = item.mpn
        description = item.description
        type = item.type.proto
        precision = item.precision.proto
        unit = item.unit
        status = item.status.proto
        dynamic = item.dynamic
        createdAt = Google_Protobuf_Timestamp(item.createdAt)
        updatedAt = Google_Protobuf_Timestamp(item.updatedAt)
    }
}

extension Usageflow_V1_Unit {
    public init(_ unit: Unit) {
        self.init()
        name = unit.name
        description = unit.description
        builtin = unit.isBuiltin
        vendorId = unit.vendorID ?? ""
    }
}

extension Usageflow_V1_Marketplace {
    public init(_ marketplace: Marketplace) {
        self.init()
        id = marketplace.id
        distributorId = marketplace.distributorID
        name = marketplace.name
        currency = marketplace.currency
        createdAt = Google_Protobuf_Timestamp(marketplace.createdAt)
    }
}

extension Usageflow_V1_Contract {
    public init(_ contract: Contract) {
        self.init()
        id = contract.id
        vendorId = contract.vendorID
        distributorId = contract.distributorID
        marketplaceId = contract.marketplaceID
        status = contract.status.proto
        history = contract.history.map(Usageflow_V1_StatusChange.init)
        createdAt = Google_Protobuf_Timestamp(contract.createdAt)
    }
}

extension Usageflow_V1_Listing {
    public init(_ listing: Listing) {
        self.init()
        id = listing.id
        productId = listing.productID
        contractId = listing.contractID
        vendorId = listing.vendorID
        distributorId = listing.distributorID
        marketplaceId = listing.marketplaceID
        status = listing.status.proto
        history = listing.history.map(Usageflow_V1_StatusChange.init)
        createdAt = Google_Protobuf_Timestamp(listing.createdAt)
    }
}

extension Usageflow_V1_Reseller {
    public init(_ reseller: Reseller) {
        self.init()
        id = reseller.id
        distributorId = reseller.distributorID
        tier = Int32(reseller.tier)
        parentId = reseller.parentID ?? ""
        name = reseller.name
        allowTier2 = reseller.allowTier2
        createdAt = Google_Protobuf_Timestamp(reseller.createdAt)
    }
}

extension Usageflow_V1_Customer {
    public init(_ customer: Customer) {
        self.init()
        id = customer.id
        distributorId = customer.distributorID
        resellerId = customer.resellerID ?? ""
        name = customer.name
        externalId = customer.externalID
        createdAt = Google_Protobuf_Timestamp(customer.createdAt)
    }
}

extension Usageflow_V1_Subscription {
    public init(_ subscription: Subscription) {
        self.init()
        id = subscription.id
        productId = subscription.productID
        vendorId = subscription.vendorID
        distributorId = subscription.distributorID
        marketplaceId = subscription.marketplaceID
        contractId = subscription.contractID
        var tiers = Usageflow_V1_Tiers()
        tiers.customerId = subscription.tiers.customerID
        tiers.tier1Id = subscription.tiers.tier1ID ?? ""
        tiers.tier2Id = subscription.tiers.tier2ID ?? ""
        self.tiers = tiers
        externalId = subscription.externalID
        externalUid = subscription.externalUID
        parameters = subscription.parameters.map { parameter in
            var wire = Usageflow_V1_Parameter()
            wire.name = parameter.name
            wire.value = parameter.value
            wire.reconciliation = parameter.reconciliation
            return wire
        }
        status = subscription.status.proto
        history = subscription.history.map(Usageflow_V1_StatusChange.init)
        createdAt = Google_Protobuf_Timestamp(subscription.createdAt)
    }
}

extension Usageflow_V1_ServiceIdentity {
    public init(_ identity: ServiceIdentity) {
        self.init()
        id = identity.id
        distributorId = identity.distributorID
        name = identity.name
        subject = identity.subject ?? ""
        sha256Fingerprint = identity.sha256Fingerprint ?? ""
        createdAt = Google_Protobuf_Timestamp(identity.createdAt)
        if let revoked = identity.revokedAt { revokedAt = Google_Protobuf_Timestamp(revoked) }
    }
}
