// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A usage record's state: set by validation (`valid`, `invalid`), then by the distributor's
/// review of its file (`approved`, `rejected`) and by reconciliation (`closed`).
public enum UsageRecordStatus: String, Sendable, Hashable, CaseIterable {
    case valid, invalid, approved, rejected, closed
}
