// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A reseller's own billing mark on a usage record: the id its billing system gave the record,
/// a note, and when it was marked (SPEC §4).
///
/// A mark belongs to one record and one reseller. It is independent of the distributor's close:
/// the record's status and billing fields never change when a reseller marks it, and a tier-1
/// reseller and its tier-2 reseller keep a mark each on the same record, because each bills its
/// own customer (or reseller) separately.
public struct ResellerBillingMark: Sendable, Hashable {
    /// The reseller that marked the record (either tier).
    public var resellerID: String
    /// 1–255 characters.
    public var externalBillingID: String
    /// 0–200 characters.
    public var externalBillingNote: String
    public var billedAt: Timestamp
    /// The account recorded as having marked it, for the audit trail.
    public var actor: String

    public init(
        resellerID: String, externalBillingID: String, externalBillingNote: String, billedAt: Timestamp,
        actor: String
    ) {
        self.resellerID = resellerID
        self.externalBillingID = externalBillingID
        self.externalBillingNote = externalBillingNote
        self.billedAt = billedAt
        self.actor = actor
    }
}
