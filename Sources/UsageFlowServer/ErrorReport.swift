// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Contracts
import ProtoWire
import RPCCore
import WellKnownTypes

/// What the `usageflow` client prints for a failed call.
///
/// `error: <STATUS>: <message>` on the first line, then one indented line per field violation
/// from the `google.rpc.BadRequest` in `grpc-status-details-bin`, so a person sees every field to
/// fix at once, and a script can match the status name.
public enum ErrorReport {
    /// The report for an error status, ending with a newline.
    public static func render(_ error: RPCError) -> String {
        var text = "error: \(error.code): \(error.message)\n"
        for violation in fieldViolations(error.statusDetails) {
            let field = violation.field.isEmpty ? "(request)" : violation.field
            text += "  \(field): \(violation.description)\n"
        }
        return text
    }

    /// The field violations carried by a serialized `google.rpc.Status`, in order; none when
    /// there are no details or they do not decode.
    public static func fieldViolations(_ statusDetails: [UInt8]?) -> [(field: String, description: String)] {
        guard let statusDetails, let status = try? Google_Rpc_Status(serializedBytes: statusDetails) else { return [] }
        var violations: [(field: String, description: String)] = []
        for detail in status.details where detail.typeUrl.hasSuffix("/google.rpc.BadRequest") {
            guard let badRequest = try? Google_Rpc_BadRequest(serializedBytes: detail.value) else { continue }
            for violation in badRequest.fieldViolations {
                violations.append((violation.field, violation.description))
            }
        }
        return violations
    }
}
