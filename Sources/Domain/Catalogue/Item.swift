// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// How an item is sold.
public enum ItemType: String, Sendable, Hashable, CaseIterable {
    /// Pay-as-you-go: billed from usage records; needs the product's `ppu` capability.
    case ppu
    case reservation
}

/// How many fractional digits an item's quantities may carry.
public enum Precision: String, Sendable, Hashable, CaseIterable {
    case integer
    case decimal1 = "decimal(1)"
    case decimal2 = "decimal(2)"
    case decimal4 = "decimal(4)"
    case decimal8 = "decimal(8)"

    public var fractionalDigits: Int {
        switch self {
        case .integer: 0
        case .decimal1: 1
        case .decimal2: 2
        case .decimal4: 4
        case .decimal8: 8
        }
    }
}

/// An item's life: `draft → published → endofsale`.
public enum ItemStatus: String, Sendable, Hashable, CaseIterable {
    case draft, published
    case endOfSale = "endofsale"
}

/// A product item, `PRD-ddd-ddd-ddd-dddd`.
public struct Item: Sendable, Hashable {
    public var id: String
    /// The id with underscores.
    public var localID: String
    public var productID: String
    public var vendorID: String
    /// Unique per product.
    public var name: String
    /// Unique per product.
    public var mpn: String
    public var description: String
    public var type: ItemType
    public var precision: Precision
    /// A built-in unit name or one of the vendor's own.
    public var unit: String
    public var status: ItemStatus
    /// Created by a usage file of a dynamic product.
    public var dynamic: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, localID: String, productID: String, vendorID: String, name: String, mpn: String,
        description: String, type: ItemType, precision: Precision, unit: String, status: ItemStatus,
        dynamic: Bool, createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.localID = localID
        self.productID = productID
        self.vendorID = vendorID
        self.name = name
        self.mpn = mpn
        self.description = description
        self.type = type
        self.precision = precision
        self.unit = unit
        self.status = status
        self.dynamic = dynamic
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// draft → published.
    public mutating func publish(at time: Timestamp) throws(DomainError) {
        guard status == .draft else {
            throw .wrongState("item \(id) is \(status.rawValue); only draft items can be published")
        }
        status = .published
        updatedAt = time
    }

    /// published → endofsale.
    public mutating func endSale(at time: Timestamp) throws(DomainError) {
        guard status == .published else {
            throw .wrongState("item \(id) is \(status.rawValue); only published items can reach end of sale")
        }
        status = .endOfSale
        updatedAt = time
    }

    /// Only draft items can be deleted: usage may already refer to the others.
    public func checkDeletable() throws(DomainError) {
        guard status == .draft else {
            throw .wrongState("item \(id) is \(status.rawValue); only draft items can be deleted")
        }
    }

    /// A published or end-of-sale item can change only name, MPN and description, because
    /// subscriptions and usage already depend on its type, precision and unit.
    public func checkChangeable(type: Bool, precision: Bool, unit: Bool) throws(DomainError) {
        guard status != .draft else { return }
        var fields: [String] = []
        if type { fields.append("type") }
        if precision { fields.append("precision") }
        if unit { fields.append("unit") }
        if !fields.isEmpty {
            throw .wrongState(
                "item \(id) is \(status.rawValue); only name, mpn and description can change (not \(fields.joined(separator: ", ")))")
        }
    }
}
