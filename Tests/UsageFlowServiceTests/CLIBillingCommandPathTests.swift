// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Testing
@testable import UsageFlowServer

@Suite("CLI command names for reseller billing and usage totals")
struct CLIBillingCommandPathTests {
    @Test(
        "mark-billed reads as an action on records; totals are one resource per role",
        arguments: [
            ("usageflow.v1.ResellerService", "MarkRecordsBilled", "reseller records mark-billed"),
            ("usageflow.v1.VendorService", "GetUsageTotals", "vendor usage-totals get"),
            ("usageflow.v1.DistributorService", "GetUsageTotals", "distributor usage-totals get"),
            ("usageflow.v1.ResellerService", "GetUsageTotals", "reseller usage-totals get"),
        ])
    func names(service: String, method: String, command: String) {
        #expect(CommandPath(service: service, method: method)?.description == command)
    }
}
