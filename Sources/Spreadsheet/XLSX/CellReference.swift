// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// A1-style cell references: column letters and row numbers.
public enum CellReference {
    /// Excel's widest sheet: columns A…XFD.
    public static let maximumColumns = 16_384

    /// The 0-based column of a reference such as `AB12` (27), or nil if it has no valid letters.
    public static func columnIndex(_ reference: String) -> Int? {
        var column = 0
        var letters = 0
        for byte in reference.utf8 {
            let upper = byte & ~0x20
            guard upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(upper - UInt8(ascii: "A")) + 1
            letters += 1
            guard letters <= 3 else { return nil }
        }
        guard letters > 0, column <= maximumColumns else { return nil }
        return column - 1
    }

    /// The 1-based row number of a reference such as `AB12` (12), or nil if it has none.
    public static func rowNumber(_ reference: String) -> Int? {
        var row = 0
        var digits = 0
        for byte in reference.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                row = row * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 8 else { return nil }
            } else if digits > 0 {
                return nil
            }
        }
        return digits > 0 && row > 0 ? row : nil
    }

    /// The letters of a 0-based column: 0 → `A`, 27 → `AB`.
    public static func columnName(_ index: Int) -> String {
        var number = index + 1
        var letters: [UInt8] = []
        while number > 0 {
            let remainder = (number - 1) % 26
            letters.append(UInt8(ascii: "A") + UInt8(remainder))
            number = (number - 1) / 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }
}
