// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// Resellers' own billing marks on records.
    static let version5 = """
        SELECT 1;
        """

    /// The tables `version5` creates, in creation order.
    static let resellerBillingTables: [String] = []
}
