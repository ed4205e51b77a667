// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import WellKnownTypes

// Exported records → wire. Each item, subscription and party of a batch is converted once and the
// converted message shared by every record naming it (message fields are copy-on-write values),
// so a batch costs one conversion per record plus one per distinct object, not one per use.

extension ExportedRecordBatch {
    /// The batch's records as wire messages, in order; `includingBilling` adds the caller's own
    /// billing mark (a reseller's view).
    public func wireRecords(includingBilling: Bool) -> [Usageflow_V1_ExportedRecord] {
        var files: [String: Usageflow_V1_ExportedRecord] = [:]
        for (id, file) in self.files {
            var template = Usageflow_V1_ExportedRecord()
            template.vendorId = file.vendorID
            template.distributorId = file.distributorID
            template.productId = file.productID
            template.marketplaceId = file.marketplaceID
            template.contractId = file.contractID
            template.currency = file.currency
            template.periodFrom = file.periodFrom.description
            template.periodTo = file.periodTo.description
            files[id] = template
        }
        let items = self.items.mapValues(Usageflow_V1_ExportedItem.init)
        var parties: [String: Usageflow_V1_ExportedParty] = [:]
        for (id, customer) in customers { parties[id] = Usageflow_V1_ExportedParty(customer) }
        for (id, reseller) in resellers { parties[id] = Usageflow_V1_ExportedParty(reseller) }
        let subscriptions = self.subscriptions.mapValues(Usageflow_V1_ExportedSubscription.init)

        var wire: [Usageflow_V1_ExportedRecord] = []
        wire.reserveCapacity(records.count)
        for exported in records {
            let record = exported.record
            var message = files[record.fileID] ?? Usageflow_V1_ExportedRecord()
            message.record = Usageflow_V1_UsageRecord(record)
            if let id = record.itemID, let item = items[id] { message.item = item }
            if let id = record.subscriptionID, let subscription = self.subscriptions[id] {
                if let wireSubscription = subscriptions[id] { message.subscription = wireSubscription }
                if let customer = parties[subscription.tiers.customerID] { message.customer = customer }
                if let tier1 = subscription.tiers.tier1ID, let party = parties[tier1] { message.tier1 = party }
                if let tier2 = subscription.tiers.tier2ID, let party = parties[tier2] { message.tier2 = party }
            }
            if includingBilling, let billing = exported.billing {
                var mark = Usageflow_V1_ResellerBilling()
                mark.resellerId = billing.resellerID
                mark.externalBillingId = billing.externalBillingID
                mark.externalBillingNote = billing.note
                mark.billedAt = Google_Protobuf_Timestamp(billing.billedAt)
                message.resellerBilling = mark
            }
            wire.append(message)
        }
        return wire
    }
}

extension Usageflow_V1_ExportedItem {
    public init(_ item: Item) {
        self.init()
        id = item.id
        localId = item.localID
        mpn = item.mpn
        name = item.name
        type = item.type.proto
        precision = item.precision.proto
        unit = item.unit
    }
}

extension Usageflow_V1_ExportedParty {
    public init(_ customer: Customer) {
        self.init()
        id = customer.id
        name = customer.name
        externalId = customer.externalID
    }

    /// Resellers have no external id of their own.
    public init(_ reseller: Reseller) {
        self.init()
        id = reseller.id
        name = reseller.name
    }
}

extension Usageflow_V1_ExportedSubscription {
    public init(_ subscription: Subscription) {
        self.init()
        id = subscription.id
        externalId = subscription.externalID
        externalUid = subscription.externalUID
        reconciliationId = subscription.reconciliationID ?? ""
        parameters = subscription.parameters.map { parameter in
            var wire = Usageflow_V1_Parameter()
            wire.name = parameter.name
            wire.value = parameter.value
            wire.reconciliation = parameter.reconciliation
            return wire
        }
        status = subscription.status.proto
    }
}
