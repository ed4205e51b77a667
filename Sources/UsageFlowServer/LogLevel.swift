// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

/// How much the server writes to its log: each level includes the ones above it.
public enum LogLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Everything, including each call's peer address.
    case debug
    /// One line per call, plus start-up and shutdown.
    case info
    /// Calls that ended UNAVAILABLE, ABORTED, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED, and
    /// anything worse.
    case warn
    /// Only failures the server itself caused (UNKNOWN, INTERNAL, DATA_LOSS) and fatal errors.
    case error

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warn: 2
        case .error: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}
