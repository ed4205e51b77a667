// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// One cell as read from, or to be written to, a spreadsheet.
///
/// Numbers stay the literal text of the file (`"1.50"`, `"1E-3"`): converting them to a binary
/// floating-point value would lose exactness, so callers parse them with an exact decimal type.
public enum SpreadsheetCell: Sendable, Hashable {
    case empty
    case text(String)
    /// A numeric literal exactly as written in the sheet XML (or to be written there).
    case number(String)
    case boolean(Bool)
    /// A number cell whose style is a date format, converted from its Excel serial value.
    case date(SpreadsheetDateTime)
    /// An error value such as `#DIV/0!`.
    case error(String)

    /// True for `.empty` and for text that is empty.
    public var isBlank: Bool {
        switch self {
        case .empty: true
        case .text(let text): text.isEmpty
        default: false
        }
    }

    /// The value as a spreadsheet shows it without formatting; dates as `YYYY-MM-DD HH:MM:SS`.
    public var displayText: String {
        switch self {
        case .empty: ""
        case .text(let text), .number(let text), .error(let text): text
        case .boolean(let value): value ? "TRUE" : "FALSE"
        case .date(let date): date.description
        }
    }
}
