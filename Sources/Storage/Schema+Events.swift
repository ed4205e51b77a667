// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// The audit trail of state changes.
    static let version3 = """
        SELECT 1;
        """

    /// The tables `version3` creates, in creation order.
    static let eventTables: [String] = []
}
