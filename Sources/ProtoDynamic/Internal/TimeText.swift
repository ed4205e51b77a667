// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// The text forms of `google.protobuf.Timestamp` (RFC 3339) and `google.protobuf.Duration`
/// (`1.5s`), as the proto3 JSON mapping defines them.
///
/// Written out here because the module uses no Foundation; the calendar arithmetic is the
/// proleptic Gregorian day count (Howard Hinnant's `days_from_civil`).
enum TimeText {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range the JSON mapping allows.
    static let minTimestampSeconds: Int64 = -62_135_596_800
    static let maxTimestampSeconds: Int64 = 253_402_300_799
    /// About 10,000 years, the range the JSON mapping allows for durations.
    static let maxDurationSeconds: Int64 = 315_576_000_000

    static let timestampExample = "such as 2025-03-01T00:00:00Z"

    // MARK: Timestamp

    static func formatTimestamp(seconds: Int64, nanos: Int32) throws(ValueProblem) -> String {
        guard seconds >= minTimestampSeconds, seconds <= maxTimestampSeconds, nanos >= 0, nanos <= 999_999_999 else {
            throw ValueProblem(
                .outOfRange,
                "timestamp seconds \(seconds), nanos \(nanos) is outside "
                    + "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z")
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + fraction(nanos) + "Z"
    }

    /// Parses RFC 3339 (`2025-03-01T00:00:00Z`, `2025-03-01T01:30:00.5+01:30`); with `dateOnly`,
    /// also a bare date meaning midnight UTC.
    static func parseTimestamp(
        _ text: String, allowDateOnly: Bool = false
    ) throws(ValueProblem) -> (seconds: Int64, nanos: Int32) {
        let invalid = ValueProblem(
            .invalidValue, "invalid timestamp \(quoted(text)) (expected RFC 3339, \(timestampExample))")
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take("-"), let month = scanner.digits(2), scanner.take("-"),
            let day = scanner.digits(2)
        else { throw invalid }
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year) else { throw invalid }
        var seconds = days(fromYear: year, month: month, day: day) * 86_400
        var nanos: Int32 = 0
        if scanner.isAtEnd, allowDateOnly {
            // Midnight UTC.
        } else {
            guard scanner.take("T") || scanner.take("t"), let hour = scanner.digits(2), scanner.take(":"),
                let minute = scanner.digits(2), scanner.take(":"), let second = scanner.digits(2),
                hour <= 23, minute <= 59, second <= 59
            else { throw invalid }
            seconds += hour * 3600 + minute * 60 + second
            if scanner.take(".") {
                guard let parsed = scanner.fraction() else { throw invalid }
                nanos = parsed
            }
            if scanner.take("Z") || scanner.take("z") {
                // UTC.
            } else {
                let sign: Int64
                if scanner.take("+") { sign = 1 } else if scanner.take("-") { sign = -1 } else { throw invalid }
                guard let offsetHours = scanner.digits(2), scanner.take(":"), let offsetMinutes = scanner.digits(2),
                    offsetHours <= 23, offsetMinutes <= 59
                else { throw invalid }
                seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
            }
            guard scanner.isAtEnd else { throw invalid }
        }
        guard seconds >= minTimestampSeconds, seconds <= maxTimestampSeconds else {
            throw ValueProblem(
                .outOfRange,
                "timestamp \(quoted(text)) is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z")
        }
        return (seconds, nanos)
    }

    // MARK: Duration

    static func formatDuration(seconds: Int64, nanos: Int32) throws(ValueProblem) -> String {
        guard seconds.magnitude <= UInt64(maxDurationSeconds), nanos.magnitude <= 999_999_999,
            (seconds >= 0 && nanos >= 0) || (seconds <= 0 && nanos <= 0)
        else {
            throw ValueProblem(.outOfRange, "duration seconds \(seconds), nanos \(nanos) is not a valid duration")
        }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(seconds.magnitude) + fraction(Int32(nanos.magnitude)) + "s"
    }

    /// Parses `1.5s`, `-0.000001s`, `90s`.
    static func parseDuration(_ text: String) throws(ValueProblem) -> (seconds: Int64, nanos: Int32) {
        let invalid = ValueProblem(
            .invalidValue, "invalid duration \(quoted(text)) (expected seconds with an s suffix, such as 1.5s)")
        var scanner = Scanner(Array(text.utf8))
        let negative = scanner.take("-")
        guard let whole = scanner.number(maxDigits: 12) else { throw invalid }
        var nanos: Int32 = 0
        if scanner.take(".") {
            guard let parsed = scanner.fraction() else { throw invalid }
            nanos = parsed
        }
        guard scanner.take("s"), scanner.isAtEnd else { throw invalid }
        guard whole <= maxDurationSeconds else {
            throw ValueProblem(.outOfRange, "duration \(quoted(text)) is longer than \(maxDurationSeconds)s")
        }
        return negative ? (-whole, -nanos) : (whole, nanos)
    }

    // MARK: Calendar

    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Nanoseconds as 0, 3, 6 or 9 fractional digits, as the JSON mapping prints them.
    static func fraction(_ nanos: Int32) -> String {
        if nanos == 0 { return "" }
        if nanos % 1_000_000 == 0 { return "." + pad(Int64(nanos / 1_000_000), 3) }
        if nanos % 1000 == 0 { return "." + pad(Int64(nanos / 1000), 6) }
        return "." + pad(Int64(nanos), 9)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A cursor over ASCII text.
    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { position == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(character.value) else { return false }
            position += 1
            return true
        }

        /// Exactly `count` decimal digits.
        mutating func digits(_ count: Int) -> Int64? {
            guard position + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[position..<(position + count)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }

        /// One to `maxDigits` decimal digits.
        mutating func number(maxDigits: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                count += 1
                if count > maxDigits { return nil }
                value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                position += 1
            }
            return count == 0 ? nil : value
        }

        /// One to nine fractional digits as nanoseconds.
        mutating func fraction() -> Int32? {
            var value: Int32 = 0
            var count = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                count += 1
                if count > 9 { return nil }
                value = value * 10 + Int32(bytes[position] - UInt8(ascii: "0"))
                position += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { value *= 10 }
            return value
        }
    }
}
