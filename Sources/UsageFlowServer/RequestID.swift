// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import RPCCore
import Synchronization

/// The context key under which the call log leaves the call's request id, for handlers that
/// want to mention it.
public enum RequestIDKey: ContextKey {
    public typealias Value = String
}

extension ServerContext {
    /// The id the server gave this call (also sent to the client as `x-request-id`).
    public var requestID: String? { values[RequestIDKey.self] }
}

/// Makes request ids: a random 32-bit prefix per server start and a counter, as 16 hex digits.
///
/// Unique within a process without a system call per call (the counter), and across restarts
/// with high probability (the prefix); sortable by arrival within one run, which helps reading
/// a log.
public final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    public init(prefix: UInt32 = UInt32.random(in: .min ... .max)) {
        self.prefix = Self.hex(UInt64(prefix), width: 8)
    }

    public func next() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        return prefix + Self.hex(value & 0xFFFF_FFFF, width: 8)
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
