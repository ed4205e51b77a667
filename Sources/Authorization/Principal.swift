// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Authorization

import Domain

/// Who is calling, once authentication has checked the credential.
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// How the caller proved who it is.
    public enum Credential: Sendable, Hashable {
        /// An API key, by id (`KEY-dddd-dddd`).
        case apiKey(id: String)
        /// A distributor's service identity, by id (`SI-ddd-ddd`), over mutual TLS.
        case serviceIdentity(id: String)
    }

    /// The party the call acts for; operations scope every read and write to it.
    public var tenant: Tenant
    public var credential: Credential
    /// Service identities are always `full`: they exist to write reconciliations.
    public var scope: KeyScope

    public init(tenant: Tenant, credential: Credential, scope: KeyScope) {
        self.tenant = tenant
        self.credential = credential
        self.scope = scope
    }

    /// What a policy looks at.
    public var kind: PrincipalKind {
        switch (tenant, credential) {
        case (.operator, _): .operator
        case (.vendor, _): .vendor
        case (.distributor, .serviceIdentity): .serviceIdentity
        case (.distributor, .apiKey): .distributor
        case (.reseller, _): .reseller
        }
    }

    /// `vendor VA-123-456 (key KEY-1234-5678, full)`, for logs.
    public var description: String {
        let credentialText: String
        switch credential {
        case .apiKey(let id): credentialText = "key \(id)"
        case .serviceIdentity(let id): credentialText = "service identity \(id)"
        }
        return "\(kind.rawValue) \(tenant.actor) (\(credentialText), \(scope.rawValue))"
    }
}

/// The kinds of caller a policy can admit.
public enum PrincipalKind: String, Sendable, Hashable, CaseIterable {
    case `operator`, vendor, distributor, reseller
    /// A distributor's service identity authenticated by its client certificate.
    case serviceIdentity = "service identity"
}
