// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Domain

/// The vendor's service: products, capabilities, items and units; contracts and listings; the
/// subscriptions of the vendor's products.
///
/// A thin layer: each method reads the caller's tenant, converts the request, runs one domain
/// operation and converts its result. Rules and tenant scoping live in the operations, so the
/// same rules hold whichever service reaches an object. The methods are spread over
/// `VendorService+<Area>.swift` files by area.
public struct VendorService: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }
}
