// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain

/// Usage files and records over `World`'s vendor, product and contract.
enum UsageFixtures {
    static let january = (CivilDate(year: 2026, month: 1, day: 1)!, CivilDate(year: 2026, month: 1, day: 31)!)

    /// A file of `World.product` under `World.contract`, numbered `number`.
    static func file(
        _ number: Int, status: UsageFileStatus = .draft, externalID: String? = nil,
        environment: UsageEnvironment = .production
    ) -> UsageFile {
        UsageFile(
            id: "UF-2026-01-0000-" + String(10_000 + number).suffix(4), vendorID: World.vendor.id,
            distributorID: World.distributor.id, productID: World.product.id, contractID: World.contract.id,
            marketplaceID: World.marketplace.id, currency: "EUR", schema: .tr, environment: environment,
            name: "January \(number)", description: "usage\nof January", note: "internal: ✓",
            externalID: externalID, periodFrom: january.0, periodTo: january.1, status: status,
            counts: UsageFileCounts(uploaded: 0), columns: ["record_id", "quantity", "zone: a"],
            history: [StatusChange(from: "", to: status.rawValue, at: World.time(100), actor: World.vendor.id)],
            createdAt: World.time(100), updatedAt: World.time(101))
    }

    /// A record of `fileID` at `position` with every field set, texts chosen to trip an encoding.
    static func record(
        _ fileID: String, _ position: Int, recordID: String? = nil, status: UsageRecordStatus = .valid
    ) -> UsageRecord {
        UsageRecord(
            fileID: fileID, position: position, recordID: recordID ?? "rec-\(position)", note: "n:\(position)",
            itemID: World.item.id, subscriptionID: World.subscription.id,
            quantity: Decimal("\(position).0025"), amount: Decimal("-12.50"), tier: position % 3,
            start: World.time(200), end: World.time(300), categoryID: position % 2 == 0 ? "cat-1" : nil,
            assetReconID: nil,
            parameters: [UsageParameter(name: "zone: a", value: "eu-west"), UsageParameter(name: "empty", value: "")],
            rawValues: ["rec-\(position)", "\(position).0025", "eu-west", "", "3:x-", "line\nbreak 🚀"],
            status: status,
            errors: status == .invalid
                ? [
                    UsageRecordError(code: "quantity.precision", column: "quantity", message: "quantity: 1.234 has…"),
                    UsageRecordError(code: "record_id.duplicate", column: nil, message: ""),
                ] : [])
    }

    static func records(_ fileID: String, _ positions: ClosedRange<Int>, status: UsageRecordStatus = .valid)
        -> [UsageRecord]
    {
        positions.map { record(fileID, $0, status: status) }
    }
}
