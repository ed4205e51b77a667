// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The kinds of object whose state changes the audit trail records, by their API names.
///
/// The raw values are what clients filter on and what the events table stores, so a case once
/// released keeps its name.
public enum EventObjectType: String, Sendable, Hashable, CaseIterable {
    case product, item, contract, listing, subscription
    case usageFile = "usage_file"
    /// One record changed on its own (a close); changes made to every record of a file at once
    /// (accepting the file) are the file's event.
    case usageRecord = "usage_record"
    case reconciliation
    case resellerBilling = "reseller_billing"
    /// Credentials: issued (`active`) and revoked.
    case apiKey = "api_key"
    case serviceIdentity = "service_identity"
}
