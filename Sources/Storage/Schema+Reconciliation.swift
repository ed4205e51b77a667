// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// Uploaded reconciliation files and their rows.
    static let version4 = """
        SELECT 1;
        """

    /// The tables `version4` creates, in creation order.
    static let reconciliationTables: [String] = []
}
