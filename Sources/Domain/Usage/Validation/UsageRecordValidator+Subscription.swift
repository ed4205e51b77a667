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

    /// How many matches to ask the store for: enough to pick the one under the file's product
    /// and contract among namesakes of the vendor's other products and contracts.
    static let subscriptionMatchLimit = 16

    /// Finds the row's subscription and checks it against the file, the record's times and tier.
    ///
    /// Returns nil unless exactly one subscription of the file's product and contract matches: a
    /// record never points at another contract's subscription, so its data cannot reach that
    /// contract's distributor. Errors about such a subscription name only what the vendor sent.
    mutating func resolveSubscription(_ row: UsageRow, times: Times, tier: Int?, _ errors: inout RowErrors) throws
        -> Subscription?
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

        let matches = try findSubscriptions(SubscriptionKey(criteria: criteria, value: value))
        let named = "asset_search_value \(Self.quoted(value))"
        let inScope = matches.filter { $0.productID == file.productID && $0.contractID == file.contractID }
        guard inScope.count <= 1 else {
            errors.fail(
                .subscriptionAmbiguous, .assetSearchValue,
                "\(named): \(inScope.count) subscriptions have \(criteria.name) \(Self.quoted(value)); use a criteria "
                    + "that names exactly one, such as asset.id")
            return nil
        }
        guard let subscription = inScope.first else {
            guard let other = matches.first else {
                errors.fail(
                    .subscriptionNotFound, .assetSearchValue,
                    "\(named): no subscription has \(criteria.name) \(Self.quoted(value))")
                return nil
            }
            if other.productID != file.productID {
                errors.fail(
                    .subscriptionOtherProduct, .assetSearchValue,
                    "\(named): the subscription is not a subscription of product \(file.productID)")
            }
            if other.contractID != file.contractID {
                errors.fail(
                    .subscriptionOtherContract, .assetSearchValue,
                    "\(named): the subscription is not under this file's contract \(file.contractID)")
            }
            return nil
        }

        if let tier {
            let present =
                switch tier {
                case 1: subscription.tiers.tier1ID != nil
                case 2: subscription.tiers.tier2ID != nil
                default: true
                }
            if !present {
                errors.fail(
                    .tierNotOnSubscription, .tier,
                    "tier \(tier): subscription \(subscription.id) has no tier-\(tier) reseller")
            }
        }
        if let interval = times.interval, !Self.wasActive(subscription, from: interval.start, to: interval.end) {
            errors.fail(
                .subscriptionInactive, .assetSearchValue,
                "\(named): subscription \(subscription.id) was not active at any time from "
                    + "\(UsageTime.format(interval.start)) to \(UsageTime.format(interval.end))")
        }
        return subscription
    }

    /// Whether the subscription was active for at least part of `[start, end]`, from its history.
    static func wasActive(_ subscription: Subscription, from start: Timestamp, to end: Timestamp) -> Bool {
        var intervals = subscription.activeIntervals
        if subscription.history.isEmpty && subscription.status == .active {
            // No recorded changes: active since it was created.
            intervals = [(subscription.createdAt, nil)]
        }
        return intervals.contains { interval in
            interval.start <= end && (interval.end.map { $0 > start } ?? true)
        }
    }

    /// The subscriptions a search names, from the memo or the store.
    private mutating func findSubscriptions(_ key: SubscriptionKey) throws -> [Subscription] {
        if let known = subscriptions[key] { return known }
        let found = try lookup.subscriptions(
            vendorID: file.vendorID, criteria: key.criteria, value: key.value, limit: Self.subscriptionMatchLimit)
        subscriptions.store(found, for: key)
        return found
    }
}
