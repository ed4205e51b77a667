// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain
import Glibc

/// The server's log: one JSON object per line, filtered by level.
///
/// JSON lines because every log shipper reads them without a parser per format; one `write`
/// per line so lines from concurrent calls never interleave (writes below the pipe buffer size
/// are atomic). Callers pass only values that are safe to keep: never a key, a token or a
/// request body.
public struct EventLog: Sendable {
    /// One value of a log line.
    public enum Value: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case string(String)
        case integer(Int64)
        case bool(Bool)

        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int64) { self = .integer(value) }
    }

    /// The least severe level written.
    public let level: LogLevel
    private let sink: @Sendable (String) -> Void
    private let clock: any DomainClock

    /// A log that hands each finished line (with its newline) to `sink`.
    public init(level: LogLevel, clock: any DomainClock = SystemClock(), sink: @escaping @Sendable (String) -> Void) {
        self.level = level
        self.clock = clock
        self.sink = sink
    }

    /// A log on standard error, where diagnostics go, leaving standard output to what a person
    /// asked for (the demo tenant set).
    public static func standardError(level: LogLevel) -> EventLog {
        EventLog(level: level) { line in
            var line = line
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// A log that writes nothing.
    public static let disabled = EventLog(level: .error) { _ in }

    /// Whether a line of `level` would be written; check it before building costly fields.
    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Writes `{"time":…,"level":…,"msg":…, fields…}` when `level` is enabled.
    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, Value> = [:]) {
        guard isEnabled(level) else { return }
        log(level, message, fields: Array(fields))
    }

    /// The same, with fields built at run time.
    public func log(_ level: LogLevel, _ message: String, fields: [(key: String, value: Value)]) {
        guard isEnabled(level) else { return }
        var line = JSONLine()
        line.add("time", .string(clock.now().description))
        line.add("level", .string(level.rawValue))
        line.add("msg", .string(message))
        for (key, value) in fields { line.add(key, value) }
        sink(line.finished())
    }
}
