// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The GetUsageTotals rows of the vendor, distributor and reseller of the authorization matrix.

extension MatrixTable {
    static let usageTotalsRows: [MatrixRow] = []
}
