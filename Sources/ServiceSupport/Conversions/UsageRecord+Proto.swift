// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import WellKnownTypes

// Usage records and categories ↔ wire messages. Decimals travel as their canonical text, which
// parses back to the identical value: no digit is ever rounded on the way.

extension Usageflow_V1_UsageRecord {
    public init(_ record: UsageRecord) {
        self.init()
        fileId = record.fileID
        position = Int64(record.position)
        recordId = record.recordID
        note = record.note
        itemId = record.itemID ?? ""
        subscriptionId = record.subscriptionID ?? ""
        quantity = record.quantity?.description ?? ""
        amount = record.amount?.description ?? ""
        if let tier = record.tier { self.tier = Int32(clamping: tier) }
        if let start = record.start { startTime = Google_Protobuf_Timestamp(start) }
        if let end = record.end { endTime = Google_Protobuf_Timestamp(end) }
        categoryId = record.categoryID ?? ""
        assetReconId = record.assetReconID ?? ""
        parameters = record.parameters.map { parameter in
            var wire = Usageflow_V1_UsageParameter()
            wire.name = parameter.name
            wire.value = parameter.value
            return wire
        }
        status = record.status.proto
        errors = record.errors.map(Usageflow_V1_UsageRecordError.init)
        externalBillingId = record.externalBillingID ?? ""
        externalBillingNote = record.externalBillingNote ?? ""
        if let closed = record.closedAt { closedAt = Google_Protobuf_Timestamp(closed) }
        values = record.rawValues
    }
}

extension Usageflow_V1_UsageRecordError {
    public init(_ error: UsageRecordError) {
        self.init()
        code = error.code
        column = error.column ?? ""
        message = error.message
    }
}

extension Usageflow_V1_UsageCategory {
    public init(_ category: UsageCategory) {
        self.init()
        id = category.id
        name = category.name
        description = category.description
    }
}

extension UsageCategory {
    /// Reads the categories of an upload header: ids and names 1–255 characters and ids unique,
    /// each violation naming its element (`header.categories[2].id`).
    public static func decode(
        _ wire: [Usageflow_V1_UsageCategory], field: String, into validation: inout Validation
    ) -> [UsageCategory] {
        var seen: Set<String> = []
        var categories: [UsageCategory] = []
        categories.reserveCapacity(wire.count)
        for (index, category) in wire.enumerated() {
            let path = "\(field)[\(index)]"
            validation.name("\(path).id", category.id)
            validation.name("\(path).name", category.name)
            validation.text("\(path).description", category.description, maxLength: Limits.nameLength)
            if !seen.insert(category.id).inserted {
                validation.fail("\(path).id", "repeats the category \(String(reflecting: category.id))")
            }
            categories.append(UsageCategory(id: category.id, name: category.name, description: category.description))
        }
        return categories
    }
}
