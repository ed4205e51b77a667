// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

// The row's subscription: found by its search criteria, under the file's product and contract,
// active during the record, with the row's tier.

extension UsageRecordValidator {
    /// A memo key: how a subscription was searched for.
    struct SubscriptionKey: Hashable {
        var criteria: UsageSubscriptionCriteria
        var value: String
    }

    /// What a search found, decided once per distinct search and remembered, so a row that names
    /// a subscription already seen costs a key comparison.
    enum SubscriptionMatch {
        case none
        /// More than one subscription of the file's product and contract matches.
        case ambiguous(count: Int)
        /// Only subscriptions of another product or contract match (the first one's mismatches).
        case outOfScope(otherProduct: Bool, otherContract: Bool)
        case found(SubscriptionFacts)
    }

    /// What validation needs of a subscription, without the rest of it.
    struct SubscriptionFacts {
        var id: String
        var reconciliationID: String?
        var hasTier1: Bool
        var hasTier2: Bool
        /// When it was active, from its history; the last interval is open while it still is.
        var activeIntervals: [(start: Timestamp, end: Timestamp?)]

        init(_ subscription: Subscription) {
            id = subscription.id
            reconciliationID = subscription.reconciliationID
            hasTier1 = subscription.tiers.tier1ID != nil
            hasTier2 = subscription.tiers.tier2ID != nil
            activeIntervals = subscription.activeIntervals
            if subscription.history.isEmpty && subscription.status == .active {
                // No recorded changes: active since it was created.
                activeIntervals = [(subscription.createdAt, nil)]
            }
        }

        /// Whether the subscription was active for at least part of `[start, end]`.
        func wasActive(from start: Timestamp, to end: Timestamp) -> Bool {
            activeIntervals.contains { interval in
                interval.start <= end && (interval.end.map { $0 > start } ?? true)
            }
        }
    }

    /// How many matches to ask the store for: enough to pick the one under the file's product
    /// and contract among namesakes of the vendor's other products and contracts.
    static let subscriptionMatchLimit = 16

    /// Finds the row's subscription and checks it against the file, the record's times and tier.
    ///
    /// Returns nil unless exactly one subscription of the file's product and contract matches: a
    /// record never points at another contract's subscription, so its data cannot reach that
    /// contract's distributor. Errors about such a subscription name only what the vendor sent.
    mutating func resolveSubscription(_ row: UsageRow, times: Times, tier: Int?, _ errors: inout RowErrors) throws
        -> SubscriptionFacts?
    {
        var criteria: UsageSubscriptionCriteria?
        if let text = header.cell(.assetSearchCriteria, in: row).trimmedText {
            criteria = UsageSubscriptionCriteria(parsing: text)
            if criteria == nil {
                errors.fail(
                    .assetSearchCriteriaUnknown, .assetSearchCriteria,
                    "asset_search_criteria \(Self.quoted(text)) is not one of \(UsageSubscriptionCriteria.accepted)")
            }
        } else {
            errors.fail(
                .assetSearchCriteriaRequired, .assetSearchCriteria,
                "asset_search_criteria is empty; use one of \(UsageSubscriptionCriteria.accepted)")
        }
        let value = header.cell(.assetSearchValue, in: row).trimmedText
        if value == nil {
            errors.fail(.assetSearchValueRequired, .assetSearchValue, "asset_search_value is empty")
        }
        guard let criteria, let value else { return nil }

        var named: String { "asset_search_value \(Self.quoted(value))" }
        let subscription: SubscriptionFacts
        switch try findSubscription(SubscriptionKey(criteria: criteria, value: value)) {
        case .none:
            errors.fail(
                .subscriptionNotFound, .assetSearchValue,
                "\(named): no subscription has \(criteria.name) \(Self.quoted(value))")
            return nil
        case .ambiguous(let count):
            errors.fail(
                .subscriptionAmbiguous, .assetSearchValue,
                "\(named): \(count) subscriptions have \(criteria.name) \(Self.quoted(value)); use a criteria "
                    + "that names exactly one, such as asset.id")
            return nil
        case .outOfScope(let otherProduct, let otherContract):
            if otherProduct {
                errors.fail(
                    .subscriptionOtherProduct, .assetSearchValue,
                    "\(named): the subscription is not a subscription of product \(file.productID)")
            }
            if otherContract {
                errors.fail(
                    .subscriptionOtherContract, .assetSearchValue,
                    "\(named): the subscription is not under this file's contract \(file.contractID)")
            }
            return nil
        case .found(let facts):
            subscription = facts
        }

        if let tier, (tier == 1 && !subscription.hasTier1) || (tier == 2 && !subscription.hasTier2) {
            errors.fail(
                .tierNotOnSubscription, .tier,
                "tier \(tier): subscription \(subscription.id) has no tier-\(tier) reseller")
        }
        if let interval = times.interval, !subscription.wasActive(from: interval.start, to: interval.end) {
            errors.fail(
                .subscriptionInactive, .assetSearchValue,
                "\(named): subscription \(subscription.id) was not active at any time from "
                    + "\(UsageTime.format(interval.start)) to \(UsageTime.format(interval.end))")
        }
        return subscription
    }

    /// What a search names, from the memo or the store.
    private mutating func findSubscription(_ key: SubscriptionKey) throws -> SubscriptionMatch {
        if let last = lastSubscription, last.key == key { return last.match }
        let match: SubscriptionMatch
        if let known = subscriptions[key] {
            match = known
        } else {
            let found = try lookup.subscriptions(
                vendorID: file.vendorID, criteria: key.criteria, value: key.value, limit: Self.subscriptionMatchLimit)
            match = classify(found)
            subscriptions.store(match, for: key)
        }
        lastSubscription = (key, match)
        return match
    }

    /// Picks the one match under the file's product and contract, or says why there is none.
    private func classify(_ found: [Subscription]) -> SubscriptionMatch {
        let inScope = found.filter { $0.productID == file.productID && $0.contractID == file.contractID }
        if inScope.count > 1 { return .ambiguous(count: inScope.count) }
        if let subscription = inScope.first { return .found(SubscriptionFacts(subscription)) }
        guard let other = found.first else { return .none }
        return .outOfScope(
            otherProduct: other.productID != file.productID, otherContract: other.contractID != file.contractID)
    }
}
