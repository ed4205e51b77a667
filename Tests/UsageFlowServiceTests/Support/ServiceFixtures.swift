// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import Synchronization
import Testing
import WellKnownTypes

// Fixtures every service test uses: a clock, a server context as authentication leaves it,
// request and page shortcuts, and expectations for refused calls and their BadRequest details.

/// A clock that moves one second on every reading, so every change has its own time.
final class SteppingClock: DomainClock {
    private let seconds = Mutex<Int64>(1_767_225_600)  // 2026-01-01T00:00:00Z

    func now() -> Timestamp {
        seconds.withLock { value in
            value += 1
            return Timestamp(secondsSinceEpoch: value)
        }
    }
}

/// The stepping clock under the name the usage-file fixtures use.
typealias ChannelSteppingClock = SteppingClock

extension Tenant {
    /// The principal a full-scope API key of this tenant authenticates as.
    var principal: Principal { Principal(tenant: self, credential: .apiKey(id: "KEY-0000-0001"), scope: .full) }
}

/// A server context for `method` as the authentication interceptor leaves it for `tenant` (a
/// full-scope API key), or without a principal when `tenant` is nil; for calling a service's
/// methods directly, without a router.
func serviceContext(_ method: MethodSchema, as tenant: Tenant?) -> ServerContext {
    var context = ServerContext(method: method, requestMetadata: [:], peer: Peer(address: "in-process"), deadline: nil)
    if let tenant { context.values[PrincipalKey.self] = tenant.principal }
    return context
}

/// An `IdRequest` for `id`.
func idRequest(_ id: String) -> Usageflow_V1_IdRequest {
    var request = Usageflow_V1_IdRequest()
    request.id = id
    return request
}

/// Every element of a paged store list, read page by page.
func allPages<T>(_ list: (PageRequest) throws -> Page<T>) throws -> [T] {
    var elements: [T] = []
    var page = try list(PageRequest(size: Limits.maxPageSize))
    elements += page.items
    while let after = page.nextAfter {
        page = try list(PageRequest(size: Limits.maxPageSize, after: after))
        elements += page.items
    }
    return elements
}

/// Runs a call that must fail with `code` (and `message` when given) and returns the status a
/// client sees: a client call's `RPCError`, or the status a service's error maps to.
@discardableResult
func expectRPCError<T>(
    _ code: Status.Code, _ message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> RPCError? {
    do {
        _ = try await body()
        Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch {
        guard let convertible = error as? any RPCErrorConvertible else {
            Issue.record("expected \(code), got a non-status error \(error)", sourceLocation: sourceLocation)
            return nil
        }
        let rpcError = convertible.rpcError
        #expect(rpcError.code == code, "\(rpcError)", sourceLocation: sourceLocation)
        if let message { #expect(rpcError.message == message, sourceLocation: sourceLocation) }
        return rpcError
    }
}

/// The field violations of a status's `google.rpc.BadRequest` detail; empty without details.
///
/// Also checks that the details repeat the status's code and message and carry nothing but
/// BadRequest, as the error mapping promises.
func fieldViolations(
    _ error: RPCError?, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [Google_Rpc_BadRequest.FieldViolation] {
    guard let details = error?.statusDetails else { return [] }
    let status = try Google_Rpc_Status(serializedBytes: details)
    #expect(status.code == Int32(error?.code.rawValue ?? 0), sourceLocation: sourceLocation)
    #expect(status.message == error?.message, sourceLocation: sourceLocation)
    var violations: [Google_Rpc_BadRequest.FieldViolation] = []
    for any in status.details {
        #expect(any.typeUrl == "type.googleapis.com/google.rpc.BadRequest", sourceLocation: sourceLocation)
        violations += try Google_Rpc_BadRequest(serializedBytes: any.value).fieldViolations
    }
    return violations
}

/// The fields of a status's `google.rpc.BadRequest` violations, in order.
func badRequestViolations(_ error: RPCError?, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
    try fieldViolations(error, sourceLocation: sourceLocation).map(\.field)
}
