// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain
import ProtoWire
import RPCCore
import ServiceSupport

/// Logs one JSON line per call and turns unexpected errors into a generic UNKNOWN.
///
/// It runs first, around authentication, so refused calls are logged too. It gives each call a
/// request id, echoed to the client in the `x-request-id` trailer, so a client's error report can
/// be matched with the line that holds the cause. Errors the seam does not know become UNKNOWN
/// with a generic message naming the request id; their description goes to the log only, never
/// to the client.
///
/// Install `principalRecorder` after the authentication interceptor: the principal is attached
/// to the inner call, which this interceptor does not see, so the recorder reports it back.
public struct CallLogInterceptor: ServerInterceptor {
    private let log: EventLog
    private let ids: RequestIDGenerator

    public init(log: EventLog, ids: RequestIDGenerator = RequestIDGenerator()) {
        self.log = log
        self.ids = ids
    }

    /// The interceptor to install after authentication, which records the caller for the log line.
    public var principalRecorder: any ServerInterceptor { PrincipalRecorder() }

    public func intercept(
        _ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata
    ) async throws -> Metadata {
        let start = ContinuousClock.now
        let requestID = ids.next()
        let record = CallRecord()
        var call = call
        call.context.values[RequestIDKey.self] = requestID
        call.context.values[CallRecordKey.self] = record
        do {
            var trailers = try await next(call)
            trailers.add("x-request-id", requestID)
            write(call, requestID: requestID, code: .ok, cause: nil, record: record, start: start)
            return trailers
        } catch {
            var (rpcError, cause) = Self.clientError(for: error, requestID: requestID)
            rpcError.metadata.add("x-request-id", requestID)
            write(call, requestID: requestID, code: rpcError.code, cause: cause, record: record, start: start)
            throw rpcError
        }
    }

    /// The error the client sees, and the cause to log when the server is at fault.
    static func clientError(for error: any Error, requestID: String) -> (RPCError, cause: String?) {
        if let domainError = error as? DomainError, domainError.kind == .internalFailure {
            let rpcError = RPCError(
                code: .internal, message: "the server failed to handle the call (request id \(requestID))")
            return (rpcError, domainError.cause ?? domainError.message)
        }
        if error is any RPCErrorConvertible || error is CancellationError {
            let rpcError = RPCError.from(error)
            let cause = rpcError.code == .unknown || rpcError.code == .internal ? String(describing: error) : nil
            return (rpcError, cause)
        }
        let rpcError = RPCError(code: .unknown, message: "the server failed to handle the call (request id \(requestID))")
        return (rpcError, String(describing: error))
    }

    private func write(
        _ call: ServerCall, requestID: String, code: Status.Code, cause: String?, record: CallRecord,
        start: ContinuousClock.Instant
    ) {
        let level = Self.level(for: code)
        guard log.isEnabled(level) else { return }
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        var fields: [(key: String, value: EventLog.Value)] = [
            ("request_id", .string(requestID)),
            ("method", .string(call.context.method.path)),
            ("principal", .string(record.principal.map { "\($0)" } ?? "-")),
            ("status", .string(code.description)),
            ("duration_us", .integer(micros)),
        ]
        if log.isEnabled(.debug) { fields.append(("peer", .string(call.context.peer.address))) }
        if let cause { fields.append(("cause", .string(cause))) }
        log.log(level, "call", fields: fields)
    }

    /// Info for answers the client caused; warn for overload and timeouts; error for the
    /// server's own failures.
    static func level(for code: Status.Code) -> LogLevel {
        switch code {
        case .unknown, .internal, .dataLoss: .error
        case .unavailable, .aborted, .resourceExhausted, .deadlineExceeded: .warn
        default: .info
        }
    }
}
