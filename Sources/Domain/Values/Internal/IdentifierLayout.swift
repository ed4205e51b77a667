// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The shape of one identifier format: a prefix, an optional `yyyy-mm` date, and digit groups,
/// all joined by one separator.
///
/// Every format is this one shape with different numbers, so matching and generation are written
/// once and cannot disagree.
struct IdentifierLayout: Sendable, Hashable {
    let prefix: String
    let separator: UInt8
    let isDated: Bool
    let groups: [Int]

    init(prefix: String, separator: Character = "-", isDated: Bool = false, groups: [Int]) {
        self.prefix = prefix
        self.separator = separator.asciiValue!
        self.isDated = isDated
        self.groups = groups
    }

    /// The number of bytes of every id of this layout.
    var length: Int {
        prefix.utf8.count + (isDated ? 8 : 0) + groups.reduce(0) { $0 + 1 + $1 }
    }

    /// The format as text, `d` for a digit.
    var format: String {
        let separator = String(UnicodeScalar(separator))
        var parts = [prefix]
        if isDated { parts += ["yyyy", "mm"] }
        parts += groups.map { String(repeating: "d", count: $0) }
        return parts.joined(separator: separator)
    }

    func matches<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard bytes.count == length else { return false }
        var index = bytes.startIndex
        for byte in prefix.utf8 {
            guard bytes[index] == byte else { return false }
            bytes.formIndex(after: &index)
        }
        func digits(_ count: Int) -> Int? {
            guard bytes[index] == separator else { return nil }
            bytes.formIndex(after: &index)
            var value = 0
            for _ in 0..<count {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                bytes.formIndex(after: &index)
            }
            return value
        }
        if isDated {
            guard let year = digits(4), IdentifierLayout.years.contains(year) else { return false }
            guard let month = digits(2), IdentifierLayout.months.contains(month) else { return false }
        }
        for count in groups {
            guard digits(count) != nil else { return false }
        }
        return index == bytes.endIndex
    }

    /// Builds an id from the date, if any, and one digit (0...9) per group position.
    func render(year: Int?, month: Int?, digits: [UInt8]) -> String {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(length)
        if let year, let month {
            bytes.append(separator)
            bytes += Array(String(year).utf8).padded(to: 4)
            bytes.append(separator)
            bytes += Array(String(month).utf8).padded(to: 2)
        }
        var next = digits.makeIterator()
        for count in groups {
            bytes.append(separator)
            for _ in 0..<count { bytes.append(UInt8(ascii: "0") + next.next()!) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The number of random digits an id of this layout holds.
    var digitCount: Int { groups.reduce(0, +) }

    static let years = 1...9999
    static let months = 1...12
}

extension Array where Element == UInt8 {
    /// The ASCII digits with leading zeros up to `width`.
    fileprivate func padded(to width: Int) -> [UInt8] {
        count >= width ? self : Array(repeating: UInt8(ascii: "0"), count: width - count) + self
    }
}
