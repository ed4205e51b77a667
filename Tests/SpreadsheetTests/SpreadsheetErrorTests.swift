// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

import Spreadsheet
import Testing

@Test func errorDescriptionNamesCodeAndMessage() {
    let error = SpreadsheetError(code: "zip.truncated", message: "the archive ends inside entry 3")
    #expect(error.description == "zip.truncated: the archive ends inside entry 3")
}
