// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Authorization
import Contracts
import ProtoWire

extension ResellerService {
    /// Who may call each RPC, by method path: reseller keys only; Get and List read, the rest write.
    public static let policies: [String: Policy] = {
        typealias Service = Usageflow_V1_ResellerService
        let reads = [
            Service.GetReseller.schema, Service.ListResellers.schema, Service.GetCustomer.schema,
            Service.ListCustomers.schema, Service.GetSubscription.schema, Service.ListSubscriptions.schema,
            Service.ListRecords.schema, Service.ExportRecords.schema, Service.GetUsageTotals.schema, Service.ListEvents.schema, Service.WatchEvents.schema,
        ]
        let writes = [Service.CreateReseller.schema, Service.CreateCustomer.schema, Service.CreateSubscription.schema, Service.MarkRecordsBilled.schema]
        var policies: [String: Policy] = [:]
        for method in reads { policies[method.path] = .read(.reseller) }
        for method in writes { policies[method.path] = .write(.reseller) }
        return policies
    }()
}
