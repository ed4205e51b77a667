// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Which cell styles show numbers as dates: a number cell is a date only through its style.
struct NumberFormats: Sendable {
    /// Indexed by the cell's `s` attribute (its `cellXfs` entry).
    private(set) var dateStyles: [Bool] = []

    func isDate(style: Int) -> Bool {
        style >= 0 && style < dateStyles.count && dateStyles[style]
    }

    /// Built-in formats 14–22 (dates and times) and 45–47 (times).
    static func isBuiltInDate(_ id: Int) -> Bool {
        (14...22).contains(id) || (45...47).contains(id)
    }

    /// True when a format code shows a date or time: it has d, m, y, h or s outside quoted text,
    /// escapes, padding and bracketed sections (colours, conditions, locales) — elapsed-time
    /// brackets `[h]`, `[mm]`, `[ss]` do count. Only the first section (positive numbers) matters.
    static func isDateFormat(_ code: String) -> Bool {
        var bytes = Array(code.utf8)
        if let semicolon = bytes.firstIndex(of: UInt8(ascii: ";")) { bytes.removeSubrange(semicolon...) }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") { index += 1 }
                index += 1
            case UInt8(ascii: "\\"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                index += 2
            case UInt8(ascii: "["):
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")) else { return false }
                let inner = bytes[(index + 1)..<close].map { $0 | 0x20 }
                if !inner.isEmpty, inner.allSatisfy({ $0 == inner[0] }),
                    [UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(inner[0]), inner.count <= 2
                {
                    return true
                }
                index = close + 1
            default:
                switch byte | 0x20 {
                case UInt8(ascii: "d"), UInt8(ascii: "m"), UInt8(ascii: "y"), UInt8(ascii: "h"), UInt8(ascii: "s"):
                    return true
                default:
                    index += 1
                }
            }
        }
        return false
    }

    static func load(from bytes: [UInt8], partName: String, limits: XMLLimits) throws(SpreadsheetError) -> NumberFormats {
        var customDates: [Int: Bool] = [:]
        var formats = NumberFormats()
        var parser = XMLPullParser(source: MemoryChunkSource(bytes), partName: partName, limits: limits)
        var inCellXfs = false
        while true {
            switch try parser.next() {
            case .startElement:
                switch parser.name {
                case "numFmt":
                    if let id = try parser.attribute("numFmtId").flatMap({ Int($0) }) {
                        customDates[id] = isDateFormat(try parser.attribute("formatCode") ?? "")
                    }
                case "cellXfs":
                    inCellXfs = true
                case "xf" where inCellXfs:
                    let id = try parser.attribute("numFmtId").flatMap { Int($0) } ?? 0
                    formats.dateStyles.append(customDates[id] ?? isBuiltInDate(id))
                    try parser.skipElement()
                default:
                    break
                }
            case .endElement:
                if parser.name == "cellXfs" { inCellXfs = false }
            case .text:
                break
            case .endOfDocument:
                return formats
            }
        }
    }
}
