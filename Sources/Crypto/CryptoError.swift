// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto

/// A cryptographic operation that could not be done.
///
/// A struct over a private code enum, so new kinds of failure never break callers that match on
/// the public static codes. `message` names the operation and the OpenSSL reason; it holds no key
/// material, but it is meant for the log, not for a remote client.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable {
            case randomnessUnavailable
        }
        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        /// The random generator could not produce output (it is not seeded, or the operating
        /// system's entropy source failed).
        public static let randomnessUnavailable = Code(.randomnessUnavailable)

        public var description: String {
            switch raw {
            case .randomnessUnavailable: "secure randomness unavailable"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// Which operation failed and why.
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
