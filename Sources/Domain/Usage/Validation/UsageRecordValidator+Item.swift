// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

// The row's item: found by its search criteria, or created as a dynamic item when the product
// allows it.

extension UsageRecordValidator {
    /// A memo key: how an item was searched for.
    struct ItemKey: Hashable {
        var criteria: UsageItemCriteria
        var value: String
    }

    /// What validation needs of an item, without the rest of it.
    struct ItemFacts {
        var id: String
        var mpn: String
        var type: ItemType
        var precision: Precision

        init(_ item: Item) {
            id = item.id
            mpn = item.mpn
            type = item.type
            precision = item.precision
        }
    }

    /// A dynamic item a row asks for, created only once the row is otherwise valid.
    struct DynamicItemDraft {
        var name: String
        var mpn: String
        var unit: String
        var precision: Precision
    }

    /// What the row's item columns resolved to.
    enum ItemResolution {
        /// An existing (or just created) item.
        case resolved(ItemFacts)
        /// A dynamic item to create if the rest of the row is valid.
        case pending(DynamicItemDraft)
        /// No item: the row has an error saying why.
        case unresolved

        var resolved: ItemFacts? {
            if case .resolved(let item) = self { return item }
            return nil
        }
    }

    /// Finds the row's item, or the dynamic item it describes, reporting why when there is none.
    mutating func resolveItem(_ row: UsageRow, _ errors: inout RowErrors) throws -> ItemResolution {
        var criteria: UsageItemCriteria?
        if let text = header.cell(.itemSearchCriteria, in: row).trimmedText {
            criteria = UsageItemCriteria(parsing: text)
            if criteria == nil {
                errors.fail(
                    .itemSearchCriteriaUnknown, .itemSearchCriteria,
                    "item_search_criteria \(Self.quoted(text)) is not one of \(UsageItemCriteria.accepted)")
            }
        } else {
            errors.fail(
                .itemSearchCriteriaRequired, .itemSearchCriteria,
                "item_search_criteria is empty; use one of \(UsageItemCriteria.accepted)")
        }
        let value = header.cell(.itemSearchValue, in: row).trimmedText
        if value == nil {
            errors.fail(.itemSearchValueRequired, .itemSearchValue, "item_search_value is empty")
        }
        guard let criteria, let value else { return .unresolved }

        if let item = try findItem(ItemKey(criteria: criteria, value: value)) {
            if item.type != .ppu && !product.capabilities.reservationConsumption {
                errors.fail(
                    .itemNotPayAsYouGo, .itemSearchValue,
                    "item_search_value \(Self.quoted(value)) names item \(item.id), a \(item.type.rawValue) item; "
                        + "usage is reported for pay-as-you-go items unless the product reports reservation "
                        + "consumption")
            }
            return .resolved(item)
        }
        return dynamicDraft(row, criteria: criteria, value: value, &errors)
    }

    /// The dynamic item a row describes when its item is not found, or `.unresolved` with errors.
    private func dynamicDraft(
        _ row: UsageRow, criteria: UsageItemCriteria, value: String, _ errors: inout RowErrors
    ) -> ItemResolution {
        let name = header.cell(.itemName, in: row).trimmedText
        let mpn = header.cell(.itemMPN, in: row).trimmedText
        let unit = header.cell(.itemUnit, in: row).trimmedText
        let precisionText = header.cell(.itemPrecision, in: row).trimmedText
        let describesItem = name != nil || mpn != nil || unit != nil || precisionText != nil
        let dynamic = product.capabilities.dynamic

        guard dynamic, describesItem, criteria == .mpn else {
            var message =
                "item_search_value \(Self.quoted(value)): product \(product.id) has no item with "
                + "\(criteria.name) \(Self.quoted(value))"
            if !dynamic && describesItem {
                message += "; the product does not allow dynamic items, so the item_* columns cannot create it"
            } else if dynamic && describesItem {
                message += "; dynamic items are found and created by item.mpn only"
            } else if dynamic {
                message += "; add item_name, item_unit and item_precision to create it as a dynamic item"
            }
            errors.fail(.itemNotFound, .itemSearchValue, message)
            return .unresolved
        }

        var complete = true
        if let name {
            if Self.isLonger(name, than: Self.maximumTextLength) {
                errors.fail(
                    .itemNameTooLong, .itemName,
                    "item_name \(Self.quoted(name)) has \(name.count) characters; at most "
                        + "\(Self.maximumTextLength) are accepted")
                complete = false
            }
        } else {
            errors.fail(.itemNameRequired, .itemName, "item_name is empty; a dynamic item needs a name")
            complete = false
        }
        if let mpn, mpn != value {
            errors.fail(
                .itemMPNMismatch, .itemMPN,
                "item_mpn \(Self.quoted(mpn)) differs from item_search_value \(Self.quoted(value)), the MPN the "
                    + "item is searched by")
            complete = false
        }
        if unit == nil {
            errors.fail(.itemUnitRequired, .itemUnit, "item_unit is empty; a dynamic item needs a unit such as unit*h")
            complete = false
        }
        var precision: Precision?
        if let precisionText {
            precision = Self.precision(parsing: precisionText)
            if precision == nil {
                errors.fail(
                    .itemPrecisionInvalid, .itemPrecision,
                    "item_precision \(Self.quoted(precisionText)) is not one of integer, decimal(1), decimal(2), "
                        + "decimal(4), decimal(8)")
            }
        } else {
            errors.fail(
                .itemPrecisionRequired, .itemPrecision,
                "item_precision is empty; a dynamic item needs integer, decimal(1), decimal(2), decimal(4) or "
                    + "decimal(8)")
        }
        guard complete, let name, let unit, let precision else { return .unresolved }
        return .pending(
            DynamicItemDraft(name: name, mpn: value, unit: Self.unit(normalizing: unit), precision: precision))
    }

    /// Creates the row's dynamic item; a refusal by the store becomes the row's error.
    mutating func createDynamicItem(_ draft: DynamicItemDraft, _ errors: inout RowErrors) throws -> ItemResolution {
        let key = ItemKey(criteria: .mpn, value: draft.mpn)
        do {
            let item = ItemFacts(
                try lookup.createDynamicItem(
                    productID: product.id, name: draft.name, mpn: draft.mpn, unit: draft.unit,
                    precision: draft.precision))
            items.store(item, for: key)
            lastItem = (key, item)
            return .resolved(item)
        } catch let error as DomainError where error.kind == .invalidArgument || error.kind == .alreadyExists {
            errors.fail(
                .itemCreateFailed, .itemSearchValue,
                "item_search_value \(Self.quoted(draft.mpn)): the dynamic item could not be created: \(error.message)")
            return .unresolved
        }
    }

    /// The item a search names, from the memo or the store.
    private mutating func findItem(_ key: ItemKey) throws -> ItemFacts? {
        if let last = lastItem, last.key == key { return last.item }
        let item: ItemFacts?
        if let known = items[key] {
            item = known
        } else {
            item = try lookup.item(productID: product.id, criteria: key.criteria, value: key.value).map(ItemFacts.init)
            items.store(item, for: key)
        }
        lastItem = (key, item)
        return item
    }

    /// An `item_precision` cell: `integer`, `decimal(n)`, and the spellings Connect's tools also
    /// write (`Integer`, `Decimal(2)`, `decimal_2`).
    static func precision(parsing text: String) -> Precision? {
        let key = String(text.lowercased().filter { $0 != " " })
        switch key {
        case "integer": return .integer
        case "decimal(1)", "decimal_1": return .decimal1
        case "decimal(2)", "decimal_2": return .decimal2
        case "decimal(4)", "decimal_4": return .decimal4
        case "decimal(8)", "decimal_8": return .decimal8
        default: return nil
        }
    }

    /// An `item_unit` cell as the catalogue names it: a built-in unit in any letter case, or one of
    /// Connect's ids for them (`unith`, `unit-h`, `mbh`, `mb-h`, `mhzh`, `mhz-h`); anything else is a
    /// vendor's own unit, passed on as written.
    static func unit(normalizing text: String) -> String {
        let key = text.lowercased()
        if let builtin = Unit.builtin.first(where: { $0.name.lowercased() == key }) { return builtin.name }
        switch key {
        case "unith", "unit-h": return "unit*h"
        case "mbh", "mb-h": return "MB*h"
        case "mhzh", "mhz-h": return "MHz*h"
        default: return text
        }
    }
}
