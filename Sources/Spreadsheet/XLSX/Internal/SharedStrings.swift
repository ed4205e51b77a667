// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// The workbook's shared-string table, packed into one byte buffer.
///
/// Cells refer to it by index and the references may come in any order, so it must be held;
/// one buffer plus end offsets costs a fraction of an array of `String`s and is bounded by
/// `XLSXLimits.maximumSharedStringBytes`. The bytes are checked to be UTF-8 when loaded.
struct SharedStrings: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    subscript(index: Int) -> String? {
        guard index >= 0, index < ends.count else { return nil }
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
    }

    static func load(
        from archive: ZipArchive, entry: ZipEntry, limits: XLSXLimits
    ) throws(SpreadsheetError) -> SharedStrings {
        var table = SharedStrings()
        var parser = XMLPullParser(source: try archive.stream(entry), partName: entry.name, limits: limits.xml)
        var current: [UInt8] = []
        var inItem = false
        var inText = false
        var phoneticDepth = 0
        while true {
            switch try parser.next() {
            case .startElement:
                if parser.isName("si") {
                    inItem = true
                    current.removeAll(keepingCapacity: true)
                } else if parser.isName("t") {
                    inText = inItem && phoneticDepth == 0
                } else if parser.isName("rPh") {
                    phoneticDepth += 1
                }
            case .endElement:
                if parser.isName("si") {
                    inItem = false
                    guard UTF8Text.isValid(current) else {
                        throw SpreadsheetError(
                            code: "xlsx.invalid_utf8",
                            message: "\(entry.name): shared string \(table.count) is not valid UTF-8"
                        )
                    }
                    guard table.ends.count < limits.maximumSharedStrings else {
                        throw SpreadsheetError(
                            code: "xlsx.too_many_shared_strings",
                            message: "\(entry.name) holds more than \(limits.maximumSharedStrings) shared strings"
                        )
                    }
                    table.bytes.append(contentsOf: current)
                    table.ends.append(table.bytes.count)
                    guard table.bytes.count <= limits.maximumSharedStringBytes else {
                        throw SpreadsheetError(
                            code: "xlsx.shared_strings_too_large",
                            message: "\(entry.name) holds more than \(limits.maximumSharedStringBytes) bytes of text"
                        )
                    }
                } else if parser.isName("t") {
                    inText = false
                } else if parser.isName("rPh") {
                    phoneticDepth -= 1
                }
            case .text:
                if inText { current.append(contentsOf: parser.textUTF8) }
            case .endOfDocument:
                return table
            }
        }
    }
}
