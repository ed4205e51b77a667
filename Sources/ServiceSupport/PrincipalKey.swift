// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Authorization
import Domain
import ProtoWire
import RPCCore

/// The context key under which the authentication interceptor leaves the caller's principal.
public enum PrincipalKey: ContextKey {
    public typealias Value = Principal
}

extension ServerContext {
    /// The authenticated caller, if the interceptor found a valid credential.
    public var principal: Principal? { values[PrincipalKey.self] }

    /// The caller's tenant. The interceptor has already applied the method's policy, so a handler
    /// reaching this without a principal is a wiring bug, answered UNAUTHENTICATED rather than trusted.
    public func tenant() throws(AuthorizationError) -> Tenant {
        guard let principal else { throw .unauthenticated("\(method.path) requires a credential") }
        return principal.tenant
    }
}
