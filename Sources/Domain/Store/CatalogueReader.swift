// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Reads of parties, credentials, catalogue and channel. Lists return pages in insertion order.
///
/// Lookups by id return nil for a missing object; tenant scoping is the caller's job (an
/// operation compares the owner with its tenant and answers NOT_FOUND for another's object).
public protocol CatalogueReader {
    func account(id: String) throws -> Account?
    func accounts(role: Role?, page: PageRequest) throws -> Page<Account>

    func apiKey(id: String) throws -> APIKey?
    func apiKeys(accountID: String, includeRevoked: Bool, page: PageRequest) throws -> Page<APIKey>

    func product(id: String) throws -> Product?
    func products(vendorID: String, page: PageRequest) throws -> Page<Product>

    func item(id: String) throws -> Item?
    func items(productID: String, status: ItemStatus?, page: PageRequest) throws -> Page<Item>
    func item(productID: String, name: String) throws -> Item?
    func item(productID: String, mpn: String) throws -> Item?

    /// A vendor's own unit by name (built-in units are not stored).
    func unit(vendorID: String, name: String) throws -> Unit?
    func units(vendorID: String, page: PageRequest) throws -> Page<Unit>

    func marketplace(id: String) throws -> Marketplace?
    func marketplaces(distributorID: String, page: PageRequest) throws -> Page<Marketplace>

    func contract(id: String) throws -> Contract?
    func contracts(_ filter: ContractFilter, page: PageRequest) throws -> Page<Contract>

    func listing(id: String) throws -> Listing?
    func listings(_ filter: ListingFilter, page: PageRequest) throws -> Page<Listing>

    func reseller(id: String) throws -> Reseller?
    func resellers(_ filter: ResellerFilter, page: PageRequest) throws -> Page<Reseller>

    func customer(id: String) throws -> Customer?
    func customers(_ filter: CustomerFilter, page: PageRequest) throws -> Page<Customer>

    func subscription(id: String) throws -> Subscription?
    func subscriptions(_ filter: SubscriptionFilter, page: PageRequest) throws -> Page<Subscription>

    func serviceIdentity(id: String) throws -> ServiceIdentity?
    func serviceIdentities(distributorID: String, includeRevoked: Bool, page: PageRequest) throws -> Page<ServiceIdentity>
    /// Valid (not revoked) identities pinned to this fingerprint or bound to this subject.
    func serviceIdentities(fingerprint: String, subject: String) throws -> [ServiceIdentity]

    /// Whether any stored object already has this id, so generated ids never collide.
    func isIdentifierTaken(_ id: String) throws -> Bool
}

/// Writes of parties, credentials, catalogue and channel. `insert` of an existing id, or of a
/// value that breaks a uniqueness rule, throws `DomainError.alreadyExists`; `update` or
/// `deleteItem` of a missing object throws `DomainError.notFound`.
public protocol CatalogueWriter: CatalogueReader {
    func insert(_ account: Account) throws
    func insert(_ key: APIKey) throws
    func update(_ key: APIKey) throws
    func insert(_ product: Product) throws
    func update(_ product: Product) throws
    /// Reserves the product's next item number (1, 2, …), never reused even after a delete.
    func nextItemSequence(productID: String) throws -> Int
    func insert(_ item: Item) throws
    func update(_ item: Item) throws
    /// Removes the item; a missing one throws `DomainError.notFound` (`item <id> not found`), so
    /// a delete that lost a race with another is reported, not silently repeated.
    func deleteItem(id: String) throws
    func insert(_ unit: Unit) throws
    func insert(_ marketplace: Marketplace) throws
    func insert(_ contract: Contract) throws
    func update(_ contract: Contract) throws
    func insert(_ listing: Listing) throws
    func update(_ listing: Listing) throws
    func insert(_ reseller: Reseller) throws
    func insert(_ customer: Customer) throws
    func insert(_ subscription: Subscription) throws
    func update(_ subscription: Subscription) throws
    func insert(_ identity: ServiceIdentity) throws
    func update(_ identity: ServiceIdentity) throws
}

/// Which contracts to list; nil fields do not filter.
public struct ContractFilter: Sendable, Hashable {
    public var vendorID: String?
    public var distributorID: String?
    public var marketplaceID: String?
    public var status: ContractStatus?

    public init(
        vendorID: String? = nil, distributorID: String? = nil, marketplaceID: String? = nil,
        status: ContractStatus? = nil
    ) {
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.marketplaceID = marketplaceID
        self.status = status
    }
}

/// Which listings to list; nil fields do not filter.
public struct ListingFilter: Sendable, Hashable {
    public var vendorID: String?
    public var distributorID: String?
    public var productID: String?
    public var contractID: String?
    public var marketplaceID: String?
    public var status: ListingStatus?

    public init(
        vendorID: String? = nil, distributorID: String? = nil, productID: String? = nil, contractID: String? = nil,
        marketplaceID: String? = nil, status: ListingStatus? = nil
    ) {
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.productID = productID
        self.contractID = contractID
        self.marketplaceID = marketplaceID
        self.status = status
    }
}

/// Which resellers to list; nil fields do not filter.
public struct ResellerFilter: Sendable, Hashable {
    public var distributorID: String
    public var tier: Int?
    public var parentID: String?

    public init(distributorID: String, tier: Int? = nil, parentID: String? = nil) {
        self.distributorID = distributorID
        self.tier = tier
        self.parentID = parentID
    }
}

/// Which customers to list; nil fields do not filter.
public struct CustomerFilter: Sendable, Hashable {
    public var distributorID: String
    /// Only customers of these resellers (a tier-1 reseller: itself and its tier-2 resellers).
    public var resellerIDs: [String]?
    /// Only the distributor's direct customers.
    public var directOnly: Bool

    public init(distributorID: String, resellerIDs: [String]? = nil, directOnly: Bool = false) {
        self.distributorID = distributorID
        self.resellerIDs = resellerIDs
        self.directOnly = directOnly
    }
}

/// Which subscriptions to list; nil fields do not filter.
public struct SubscriptionFilter: Sendable, Hashable {
    public var vendorID: String?
    public var distributorID: String?
    public var productID: String?
    public var customerID: String?
    /// Subscriptions billed through this reseller at tier 1 or tier 2.
    public var resellerID: String?
    public var status: SubscriptionStatus?
    public var externalID: String?

    public init(
        vendorID: String? = nil, distributorID: String? = nil, productID: String? = nil, customerID: String? = nil,
        resellerID: String? = nil, status: SubscriptionStatus? = nil, externalID: String? = nil
    ) {
        self.vendorID = vendorID
        self.distributorID = distributorID
        self.productID = productID
        self.customerID = customerID
        self.resellerID = resellerID
        self.status = status
        self.externalID = externalID
    }
}
