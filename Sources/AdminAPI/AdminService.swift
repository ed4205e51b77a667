// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AdminAPI

import Contracts
import Domain
import ServiceSupport

/// The operator's service: vendor and distributor accounts, and the keys of the operator, vendors
/// and distributors.
///
/// A thin layer: each method reads the caller's tenant, converts the request, runs one domain
/// operation and converts its result. The rules (who may hold which key, what a name may be)
/// live in `AccountOperations` and `CredentialOperations`; `policies` admits operator keys only.
public struct AdminService: Usageflow_V1_AdminService_SimpleServiceProtocol, Sendable {
    public let environment: DomainEnvironment
    /// Where key secrets come from and how they are hashed.
    public let hashing: any SecretHashing

    public init(environment: DomainEnvironment, hashing: any SecretHashing = CryptoSecretHashing()) {
        self.environment = environment
        self.hashing = hashing
    }

    var accounts: AccountOperations { AccountOperations(environment: environment) }
    var credentials: CredentialOperations { CredentialOperations(environment: environment, hashing: hashing) }
}
