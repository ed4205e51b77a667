// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Authorization
import Contracts
import ProtoWire

extension VendorService {
    /// Who may call each RPC, by method path: vendor keys only; Get, List and Download read, the
    /// rest write, so a read-only key can look but not change anything.
    ///
    /// Stated here as values next to the service so the authentication interceptor enforces them
    /// before a handler runs and a truth-table test can check every RPC has one.
    public static let policies: [String: Policy] = {
        typealias Service = Usageflow_V1_VendorService
        let reads = [
            Service.GetProduct.schema, Service.ListProducts.schema, Service.GetItem.schema, Service.ListItems.schema,
            Service.ListUnits.schema, Service.ListContracts.schema, Service.ListListings.schema,
            Service.ListSubscriptions.schema, Service.GetSubscription.schema, Service.GetUsageFile.schema,
            Service.ListUsageFiles.schema, Service.ListRecords.schema, Service.DownloadProcessedFile.schema,
            Service.DownloadTemplate.schema,
            Service.GetUsageTotals.schema, Service.ListEvents.schema, Service.WatchEvents.schema,
        ]
        let writes = [
            Service.CreateProduct.schema, Service.UpdateProduct.schema, Service.CreateItem.schema,
            Service.UpdateItem.schema, Service.PublishItem.schema, Service.EndItemSale.schema,
            Service.DeleteItem.schema, Service.CreateUnit.schema, Service.AcceptContract.schema,
            Service.TerminateContract.schema, Service.RequestListing.schema, Service.CreateUsageFile.schema,
            Service.UpdateUsageFile.schema, Service.UploadRecords.schema, Service.UploadUsageFile.schema,
            Service.SubmitUsageFile.schema, Service.DeleteUsageFile.schema,
        ]
        var policies: [String: Policy] = [:]
        for method in reads { policies[method.path] = .read(.vendor) }
        for method in writes { policies[method.path] = .write(.vendor) }
        return policies
    }()
}
