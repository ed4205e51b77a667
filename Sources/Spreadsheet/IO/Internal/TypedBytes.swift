// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Byte-pointer access that keeps typed throws: the standard library's `withUnsafeBytes` is
/// `rethrows`, which widens a `SpreadsheetError` to `any Error`.
extension Array where Element == UInt8 {
    func withBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(SpreadsheetError) -> Result
    ) throws(SpreadsheetError) -> Result {
        let outcome: Swift.Result<Result, SpreadsheetError> = withUnsafeBytes { raw in
            Swift.Result { () throws(SpreadsheetError) in try body(raw) }
        }
        return try outcome.get()
    }

    mutating func withMutableBytes<Result>(
        _ body: (UnsafeMutableRawBufferPointer) throws(SpreadsheetError) -> Result
    ) throws(SpreadsheetError) -> Result {
        let outcome: Swift.Result<Result, SpreadsheetError> = withUnsafeMutableBytes { raw in
            Swift.Result { () throws(SpreadsheetError) in try body(raw) }
        }
        return try outcome.get()
    }
}
