// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The spreadsheet format a reconciliation file was uploaded in, as its uploader declared it.
public enum ReconciliationFormat: String, Sendable, Hashable, CaseIterable {
    case xlsx
    case csv
}
