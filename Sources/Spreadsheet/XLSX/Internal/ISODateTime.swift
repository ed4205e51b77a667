// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// ISO 8601 date-times as stored in `t="d"` cells (`2024-01-31T10:00:00Z`, fractions rounded).
enum ISODateTime {
    static func parse(_ text: String) -> SpreadsheetDateTime? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let month = number(5, 2), let day = number(8, 2)
        else { return nil }
        var result = SpreadsheetDateTime(year: year, month: month, day: day)
        if bytes.count > 10 {
            guard bytes.count >= 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
            else { return nil }
            result.hour = hour
            result.minute = minute
            result.second = second
            var index = 19
            if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") { index += 1 }
                if index > fractionStart && bytes[fractionStart] >= UInt8(ascii: "5") {
                    let seconds = result.secondsSince1970 + 1
                    let date = CalendarDays.date(fromDays: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
                    let secondOfDay = Int(seconds - CalendarDays.days(year: date.year, month: date.month, day: date.day) * 86_400)
                    result = SpreadsheetDateTime(
                        year: date.year, month: date.month, day: date.day, hour: secondOfDay / 3600,
                        minute: secondOfDay / 60 % 60, second: secondOfDay % 60
                    )
                }
            }
            let zone = bytes[index...]
            guard zone.isEmpty || zone.elementsEqual("Z".utf8) || zone.elementsEqual("+00:00".utf8) else { return nil }
        }
        return result.isValidCalendarDate ? result : nil
    }
}
