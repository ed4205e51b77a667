// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The reconciliation-file rows of the distributor of the authorization matrix.

extension MatrixTable {
    static let reconciliationFileRows: [MatrixRow] = []
}
