// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// Turns spreadsheet errors into domain errors at the module's edge.
///
/// A file that cannot be read is the uploader's problem: `invalidArgument`, whose message becomes
/// the usage file's error detail. Failing to read or write our own spooled file is the server's:
/// an internal failure, so the upload is abandoned and the file keeps its previous records.
enum IngestFailure {
    static func invalid(_ message: String) -> DomainError {
        DomainError(kind: .invalidArgument, message: message, violations: [FieldViolation(field: "file", description: message)])
    }

    static func domainError(_ error: SpreadsheetError, context: String? = nil) -> DomainError {
        if ["io.open", "io.read", "io.write"].contains(error.code) {
            return DomainError.internalFailure(error.description)
        }
        return invalid((context.map { "\($0): " } ?? "") + error.message)
    }

    static func mapping<Result>(
        context: String? = nil, _ body: () throws(SpreadsheetError) -> Result
    ) throws(DomainError) -> Result {
        do {
            return try body()
        } catch {
            throw domainError(error, context: context)
        }
    }
}
