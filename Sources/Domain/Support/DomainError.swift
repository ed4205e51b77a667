// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A request the domain refuses, or a failure below it, with a message safe to show the caller.
///
/// A struct over a private code, so new kinds of failure never break a caller's `switch`;
/// ServiceSupport maps each kind to one gRPC status in one place.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for mapping and tests.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: Sendable, Hashable {
            case invalidArgument, notFound, alreadyExists, failedPrecondition, permissionDenied
            case aborted, unavailable, resourceExhausted, internalFailure
        }

        fileprivate let code: Code

        /// A field value is malformed or out of range (INVALID_ARGUMENT with field violations).
        public static let invalidArgument = Kind(code: .invalidArgument)
        /// No such object visible to the caller: it does not exist or belongs to another tenant.
        public static let notFound = Kind(code: .notFound)
        /// A unique name, MPN, external id… is already taken.
        public static let alreadyExists = Kind(code: .alreadyExists)
        /// The object is not in a state that allows the action; the message names the state.
        public static let failedPrecondition = Kind(code: .failedPrecondition)
        /// The caller may see the object but not do this to it.
        public static let permissionDenied = Kind(code: .permissionDenied)
        /// A write conflicted with another; retrying may succeed.
        public static let aborted = Kind(code: .aborted)
        /// Storage is busy or closed; retrying later may succeed.
        public static let unavailable = Kind(code: .unavailable)
        /// A limit was reached, or the disk is full.
        public static let resourceExhausted = Kind(code: .resourceExhausted)
        /// A bug or an unexpected storage failure; the message is generic and the cause is logged.
        public static let internalFailure = Kind(code: .internalFailure)

        public var description: String {
            switch code {
            case .invalidArgument: "invalid argument"
            case .notFound: "not found"
            case .alreadyExists: "already exists"
            case .failedPrecondition: "failed precondition"
            case .permissionDenied: "permission denied"
            case .aborted: "aborted"
            case .unavailable: "unavailable"
            case .resourceExhausted: "resource exhausted"
            case .internalFailure: "internal failure"
            }
        }
    }

    public let kind: Kind
    /// Safe to show the caller: never SQL, C library text or another tenant's data.
    public let message: String
    /// For invalid arguments: which fields are wrong and why.
    public let violations: [FieldViolation]
    /// For internal failures: what went wrong, for the log only.
    public let cause: String?

    public init(kind: Kind, message: String, violations: [FieldViolation] = [], cause: String? = nil) {
        self.kind = kind
        self.message = message
        self.violations = violations
        self.cause = cause
    }

    public var description: String { "\(kind): \(message)" + (cause.map { " (\($0))" } ?? "") }

    /// One or more fields are invalid; the message lists them.
    public static func invalid(_ violations: [FieldViolation]) -> DomainError {
        let summary = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        return DomainError(kind: .invalidArgument, message: summary, violations: violations)
    }

    public static func invalid(field: String, _ description: String) -> DomainError {
        invalid([FieldViolation(field: field, description: description)])
    }

    /// `product PRD-123-456-789 not found`: the same answer whether it is missing or another tenant's.
    public static func notFound(_ noun: String, _ id: String) -> DomainError {
        DomainError(kind: .notFound, message: "\(noun) \(id) not found")
    }

    public static func alreadyExists(_ message: String, field: String? = nil) -> DomainError {
        DomainError(
            kind: .alreadyExists, message: message,
            violations: field.map { [FieldViolation(field: $0, description: message)] } ?? [])
    }

    /// `item PRD-…-0001 is published; only draft items can be deleted`.
    public static func wrongState(_ message: String) -> DomainError {
        DomainError(kind: .failedPrecondition, message: message)
    }

    public static func permissionDenied(_ message: String) -> DomainError {
        DomainError(kind: .permissionDenied, message: message)
    }

    /// `the database is busy; try again later`: a retry later may succeed. `cause` is for the log.
    public static func unavailable(_ message: String, cause: String? = nil) -> DomainError {
        DomainError(kind: .unavailable, message: message, cause: cause)
    }

    /// `the storage is full`, or a limit such as a product's item numbers is used up. `cause` is
    /// for the log.
    public static func resourceExhausted(_ message: String, cause: String? = nil) -> DomainError {
        DomainError(kind: .resourceExhausted, message: message, cause: cause)
    }

    public static func internalFailure(_ cause: String) -> DomainError {
        DomainError(kind: .internalFailure, message: "internal error", cause: cause)
    }
}

/// One invalid field of a request: the field's path as the API names it and what is wrong.
public struct FieldViolation: Sendable, Hashable {
    /// The request field, in the proto's snake_case path: `capabilities.schema`, `parameters[2].name`.
    public var field: String
    public var description: String

    public init(field: String, description: String) {
        self.field = field
        self.description = description
    }
}
