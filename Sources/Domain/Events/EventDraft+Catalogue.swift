// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

// Products and items keep no status history of their own, so their operations append these
// events next to the write: the item's status names, and `created` for a product, which has no
// status but whose creation its vendor still sees in the trail.

extension EventDraft {
    /// A product was created.
    public static func productCreated(_ product: Product, by actor: String, at time: Timestamp) -> EventDraft {
        EventDraft(
            objectType: .product, objectID: product.id, from: "", to: "created", actor: actor, at: time,
            audience: .product(product))
    }

    /// An item moved from `from` ("" when created) to its current status, or to `deleted`.
    public static func item(
        _ item: Item, from: ItemStatus?, to: String? = nil, reason: String = "", by actor: String, at time: Timestamp
    ) -> EventDraft {
        EventDraft(
            objectType: .item, objectID: item.id, from: from?.rawValue ?? "", to: to ?? item.status.rawValue,
            reason: reason, actor: actor, at: time, audience: .item(item))
    }
}
