// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain
import SQLite

/// Turns SQLite failures into `DomainError`s: the one place storage decides what a client hears.
///
/// Messages name the object, never SQL, table or constraint text; the SQLite error itself goes into
/// `cause`, which only the log sees.
enum StorageFailure {
    /// A unique constraint the caller can name, recognised by the columns SQLite reports
    /// ("UNIQUE constraint failed: items.product_id, items.name").
    struct Uniqueness {
        /// The columns as SQLite lists them, such as `items.product_id, items.name`.
        var columns: String
        var message: String
        /// The request field the duplicate came from, if one did.
        var field: String?
    }

    /// The domain's view of `error`; anything that is not an `SQLiteError` is returned unchanged,
    /// so a closure's own errors pass through.
    static func mapped(_ error: any Error) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        return domainError(error)
    }

    /// The domain's view of an SQLite failure while storing `noun` `id`; a unique violation names
    /// the object, or the rule among `uniqueness` whose columns SQLite reports.
    static func domainError(
        _ error: SQLiteError, noun: String? = nil, id: String? = nil, uniqueness: [Uniqueness] = []
    ) -> DomainError {
        if error.isUniqueConstraint {
            let columns = constraintColumns(error.message)
            if let rule = uniqueness.first(where: { rule in columns.map { $0 == rule.columns } ?? false }) {
                return DomainError(
                    kind: .alreadyExists, message: rule.message,
                    violations: rule.field.map { [FieldViolation(field: $0, description: rule.message)] } ?? [],
                    cause: error.description)
            }
            let message: String
            switch (noun, id) {
            case (let noun?, let id?): message = "\(noun) \(id) already exists"
            case (let noun?, nil): message = "this \(noun) already exists"
            default: message = "the object already exists"
            }
            return DomainError(kind: .alreadyExists, message: message, cause: error.description)
        }
        if error.isBusy || error.isLocked {
            return DomainError.unavailable("the database is busy; try again later", cause: error.description)
        }
        if error.code == .closed {
            return DomainError.unavailable("the database is closed", cause: error.description)
        }
        if error.isFull {
            return DomainError.resourceExhausted("the storage is full", cause: error.description)
        }
        return DomainError.internalFailure(error.description)
    }

    /// The columns a UNIQUE failure names: what follows "UNIQUE constraint failed: ".
    static func constraintColumns(_ message: String) -> Substring? {
        let prefix = "UNIQUE constraint failed: "
        guard message.hasPrefix(prefix) else { return nil }
        return message.dropFirst(prefix.count)
    }

    /// A stored value the mapping cannot read back: a schema and code out of step, or a damaged file.
    static func unreadable(column: String, value: String) -> DomainError {
        DomainError.internalFailure("column \(column) holds \(value), which no case of the model matches")
    }
}
