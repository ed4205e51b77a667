// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reads and writes the times of usage records: UTC only, to the microsecond.
///
/// Accepted text (SPEC §3.1, and what Connect's files contain in practice):
/// - `YYYY-MM-DD HH:MM:SS`, taken as UTC; the hour may have one digit (`2020-02-25 9:21:39`), as
///   files saved by some spreadsheet tools have it;
/// - ISO 8601 with `T` (or `t`) between date and time: `2025-03-01T00:00:00`;
/// - either form with up to six fractional second digits and an optional zone `Z`, `z` or a zero
///   offset (`+00:00`, `+0000`, `+00`).
///
/// Any other offset (`+02:00`) is refused as not UTC rather than converted: a vendor who sends
/// local times has made a mistake the distributor would bill, so it is reported, not guessed.
/// Impossible dates (`2026-02-30`) and times (`24:00:00`, leap seconds) are refused.
public enum UsageTime {
    /// Why a text is not an accepted usage time.
    public struct ParseError: Error, Sendable, Hashable {
        /// What is wrong, for the record error's code.
        enum Reason: Sendable, Hashable {
            /// The text does not follow any accepted layout.
            case malformed
            /// The layout is right but the date or time does not exist.
            case impossible
            /// A well-formed time with an offset other than zero.
            case notUTC
        }

        let reason: Reason
        /// Why, without the text itself (the caller names the column and the value).
        public let message: String
    }

    /// Reads a usage time from text, with the rules of the type's summary.
    public static func parse(_ text: some StringProtocol) throws(ParseError) -> Timestamp {
        var text = String(text)
        let result: Result<Timestamp, ParseError> = text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return Result { () throws(ParseError) in try reader.read() }
        }
        return try result.get()
    }

    /// `YYYY-MM-DD HH:MM:SS`, with `.ffffff` only when the time has microseconds.
    ///
    /// The template's own layout, so a processed file reads like the file that was uploaded.
    /// Written digit by digit into one small string: every date cell of an upload is formatted
    /// once for the row as uploaded, so this runs twice per record of a million-record file.
    public static func format(_ time: Timestamp) -> String {
        withFormattedUTF8(time) { String(decoding: $0, as: UTF8.self) }
    }

    /// Passes `body` the UTF-8 of `format(time)`, from a buffer on the stack when it can: the row
    /// as uploaded is stored with its times as text, two per record of a million-record file.
    public static func withFormattedUTF8<R>(_ time: Timestamp, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows
        -> R
    {
        let written: R?? = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            guard let count = write(time, into: buffer) else { return R?.none }
            return try body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[..<count])))
        }
        if let written, let result = written { return result }
        var text = slowFormat(time)
        return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }

    /// Writes the 19 or 26 bytes (with microseconds) of `format(time)` digit by digit into
    /// `buffer` (at least 26 bytes) and returns how many; nil for a year outside 1–9999, which
    /// `slowFormat` writes.
    private static func write(_ time: Timestamp, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let seconds = time.secondsSinceEpoch
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let micros = time.microsecondsSinceEpoch - seconds * 1_000_000
        let (year, month, day) = CivilDate.fromDays(days)
        guard (1...9999).contains(year) else { return nil }
        let count = micros == 0 ? 19 : 26
        func put(_ value: Int64, _ width: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: " ")
        put(secondOfDay / 3600, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 2, at: 17)
        if count == 26 {
            buffer[19] = UInt8(ascii: ".")
            put(micros, 6, at: 20)
        }
        return count
    }

    /// `format` through `Timestamp.description`, for years outside 1–9999, which no accepted text
    /// produces but a wire timestamp may.
    private static func slowFormat(_ time: Timestamp) -> String {
        let text = time.description  // YYYY-MM-DDTHH:MM:SS.ffffffZ
        let seconds = text.dropLast(8)  // drop ".ffffffZ"
        let micros = text.dropFirst(text.count - 7).dropLast()
        let date = seconds.prefix { $0 != "T" }
        let clock = seconds.dropFirst(date.count + 1)
        let base = "\(date) \(clock)"
        return micros.allSatisfy { $0 == "0" } ? base : "\(base).\(micros)"
    }
}

extension UsageTime {
    /// A cursor over the bytes of one time text.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func read() throws(ParseError) -> Timestamp {
            guard let year = digits(exactly: 4), literal("-"), let month = digits(exactly: 2), literal("-"),
                let day = digits(exactly: 2)
            else { throw malformed }
            guard literal("T") || literal("t") || literal(" ") else { throw malformed }
            guard let hour = digits(from: 1, to: 2), literal(":"), let minute = digits(exactly: 2), literal(":"),
                let second = digits(exactly: 2)
            else { throw malformed }
            var micros: Int64 = 0
            if literal(".") {
                var count = 0
                while let digit = digit() {
                    guard count < 6 else {
                        throw ParseError(reason: .malformed, message: "has more than 6 fractional second digits")
                    }
                    micros = micros * 10 + digit
                    count += 1
                }
                guard count > 0 else { throw malformed }
                for _ in count..<6 { micros *= 10 }
            }
            try readZone()
            guard index == bytes.count else { throw malformed }

            guard (1...12).contains(month), day >= 1, day <= UsageTime.daysIn(month: month, year: year), year >= 1
            else {
                throw ParseError(reason: .impossible, message: "is not a date that exists")
            }
            guard hour < 24, minute < 60, second < 60 else {
                throw ParseError(reason: .impossible, message: "is not a time of day that exists")
            }
            let days = CivilDate.toDays(year: year, month: month, day: day)
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
            return Timestamp(microsecondsSinceEpoch: seconds * 1_000_000 + micros)
        }

        /// An optional `Z`, `z`, or `±HH[:MM]` offset, which must be zero.
        private mutating func readZone() throws(ParseError) {
            guard index < bytes.count else { return }
            if literal("Z") || literal("z") { return }
            guard literal("+") || literal("-") else { throw malformed }
            guard let hours = digits(exactly: 2) else { throw malformed }
            var minutes: Int64 = 0
            if index < bytes.count {
                _ = literal(":")
                guard let value = digits(exactly: 2) else { throw malformed }
                minutes = value
            }
            guard hours == 0 && minutes == 0 else {
                throw ParseError(reason: .notUTC, message: "has a UTC offset other than zero; times must be in UTC")
            }
        }

        private var malformed: ParseError {
            ParseError(
                reason: .malformed,
                message: "is not a time in UTC; write YYYY-MM-DD HH:MM:SS or ISO 8601 such as 2025-03-01T00:00:00Z")
        }

        private mutating func literal(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        private mutating func digit() -> Int64? {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                return nil
            }
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        private mutating func digits(exactly count: Int) -> Int64? {
            digits(from: count, to: count)
        }

        private mutating func digits(from minimum: Int, to maximum: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while count < maximum, let digit = digit() {
                value = value * 10 + digit
                count += 1
            }
            return count >= minimum ? value : nil
        }
    }

    /// The days of `month` in `year` of the proleptic Gregorian calendar.
    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
