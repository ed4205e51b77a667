// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Where a usage file is in its life (SPEC §3):
///
/// ```
/// create → draft --upload--> uploading → processing → ready | invalid
/// ready --submit--> pending --accept--> accepted --(all records closed | close)--> closed
///                   pending --reject--> rejected
/// draft | invalid | ready | rejected --upload--> (replaces the whole record set)
/// draft | invalid | ready | rejected --delete--> deleted
/// ```
public enum UsageFileStatus: String, Sendable, Hashable, CaseIterable {
    case draft, uploading, processing, invalid, ready, pending, accepted, rejected, closed, deleted

    /// The states an upload may start from: the record set is the vendor's to replace.
    public static let uploadable: Set<UsageFileStatus> = [.draft, .invalid, .ready, .rejected]

    /// The states a file may be deleted from: the distributor has nothing of it to act on.
    public static let deletable: Set<UsageFileStatus> = [.draft, .invalid, .ready, .rejected]

    /// The states a distributor sees a (production) file in: from `pending` on.
    public static let reviewed: Set<UsageFileStatus> = [.pending, .accepted, .rejected, .closed]

    /// The states whose records count against another file's `record_id`s: billing them twice
    /// must be impossible (SPEC §3.2).
    public static let holdingRecordIDs: Set<UsageFileStatus> = [.ready, .pending, .accepted, .closed]

    /// An upload is under way: the record set may be about to change.
    public var isTransient: Bool { self == .uploading || self == .processing }
}
