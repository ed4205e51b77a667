// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// How many records of a usage file are in each state now, kept on the file so a status call
/// never counts a million rows.
///
/// The counts follow the records: accepting a file moves its valid records to `approved`, and
/// rejecting it moves them out of `valid` (rejected records have no count of their own);
/// `uploaded` stays the size of the last upload.
public struct UsageFileCounts: Sendable, Hashable {
    /// Rows in the last upload.
    public var uploaded: Int
    public var valid: Int
    public var invalid: Int
    public var approved: Int
    public var closed: Int

    public init(uploaded: Int = 0, valid: Int = 0, invalid: Int = 0, approved: Int = 0, closed: Int = 0) {
        self.uploaded = uploaded
        self.valid = valid
        self.invalid = invalid
        self.approved = approved
        self.closed = closed
    }

    public static let zero = UsageFileCounts()
}
