// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Record validation's view of the store, over the write transaction that replaces a file's
/// record set: a dynamic item a row creates commits or rolls back with the records.
struct UsageFileLookup: UsageLookup {
    let tx: any StoreWriter
    let vendorID: String
    let now: Timestamp
    /// Whether any other file of the product holds record ids; when none does, the per-row
    /// duplicate check across files has nothing to find and skips the store.
    let otherFilesHoldRecordIDs: Bool

    init(tx: any StoreWriter, file: UsageFile, now: Timestamp) throws {
        self.tx = tx
        self.vendorID = file.vendorID
        self.now = now
        let holding = try tx.usageFiles(
            UsageFileFilter(productID: file.productID, statuses: UsageFileStatus.holdingRecordIDs),
            page: PageRequest(size: 2))
        self.otherFilesHoldRecordIDs = holding.items.contains { $0.id != file.id }
    }

    func item(productID: String, criteria: UsageItemCriteria, value: String) throws -> Item? {
        switch criteria {
        case .mpn:
            return try tx.item(productID: productID, mpn: value)
        case .id:
            guard IdentifierKind.item.matches(value), let item = try tx.item(id: value), item.productID == productID
            else { return nil }
            return item
        case .localID:
            guard IdentifierKind.itemLocal.matches(value), let identifier = ItemIdentifier(parsing: value),
                let item = try tx.item(id: identifier.id), item.productID == productID, item.localID == value
            else { return nil }
            return item
        }
    }

    func subscriptions(
        vendorID: String, criteria: UsageSubscriptionCriteria, value: String, limit: Int
    ) throws -> [Subscription] {
        try tx.subscriptions(vendorID: vendorID, criteria: criteria, value: value, limit: limit)
    }

    func fileUsingRecordID(_ recordID: String, productID: String, excludingFileID: String) throws -> String? {
        guard otherFilesHoldRecordIDs else { return nil }
        return try tx.usageFileUsing(recordID: recordID, productID: productID, excludingFileID: excludingFileID)
    }

    /// A published PPU item numbered after the product's others, under the same rules as an item
    /// the vendor creates (known unit, unique name and MPN), marked dynamic.
    func createDynamicItem(productID: String, name: String, mpn: String, unit: String, precision: Precision) throws
        -> Item
    {
        var validation = Validation()
        validation.name("item_name", name)
        validation.name("item_mpn", mpn)
        validation.name("item_unit", unit, maxLength: Limits.unitLength)
        try CatalogueOperations.checkUnit(unit, vendorID: vendorID, in: tx, into: &validation)
        try validation.check()
        try CatalogueOperations.checkUnique(name: name, mpn: mpn, productID: productID, excluding: nil, in: tx)
        let identifier: ItemIdentifier
        do {
            identifier = try ItemIdentifier(product: productID, sequence: try tx.nextItemSequence(productID: productID))
        } catch let error as IdentifierError {
            throw DomainError(
                kind: .resourceExhausted, message: "product \(productID) has no item numbers left: \(error.message)")
        }
        let item = Item(
            id: identifier.id, localID: identifier.localID, productID: productID, vendorID: vendorID, name: name,
            mpn: mpn, description: "", type: .ppu, precision: precision, unit: unit, status: .published,
            dynamic: true, createdAt: now, updatedAt: now)
        try tx.insert(item)
        // The vendor's upload made it: the vendor is the actor, the reason says how.
        try tx.appendEvent(.item(item, from: nil, reason: "created by a usage file upload", by: vendorID, at: now))
        return item
    }
}
