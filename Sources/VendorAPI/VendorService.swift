// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Domain
import Glibc

/// The vendor's service: products, capabilities, items and units; contracts and listings; the
/// subscriptions of the vendor's products.
///
/// A thin layer: each method reads the caller's tenant, converts the request, runs one domain
/// operation and converts its result. Rules and tenant scoping live in the operations, so the
/// same rules hold whichever service reaches an object. The methods are spread over
/// `VendorService+<Area>.swift` files by area.
public struct VendorService: Sendable {
    public let environment: DomainEnvironment
    /// How large one usage-file upload may be.
    public let usageLimits: UsageLimits
    /// Where uploads wait, in unlinked temporary files, between the network and processing.
    public let spoolDirectory: String

    public init(environment: DomainEnvironment, usageLimits: UsageLimits = .default, spoolDirectory: String? = nil) {
        self.environment = environment
        self.usageLimits = usageLimits
        self.spoolDirectory = spoolDirectory ?? Self.defaultSpoolDirectory
    }

    /// `TMPDIR`, else `/tmp`.
    public static var defaultSpoolDirectory: String {
        guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/tmp" }
        return String(cString: value)
    }
}
