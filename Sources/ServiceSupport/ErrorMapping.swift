// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import WellKnownTypes

// The one seam from what went wrong to what the client sees (STYLE "One seam from errors to
// status"). Anything else a handler throws reaches the client as UNKNOWN with a generic message.

extension DomainError: RPCErrorConvertible {
    public var rpcError: RPCError {
        let code: Status.Code
        switch kind {
        case .invalidArgument: code = .invalidArgument
        case .notFound: code = .notFound
        case .alreadyExists: code = .alreadyExists
        case .failedPrecondition: code = .failedPrecondition
        case .permissionDenied: code = .permissionDenied
        case .aborted: code = .aborted
        case .unavailable: code = .unavailable
        case .resourceExhausted: code = .resourceExhausted
        default: code = .internal
        }
        guard !violations.isEmpty else { return RPCError(code: code, message: message) }
        return RPCError(
            code: code, message: message,
            statusDetails: ErrorDetails.badRequest(code: code, message: message, violations: violations))
    }
}

extension DomainError {
    /// The status this error answers a call with, as a `google.rpc.Status` message, field
    /// violations included: the per-item result of a bulk call (a close, a billing mark) that
    /// failed on its own, so a client reads it exactly as it reads a failed single call.
    public var rpcStatus: Google_Rpc_Status {
        let rpcError = rpcError
        if let details = rpcError.statusDetails, let status = try? Google_Rpc_Status(serializedBytes: details) {
            return status
        }
        var status = Google_Rpc_Status()
        status.code = Int32(rpcError.code.rawValue)
        status.message = rpcError.message
        return status
    }
}

extension AuthorizationError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch kind {
        case .unauthenticated: RPCError(code: .unauthenticated, message: message)
        case .permissionDenied: RPCError(code: .permissionDenied, message: message)
        }
    }
}

/// Builds `grpc-status-details-bin` payloads.
public enum ErrorDetails {
    /// A serialized `google.rpc.Status` carrying one `google.rpc.BadRequest` with the violations.
    public static func badRequest(code: Status.Code, message: String, violations: [FieldViolation]) -> [UInt8] {
        var badRequest = Google_Rpc_BadRequest()
        badRequest.fieldViolations = violations.map { violation in
            var field = Google_Rpc_BadRequest.FieldViolation()
            field.field = violation.field
            field.description = violation.description
            return field
        }
        var any = Google_Protobuf_Any()
        any.typeUrl = "type.googleapis.com/google.rpc.BadRequest"
        any.value = badRequest.serializedBytes()
        var status = Google_Rpc_Status()
        status.code = Int32(code.rawValue)
        status.message = message
        status.details = [any]
        return status.serializedBytes()
    }
}
