// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

#if canImport(Glibc)
import Glibc
#endif

/// A point in time in UTC, to the microsecond.
///
/// Microseconds are what SQLite stores exactly in an INTEGER column and what a protobuf Timestamp
/// carries without loss, so the domain never rounds a time between the wire and the disk.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = secondsSinceEpoch * 1_000_000
    }

    public var secondsSinceEpoch: Int64 {
        microsecondsSinceEpoch >= 0 ? microsecondsSinceEpoch / 1_000_000 : (microsecondsSinceEpoch - 999_999) / 1_000_000
    }

    /// The sub-second part in nanoseconds (0…999,999,000).
    public var nanosecondsOfSecond: Int32 {
        Int32((microsecondsSinceEpoch - secondsSinceEpoch * 1_000_000) * 1000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// ISO 8601 in UTC with a `Z`, e.g. `2025-03-01T00:00:00.000000Z`.
    public var description: String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let (year, month, day) = CivilDate.fromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micros = microsecondsSinceEpoch - secondsSinceEpoch * 1_000_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(micros, 6))Z"
    }
}

/// Where the domain gets the current time; tests inject a fixed or stepping clock.
public protocol DomainClock: Sendable {
    func now() -> Timestamp
}

/// The system's real-time clock.
public struct SystemClock: DomainClock {
    public init() {}

    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}
