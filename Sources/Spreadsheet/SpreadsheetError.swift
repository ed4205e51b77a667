// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Why a spreadsheet or archive could not be read or written: a stable code and a message that
/// names the part, line or cell involved.
public struct SpreadsheetError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
