// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

// The export's record filter ↔ wire. Reading it checks only what the wire itself can get wrong
// (dates that are not dates, status numbers the API does not define); which statuses a role may
// ask for and which ids it may name are the operation's rules.

extension RecordFilter {
    /// Reads a wire filter, adding a violation under `field` (`filter.period_from`, …) for each
    /// malformed value; empty strings are unset fields.
    public static func decode(
        _ wire: Usageflow_V1_RecordFilter, field: String, into validation: inout Validation
    ) -> RecordFilter {
        var statuses: Set<UsageRecordStatus> = []
        for status in wire.statuses {
            if status.rawValue == 0 {
                validation.fail("\(field).statuses", "must name a record status, not unspecified")
            } else if let decoded = UsageRecordStatus.decode(status, field: "\(field).statuses", into: &validation) {
                statuses.insert(decoded)
            }
        }
        return RecordFilter(
            fileID: wire.fileId.nonEmpty, productID: wire.productId.nonEmpty,
            marketplaceID: wire.marketplaceId.nonEmpty,
            periodFrom: CivilDate.decode(wire.periodFrom, field: "\(field).period_from", into: &validation),
            periodTo: CivilDate.decode(wire.periodTo, field: "\(field).period_to", into: &validation),
            resellerID: wire.resellerId.nonEmpty, customerID: wire.customerId.nonEmpty,
            subscriptionID: wire.subscriptionId.nonEmpty, itemID: wire.itemId.nonEmpty, statuses: statuses)
    }

    /// A canonical rendering of every field, for binding a cursor or page token to the filter it
    /// continues: equal filters render equally, whatever order the statuses came in.
    public var canonicalKey: String {
        [
            fileID ?? "", productID ?? "", marketplaceID ?? "", periodFrom?.description ?? "",
            periodTo?.description ?? "", resellerID ?? "", customerID ?? "", subscriptionID ?? "", itemID ?? "",
            effectiveStatuses.map(\.rawValue).sorted().joined(separator: ","),
        ].joined(separator: "|")
    }
}
