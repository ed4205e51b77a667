// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

extension UsageRecord {
    /// approved → closed with the billing system's id and note (SPEC §4).
    ///
    /// Returns whether the record changed. Closing a closed record again with the same billing
    /// id changes nothing and succeeds, so a billing system can replay its closes after a lost
    /// reply; the note of a replay is not compared, because the id is what identifies the bill.
    /// A different id is ALREADY_EXISTS naming the record and the id it holds; any other state is
    /// FAILED_PRECONDITION naming it.
    public mutating func close(
        externalBillingID: String, note: String, at time: Timestamp
    ) throws(DomainError) -> Bool {
        switch status {
        case .approved:
            status = .closed
            self.externalBillingID = externalBillingID
            externalBillingNote = note
            closedAt = time
            return true
        case .closed where self.externalBillingID == externalBillingID:
            return false
        case .closed:
            throw .alreadyExists(
                "record \(recordID) of usage file \(fileID) is already closed with external_billing_id "
                    + "\(self.externalBillingID ?? "")",
                field: "external_billing_id")
        case .valid, .invalid, .rejected:
            throw .wrongState(
                "record \(recordID) of usage file \(fileID) is \(status.rawValue); only approved records can be closed")
        }
    }
}
