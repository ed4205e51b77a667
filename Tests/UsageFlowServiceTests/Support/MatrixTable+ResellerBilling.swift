// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The reseller's MarkRecordsBilled row of the authorization matrix.

extension MatrixTable {
    static let resellerBillingRows: [MatrixRow] = []
}
