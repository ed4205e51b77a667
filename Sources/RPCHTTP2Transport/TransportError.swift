// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import Glibc

/// A failure of the socket layer, with the system call and errno that caused it.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }

    static func system(_ call: String, _ code: Int32) -> TransportError {
        TransportError("\(call) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}
