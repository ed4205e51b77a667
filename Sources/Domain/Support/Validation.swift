// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Collects every field violation of a request before refusing it, so a caller fixes all of them
/// in one round trip instead of one per call.
public struct Validation: Sendable {
    public private(set) var violations: [FieldViolation] = []

    public init() {}

    public mutating func fail(_ field: String, _ description: String) {
        violations.append(FieldViolation(field: field, description: description))
    }

    /// A required name: 1…`maxLength` characters, no control characters, not only spaces.
    public mutating func name(_ field: String, _ value: String, maxLength: Int = Limits.nameLength) {
        if value.allSatisfy({ $0 == " " }) {
            fail(field, "is required")
        } else {
            text(field, value, maxLength: maxLength)
        }
    }

    /// Optional text: at most `maxLength` characters, no control characters other than newlines and tabs.
    public mutating func text(_ field: String, _ value: String, maxLength: Int, allowNewlines: Bool = false) {
        let count = value.count
        if count > maxLength {
            fail(field, "must be at most \(maxLength) characters (got \(count))")
        }
        if value.unicodeScalars.contains(where: { scalar in
            let isControl = scalar.value < 0x20 || scalar.value == 0x7F
            return isControl && !(allowNewlines && (scalar == "\n" || scalar == "\t" || scalar == "\r"))
        }) {
            fail(field, "must not contain control characters")
        }
    }

    /// Throws `DomainError.invalid` when anything failed.
    public func check() throws(DomainError) {
        if !violations.isEmpty { throw DomainError.invalid(violations) }
    }
}

/// Field limits shared by every service (Connect's where it states them).
public enum Limits {
    /// Names of accounts, products, items, marketplaces, resellers, customers, parameters.
    public static let nameLength = 255
    /// Acceptance, rejection, decline and termination notes.
    public static let noteLength = 200
    public static let descriptionLength = 2000
    /// Units of measure.
    public static let unitLength = 64
    /// External ids and parameter values.
    public static let externalIDLength = 255
    public static let maxParameters = 100
    /// The largest page a list RPC returns; a page size of 0 means `defaultPageSize`.
    public static let maxPageSize = 1000
    public static let defaultPageSize = 100
}
