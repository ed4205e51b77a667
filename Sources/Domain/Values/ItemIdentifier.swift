// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// An item's id, `PRD-123-456-789-0007`, and local id, `PRD_123_456_789_0007`: its product's id
/// and the item's number within the product.
///
/// Items are numbered, not random, as in Connect: the id says which product the item belongs to,
/// and usage files may name an item by either form, so both are derived here from one value.
public struct ItemIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The item numbers that fit the four-digit group.
    public static let sequences = 1...9999

    /// The product's id, `PRD-ddd-ddd-ddd`.
    public let product: String
    /// The item's number within the product, `1...9999`.
    public let sequence: Int

    /// Creates the identifier of item `sequence` of `product`.
    ///
    /// Throws `notAProductID` for a malformed product id and `sequenceOutOfRange` outside
    /// `1...9999`, so a product that runs out of numbers fails loudly rather than making a
    /// malformed id.
    public init(product: String, sequence: Int) throws(IdentifierError) {
        guard IdentifierKind.product.matches(product) else { throw .notAProductID(product) }
        guard ItemIdentifier.sequences.contains(sequence) else { throw .sequenceOutOfRange(sequence) }
        self.product = product
        self.sequence = sequence
    }

    /// Reads an item id (`PRD-123-456-789-0007`) or local id (`PRD_123_456_789_0007`), or nil
    /// when `string` is neither or its number is `0000`.
    public init?(parsing string: some StringProtocol) {
        let isLocal: Bool
        if IdentifierKind.item.matches(string) {
            isLocal = false
        } else if IdentifierKind.itemLocal.matches(string) {
            isLocal = true
        } else {
            return nil
        }
        let text = String(string)
        let productPart = text.prefix(IdentifierKind.product.layout.length)
        let product = isLocal ? String(productPart.map { $0 == "_" ? "-" : $0 }) : String(productPart)
        guard let sequence = Int(text.suffix(4)),
            let identifier = try? ItemIdentifier(product: product, sequence: sequence)
        else { return nil }
        self = identifier
    }

    /// The item id, `PRD-123-456-789-0007`.
    public var id: String { product + "-" + fourDigits }

    /// The local id, `PRD_123_456_789_0007`: the item id with underscores.
    public var localID: String { String(id.map { $0 == "-" ? "_" : $0 }) }

    public var description: String { id }

    private var fourDigits: String {
        let digits = String(sequence)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
