// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One data row of a reconciliation file as read: the close it asks for, and where it stands.
public struct ReconciliationEntry: Sendable, Hashable {
    /// The row number in the sheet, or the CSV line the row starts on.
    public var position: Int
    public var recordID: String
    public var externalBillingID: String
    public var note: String

    public init(position: Int, recordID: String, externalBillingID: String, note: String = "") {
        self.position = position
        self.recordID = recordID
        self.externalBillingID = externalBillingID
        self.note = note
    }
}
