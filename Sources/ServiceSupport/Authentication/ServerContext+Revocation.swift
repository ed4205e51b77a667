// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Authorization
import RPCCore

extension ServerContext {
    /// Tells this server's authentication that `credential` was just revoked, so the next call
    /// presenting it is refused at once instead of when its cache entry expires.
    ///
    /// Revoking handlers call it after the revocation is committed. A call that did not pass
    /// through the `AuthenticationInterceptor` has no cache to tell, and this does nothing.
    public func credentialRevoked(_ credential: Principal.Credential) {
        values[CredentialCacheKey.self]?.revoked(credential)
    }
}
