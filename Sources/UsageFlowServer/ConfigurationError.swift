// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

/// A flag or environment variable the server cannot use, with a message that names it.
///
/// A struct over a private code so new kinds never break callers. The executable prints the
/// message and exits with status 2 (a usage error), so the message alone must say what to fix.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for tests and for callers that treat some kinds differently.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: Sendable, Hashable {
            case unknownFlag, missingValue, invalidValue, conflict, unreadableFile
        }

        fileprivate let code: Code

        /// A flag the command does not have.
        public static let unknownFlag = Kind(code: .unknownFlag)
        /// A flag given without the value it needs.
        public static let missingValue = Kind(code: .missingValue)
        /// A value that does not parse or is out of range.
        public static let invalidValue = Kind(code: .invalidValue)
        /// Two settings that cannot go together, such as `--h2c` and `--tls-cert`.
        public static let conflict = Kind(code: .conflict)
        /// A certificate, key or CA file that does not exist or cannot be read.
        public static let unreadableFile = Kind(code: .unreadableFile)

        public var description: String {
            switch code {
            case .unknownFlag: "unknown flag"
            case .missingValue: "missing value"
            case .invalidValue: "invalid value"
            case .conflict: "conflict"
            case .unreadableFile: "unreadable file"
            }
        }
    }

    public let kind: Kind
    /// The flag at fault as the user wrote it (`--address`), or the environment variable.
    public let flag: String
    /// The whole explanation, starting with the flag.
    public let message: String

    public init(_ kind: Kind, flag: String, _ problem: String) {
        self.kind = kind
        self.flag = flag
        self.message = "\(flag): \(problem)"
    }

    public var description: String { message }
}
