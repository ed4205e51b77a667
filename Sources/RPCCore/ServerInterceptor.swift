// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// Code that runs around every call: authentication, logging, metrics.
///
/// An interceptor may change the call (attach context values), answer it itself by throwing, or
/// pass it on with `next`. It returns the trailing metadata of the call.
public protocol ServerInterceptor: Sendable {
    func intercept(
        _ call: ServerCall,
        next: @Sendable (ServerCall) async throws -> Metadata
    ) async throws -> Metadata
}
