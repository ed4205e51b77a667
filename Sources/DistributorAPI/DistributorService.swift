// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Domain

/// The distributor's service: marketplaces, contracts, listings, resellers, customers,
/// subscriptions, service identities and reseller keys.
///
/// A thin layer: each method reads the caller's tenant, converts the request, runs one domain
/// operation and converts its result. Rules and tenant scoping live in the operations, so every
/// role that touches the same object is held to the same rules. The methods are spread over
/// `DistributorService+<Area>.swift` files by area.
public struct DistributorService: Sendable {
    public let environment: DomainEnvironment
    /// How large one reconciliation-file upload may be: `bytesPerUpload` bytes and
    /// `recordsPerFile` rows, the server's usage-file limits.
    public let usageLimits: UsageLimits
    /// Where uploads wait, in temporary files, between the network and processing; nil for
    /// `TMPDIR`, else `/tmp`.
    public let spoolDirectory: String?

    public init(environment: DomainEnvironment, usageLimits: UsageLimits = .default, spoolDirectory: String? = nil) {
        self.environment = environment
        self.usageLimits = usageLimits
        self.spoolDirectory = spoolDirectory
    }
}
