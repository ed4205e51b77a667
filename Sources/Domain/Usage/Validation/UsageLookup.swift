// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// What record validation needs from the store, inside the transaction that writes the records.
///
/// A protocol so the validator stays pure and testable with a fake; the store implements it over
/// the same write transaction that replaces the record set, so a dynamic item created by a row and
/// the records that use it commit or roll back together. Every method may throw only for storage
/// failures; "not found" is a nil or empty answer.
public protocol UsageLookup {
    /// The item of `productID` that `value` names under `criteria`, or nil.
    ///
    /// For `.id` and `.localID`, an id of another product is nil: a file reports one product.
    func item(productID: String, criteria: UsageItemCriteria, value: String) throws -> Item?

    /// Up to `limit` subscriptions of `vendorID`'s products that `value` names under `criteria`
    /// (see `UsageSubscriptionCriteria.matches`), of any contract and product.
    ///
    /// Never another vendor's: those do not exist for this file. The validator asks for two to
    /// tell "exactly one" from "ambiguous", and checks product and contract itself, so that a
    /// subscription of the wrong contract gets its own error instead of "not found".
    func subscriptions(
        vendorID: String, criteria: UsageSubscriptionCriteria, value: String, limit: Int
    ) throws -> [Subscription]

    /// The id of another file of `productID` — `ready`, `pending`, `accepted` or `closed`, not
    /// `excludingFileID` — that has a record with `recordID`, or nil.
    ///
    /// Those files are billed or about to be; the same record id in a second one would bill twice.
    func fileUsingRecordID(_ recordID: String, productID: String, excludingFileID: String) throws -> String?

    /// Creates a published PPU item of `productID` marked dynamic, as a dynamic product allows.
    ///
    /// Throws `DomainError` `.invalidArgument` or `.alreadyExists` when the item cannot be made
    /// (an unknown unit, a name taken by another item); the validator reports those on the record.
    /// Any other error is a storage failure and ends validation.
    func createDynamicItem(productID: String, name: String, mpn: String, unit: String, precision: Precision) throws
        -> Item
}
