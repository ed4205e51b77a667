// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Authorization

/// Why a call was refused before it reached its operation.
public struct AuthorizationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No credential, or one that is unknown, malformed or revoked.
        case unauthenticated
        /// A valid credential of the wrong kind, or a read-only key on a write.
        case permissionDenied
    }

    public let kind: Kind
    /// Safe to show: never says whether an unknown key id exists.
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public static func unauthenticated(_ message: String) -> AuthorizationError {
        AuthorizationError(kind: .unauthenticated, message: message)
    }

    public static func permissionDenied(_ message: String) -> AuthorizationError {
        AuthorizationError(kind: .permissionDenied, message: message)
    }

    public var description: String { "\(kind): \(message)" }
}
