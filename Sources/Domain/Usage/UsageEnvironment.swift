// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Whether a usage file is real usage or a vendor's rehearsal.
public enum UsageEnvironment: String, Sendable, Hashable, CaseIterable {
    /// Real usage: the distributor reviews it from `pending` on.
    case production
    /// A rehearsal: it runs the whole vendor-side flow, but never reaches the distributor.
    case preview
}
