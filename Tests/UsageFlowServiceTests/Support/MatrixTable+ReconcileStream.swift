// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The ReconciliationService.Reconcile row of the authorization matrix.

extension MatrixTable {
    static let reconcileStreamRows: [MatrixRow] = []
}
