// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The consumed and accepted usage of one subscription and item over a period (SPEC §4).
///
/// Consumed usage is what the vendor submitted: the valid, approved and closed records of
/// production files from `pending` on. Accepted usage is its approved and closed part. Sums are
/// exact decimals, never binary floating point, so totals agree to the last digit with the
/// records they add up.
public struct UsageTotal: Sendable, Hashable {
    /// Where a total sits in the order totals are listed in: by subscription id, then item id.
    public struct Key: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var subscriptionID: String
        public var itemID: String

        public init(subscriptionID: String, itemID: String) {
            self.subscriptionID = subscriptionID
            self.itemID = itemID
        }

        /// Byte order of the ids, as the store sorts them (ids are ASCII).
        public static func < (lhs: Key, rhs: Key) -> Bool {
            if lhs.subscriptionID != rhs.subscriptionID {
                return lhs.subscriptionID.utf8.lexicographicallyPrecedes(rhs.subscriptionID.utf8)
            }
            return lhs.itemID.utf8.lexicographicallyPrecedes(rhs.itemID.utf8)
        }

        public var description: String { "\(subscriptionID)/\(itemID)" }
    }

    public var key: Key
    public var productID: String
    public var consumedQuantity: Decimal
    public var acceptedQuantity: Decimal
    /// Sums of the records' amounts (tiered, price- and cost-rated files); zero when none has one.
    public var consumedAmount: Decimal
    public var acceptedAmount: Decimal
    public var consumedRecords: Int
    public var acceptedRecords: Int

    public var subscriptionID: String { key.subscriptionID }
    public var itemID: String { key.itemID }

    public init(
        key: Key, productID: String, consumedQuantity: Decimal = .zero, acceptedQuantity: Decimal = .zero,
        consumedAmount: Decimal = .zero, acceptedAmount: Decimal = .zero, consumedRecords: Int = 0,
        acceptedRecords: Int = 0
    ) {
        self.key = key
        self.productID = productID
        self.consumedQuantity = consumedQuantity
        self.acceptedQuantity = acceptedQuantity
        self.consumedAmount = consumedAmount
        self.acceptedAmount = acceptedAmount
        self.consumedRecords = consumedRecords
        self.acceptedRecords = acceptedRecords
    }

    /// Adds `records` consumed records whose quantities and amounts sum to `quantity` and
    /// `amount` (one record by default); `accepted` when they are approved or closed.
    ///
    /// Throws `resourceExhausted` when a sum would need more than 38 significant digits, and then
    /// changes nothing: no real usage gets there, but a total must fail rather than wrap.
    public mutating func add(
        quantity: Decimal?, amount: Decimal?, records: Int = 1, accepted: Bool
    ) throws(DomainError) {
        var next = self
        do {
            if let quantity { next.consumedQuantity = try consumedQuantity.adding(quantity) }
            if let amount { next.consumedAmount = try consumedAmount.adding(amount) }
            if accepted {
                if let quantity { next.acceptedQuantity = try acceptedQuantity.adding(quantity) }
                if let amount { next.acceptedAmount = try acceptedAmount.adding(amount) }
            }
        } catch {
            throw DomainError.resourceExhausted(
                "the usage total of subscription \(key.subscriptionID) and item \(key.itemID) exceeds "
                    + "\(Decimal.maximumSignificantDigits) digits; ask for a shorter period")
        }
        next.consumedRecords += records
        if accepted { next.acceptedRecords += records }
        self = next
    }
}
