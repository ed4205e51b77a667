// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Authorization
import Contracts
import ProtoWire

extension DistributorService {
    /// Who may call each RPC, by method path: distributor keys only; Get and List read, the rest
    /// write, so a read-only key can look but not change anything.
    ///
    /// Stated here as values next to the service so the authentication interceptor enforces them
    /// before a handler runs and a truth-table test can check every RPC has one.
    public static let policies: [String: Policy] = {
        typealias Service = Usageflow_V1_DistributorService
        let reads = [
            Service.GetMarketplace.schema, Service.ListMarketplaces.schema, Service.ListContracts.schema,
            Service.ListListings.schema, Service.GetReseller.schema, Service.ListResellers.schema,
            Service.GetCustomer.schema, Service.ListCustomers.schema, Service.GetSubscription.schema,
            Service.ListSubscriptions.schema, Service.ListServiceIdentities.schema, Service.ListResellerKeys.schema,
            Service.ListUsageFiles.schema, Service.GetUsageFile.schema, Service.ListRecords.schema,
            Service.GetReconciliation.schema, Service.ListReconciliations.schema, Service.ListReconciliationRows.schema, Service.ExportRecords.schema, Service.ExportUsageFile.schema, Service.GetUsageTotals.schema, Service.ListEvents.schema, Service.WatchEvents.schema,
        ]
        let writes = [
            Service.CreateMarketplace.schema, Service.OfferContract.schema, Service.TerminateContract.schema,
            Service.ApproveListing.schema, Service.DeclineListing.schema, Service.UnlistListing.schema,
            Service.CreateReseller.schema, Service.CreateCustomer.schema, Service.CreateSubscription.schema,
            Service.SuspendSubscription.schema, Service.ResumeSubscription.schema,
            Service.TerminateSubscription.schema, Service.CreateServiceIdentity.schema,
            Service.RevokeServiceIdentity.schema, Service.CreateResellerKey.schema, Service.RevokeResellerKey.schema,
            Service.AcceptUsageFile.schema, Service.RejectUsageFile.schema, Service.CloseRecord.schema,
            Service.CloseRecords.schema, Service.CloseUsageFile.schema,
            Service.UploadReconciliationFile.schema,
        ]
        var policies: [String: Policy] = [:]
        for method in reads { policies[method.path] = .read(.distributor) }
        for method in writes { policies[method.path] = .write(.distributor) }
        return policies
    }()
}
