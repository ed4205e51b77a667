// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

import Spreadsheet
import Testing

@Suite struct ExcelSerialDateTests {
    @Test(arguments: [
        ("45292", "2024-01-01 00:00:00"),
        ("45292.5", "2024-01-01 12:00:00"),
        ("45292.75", "2024-01-01 18:00:00"),
        ("4.5292E4", "2024-01-01 00:00:00"),
        ("45351", "2024-02-29 00:00:00"),
        ("1", "1900-01-01 00:00:00"),
        ("59", "1900-02-28 00:00:00"),
        ("60", "1900-02-29 00:00:00"),
        ("61", "1900-03-01 00:00:00"),
        ("25569", "1970-01-01 00:00:00"),
        ("2958465", "9999-12-31 00:00:00"),
        ("43831.99998", "2020-01-01 23:59:58"),
        ("43831.999995", "2020-01-02 00:00:00"),
        ("45000.00001157407407", "2023-03-15 00:00:01"),
        ("45000.0000057871", "2023-03-15 00:00:01"),
        ("45000.0000057870", "2023-03-15 00:00:00"),
        ("0.5", "1899-12-31 12:00:00"),
    ])
    func serialsOfThe1900System(serial: String, expected: String) {
        #expect(ExcelSerialDate.dateTime(serial: serial)?.description == expected)
    }

    @Test func serialsOfThe1904System() {
        #expect(ExcelSerialDate.dateTime(serial: "0", date1904: true)?.description == "1904-01-01 00:00:00")
        #expect(ExcelSerialDate.dateTime(serial: "43830", date1904: true)?.description == "2024-01-01 00:00:00")
    }

    @Test(arguments: ["-1", "abc", "", "1e400", "2958466", "NaN", "1.2.3", "1e"])
    func notSerials(serial: String) {
        #expect(ExcelSerialDate.dateTime(serial: serial) == nil)
    }

    @Test func the1900LeapDayIsNotACalendarDate() throws {
        let leap = try #require(ExcelSerialDate.dateTime(serial: "60"))
        #expect(!leap.isValidCalendarDate)
        #expect(ExcelSerialDate.dateTime(serial: "61")?.isValidCalendarDate == true)
    }

    @Test func writingAndReadingAgreeToTheSecond() throws {
        var date = SpreadsheetDateTime(year: 2025, month: 3, day: 1)
        for second in stride(from: 0, to: 86_400, by: 997) {
            date.hour = second / 3600
            date.minute = second / 60 % 60
            date.second = second % 60
            let serial = try #require(ExcelSerialDate.serial(of: date))
            #expect(ExcelSerialDate.dateTime(serial: serial) == date)
            let serial1904 = try #require(ExcelSerialDate.serial(of: date, date1904: true))
            #expect(ExcelSerialDate.dateTime(serial: serial1904, date1904: true) == date)
        }
        #expect(ExcelSerialDate.serial(of: SpreadsheetDateTime(year: 2024, month: 1, day: 1)) == "45292")
        #expect(ExcelSerialDate.serial(of: SpreadsheetDateTime(year: 2024, month: 1, day: 1, hour: 12)) == "45292.5")
        #expect(ExcelSerialDate.serial(of: SpreadsheetDateTime(year: 1900, month: 2, day: 29)) == "60")
        #expect(ExcelSerialDate.serial(of: SpreadsheetDateTime(year: 1900, month: 1, day: 1)) == "1")
        #expect(ExcelSerialDate.serial(of: SpreadsheetDateTime(year: 1899, month: 1, day: 1)) == nil)
    }

    @Test(arguments: [("A1", 0, 1), ("Z9", 25, 9), ("AA10", 26, 10), ("AB12", 27, 12), ("XFD1048576", 16_383, 1_048_576), ("b3", 1, 3)])
    func cellReferences(reference: String, column: Int, row: Int) {
        #expect(CellReference.columnIndex(reference) == column)
        #expect(CellReference.rowNumber(reference) == row)
        #expect(CellReference.columnName(column) == reference.uppercased().prefix { $0.isLetter }.description)
    }

    @Test func invalidCellReferences() {
        #expect(CellReference.columnIndex("1") == nil)
        #expect(CellReference.columnIndex("XFE1") == nil)
        #expect(CellReference.columnIndex("ABCD1") == nil)
        #expect(CellReference.rowNumber("A") == nil)
    }
}
