// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain

// The export rows: ExportRecords and ExportUsageFile of the distributor, ListRecords and ExportRecords of the reseller of the authorization matrix.

extension MatrixTable {
    static let exportRows: [MatrixRow] = []
}
