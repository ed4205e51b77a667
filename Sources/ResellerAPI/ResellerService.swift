// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI

import Contracts
import Domain

/// The reseller's service: its tier-2 resellers (when its distributor allows them), its customers
/// and their subscriptions.
///
/// A thin layer over the domain operations, which scope every call to the reseller acting: a
/// tier-1 reseller sees its own customers and those of its tier-2 resellers, a tier-2 reseller
/// only its own; anything else answers NOT_FOUND.
public struct ResellerService: Usageflow_V1_ResellerService_SimpleServiceProtocol, Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }
}
