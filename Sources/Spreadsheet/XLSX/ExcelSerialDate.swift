// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Conversions between Excel's serial date numbers and calendar dates, done exactly.
///
/// A serial is days since an epoch with the time of day as the fraction. The literal is read as
/// an exact decimal (never a Double) and the time is rounded to the nearest second, so
/// `45292.5` is exactly noon. In the 1900 system Excel keeps Lotus 1-2-3's bug of treating 1900
/// as a leap year: serials 1–59 are 1900-01-01…1900-02-28, 60 is the non-existent 1900-02-29,
/// and from 61 (1900-03-01) on the count is off by one from the true calendar. The 1904 system
/// (older Mac workbooks, `date1904`) counts from 1904-01-01 with no such day.
public enum ExcelSerialDate {
    /// The largest serial Excel accepts: 9999-12-31.
    static let maximumSerialDays: Int64 = 2_958_465
    static let epoch1899Dec30 = CalendarDays.days(year: 1899, month: 12, day: 30)
    static let epoch1899Dec31 = CalendarDays.days(year: 1899, month: 12, day: 31)
    static let epoch1904 = CalendarDays.days(year: 1904, month: 1, day: 1)

    /// The date a serial literal (`45292`, `45292.75`, `4.5292E4`) stands for, or nil when the
    /// literal is not a number or lies outside 0…9999-12-31.
    public static func dateTime(serial literal: String, date1904: Bool = false) -> SpreadsheetDateTime? {
        guard let seconds = totalSeconds(literal) else { return nil }
        let days = seconds / 86_400
        let secondOfDay = Int(seconds % 86_400)
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        if date1904 {
            let date = CalendarDays.date(fromDays: epoch1904 + days)
            return SpreadsheetDateTime(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second)
        }
        if days == 60 {
            return SpreadsheetDateTime(year: 1900, month: 2, day: 29, hour: hour, minute: minute, second: second)
        }
        let date = CalendarDays.date(fromDays: (days < 60 ? epoch1899Dec31 : epoch1899Dec30) + days)
        return SpreadsheetDateTime(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second)
    }

    /// The serial literal for a date, with the time as a fraction of at most ten digits (enough to
    /// read back to the same second), or nil for dates before the epoch.
    public static func serial(of dateTime: SpreadsheetDateTime, date1904: Bool = false) -> String? {
        let days: Int64
        if date1904 {
            days = CalendarDays.days(year: dateTime.year, month: dateTime.month, day: dateTime.day) - epoch1904
        } else if dateTime.year == 1900 && dateTime.month == 2 && dateTime.day == 29 {
            days = 60
        } else {
            let absolute = CalendarDays.days(year: dateTime.year, month: dateTime.month, day: dateTime.day)
            days = absolute - (absolute < CalendarDays.days(year: 1900, month: 3, day: 1) ? epoch1899Dec31 : epoch1899Dec30)
        }
        guard days >= 0, days <= maximumSerialDays else { return nil }
        let seconds = Int64(dateTime.hour * 3600 + dateTime.minute * 60 + dateTime.second)
        guard seconds > 0 else { return String(days) }
        let scale: Int64 = 10_000_000_000
        var fraction = String((seconds * scale + 43_200) / 86_400)
        fraction = String(repeating: "0", count: 10 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(days).\(fraction)"
    }

    /// The literal in whole seconds (rounded half up), or nil if it is not a non-negative number in range.
    static func totalSeconds(_ literal: String) -> Int64? {
        var coefficient: Int128 = 0
        var scale = 0
        var digits = 0
        var sawDigit = false
        var sawPoint = false
        var exponent = 0
        var utf8 = literal.utf8.makeIterator()
        var pending = utf8.next()
        while pending == 0x20 { pending = utf8.next() }
        if pending == UInt8(ascii: "+") { pending = utf8.next() }
        while let byte = pending {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                if coefficient == 0 && byte == UInt8(ascii: "0") {
                    if sawPoint { scale += 1 }
                } else if digits < 30 {
                    // Beyond 30 significant digits nothing can change the rounded second.
                    coefficient = coefficient * 10 + Int128(byte - UInt8(ascii: "0"))
                    digits += 1
                    if sawPoint { scale += 1 }
                } else if !sawPoint {
                    return nil
                }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                var sign = 1
                var next = utf8.next()
                if next == UInt8(ascii: "-") { sign = -1; next = utf8.next() } else if next == UInt8(ascii: "+") { next = utf8.next() }
                var sawExponentDigit = false
                while let d = next, d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") {
                    exponent = min(exponent * 10 + Int(d - UInt8(ascii: "0")), 1000)
                    sawExponentDigit = true
                    next = utf8.next()
                }
                guard sawExponentDigit, next == nil || next == 0x20 else { return nil }
                exponent *= sign
                break
            } else if byte == 0x20 {
                break
            } else {
                return nil
            }
            pending = utf8.next()
        }
        guard sawDigit else { return nil }
        scale -= exponent
        if coefficient == 0 { return 0 }
        // value = coefficient / 10^scale; it must stay below the largest serial.
        if scale < 0 {
            guard -scale <= 7 else { return nil }
            for _ in 0..<(-scale) { coefficient *= 10 }
            scale = 0
        }
        guard scale <= 36 else { return 0 }
        var divisor: Int128 = 1
        for _ in 0..<scale { divisor *= 10 }
        guard coefficient / divisor <= Int128(maximumSerialDays) else { return nil }
        let seconds = (coefficient * 86_400 + divisor / 2) / divisor
        return Int64(seconds)
    }
}
