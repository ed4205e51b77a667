// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

extension SpreadsheetCell {
    /// The cell as validation sees it. Dates become UTC timestamps; a date the calendar lacks
    /// (Excel's 1900-02-29) stays text, so validation reports it as an impossible time. Error
    /// values (`#N/A`) are text too: validation then names them as what they are.
    var usageCell: UsageCell {
        switch self {
        case .empty: .empty
        case .text(let text): .text(text)
        case .number(let literal): .number(literal)
        case .boolean(let value): .boolean(value)
        case .error(let text): .text(text)
        case .date(let date):
            date.isValidCalendarDate ? .date(Timestamp(secondsSinceEpoch: date.secondsSince1970)) : .text(date.description)
        }
    }
}

extension SpreadsheetRow {
    var usageRow: UsageRow {
        UsageRow(position: number, cells: cells.map(\.usageCell))
    }
}
