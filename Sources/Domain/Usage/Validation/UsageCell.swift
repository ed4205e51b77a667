// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// One cell of an uploaded usage row, as the reader found it.
///
/// The three inputs (record stream, CSV, XLSX) each produce these, so validation has one place
/// that turns cells into quantities, amounts and times. Numbers keep their literal text: an XLSX
/// number cell is read exactly as written, never through `Double`, which could not hold `0.1`.
public enum UsageCell: Sendable, Hashable {
    /// No value: a missing or blank cell.
    case empty
    /// A text cell, or any CSV field; may hold a number or a time written as text.
    case text(String)
    /// A number cell's literal, such as `12.5` or `1E-3`, to be parsed exactly.
    case number(String)
    /// An Excel date cell, already converted from its serial value (in UTC).
    case date(Timestamp)
    /// An Excel boolean cell.
    case boolean(Bool)
}

extension UsageCell {
    /// Whether the cell holds nothing but whitespace.
    ///
    /// Spreadsheets often leave a row of formatted but empty cells after the data; readers skip a
    /// row whose cells are all blank rather than report it as a record.
    public var isBlank: Bool {
        switch self {
        case .empty: true
        case .text(let text): text.allSatisfy(\.isWhitespace)
        case .number(let literal): literal.isEmpty
        case .date, .boolean: false
        }
    }

    /// The cell as text, as it appears in the processed file and in record parameters.
    ///
    /// Text and number literals are returned as written; dates as `YYYY-MM-DD HH:MM:SS` (UTC, with
    /// microseconds only when present); booleans as `TRUE`/`FALSE`, as spreadsheets show them.
    public var text: String {
        switch self {
        case .empty: ""
        case .text(let text): text
        case .number(let literal): literal
        case .date(let time): UsageTime.format(time)
        case .boolean(let value): value ? "TRUE" : "FALSE"
        }
    }

    /// Passes `body` the UTF-8 of `text`, without making a string of a time or a boolean.
    public func withTextUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .empty:
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .text(let text), .number(let text):
            return try Self.withUTF8(of: text, body)
        case .date(let time):
            return try UsageTime.withFormattedUTF8(time, body)
        case .boolean(let value):
            let text: StaticString = value ? "TRUE" : "FALSE"
            return try body(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
    }

    /// A string's UTF-8 in place when it is stored contiguously (no copy, no retain), else from a
    /// copy.
    static func withUTF8<R>(of text: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try text.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = text
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }

    /// The cell as text with surrounding whitespace removed, or nil when it is blank.
    ///
    /// Identifiers and search values are compared after trimming: a stray space in a CSV field
    /// must not make an existing record id or MPN unknown.
    var trimmedText: String? {
        let trimmed = UsageCell.trim(text)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `text` without leading and trailing whitespace: ASCII spaces, tabs, line breaks and the
    /// no-break space (U+00A0) that spreadsheets put in "empty-looking" cells.
    ///
    /// Works on UTF-8 bytes rather than `Character.isWhitespace`, which needs grapheme breaking
    /// and Unicode property lookups: this runs on several cells of every row of a million-row file.
    static func trim(_ text: String) -> String {
        let bytes = text.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start != end {
            let byte = bytes[start]
            if isASCIISpace(byte) {
                bytes.formIndex(after: &start)
            } else if byte == 0xC2, bytes.index(after: start) != end, bytes[bytes.index(after: start)] == 0xA0 {
                start = bytes.index(start, offsetBy: 2)
            } else {
                break
            }
        }
        while start != end {
            let last = bytes.index(before: end)
            let byte = bytes[last]
            if isASCIISpace(byte) {
                end = last
            } else if byte == 0xA0, last != start, bytes[bytes.index(before: last)] == 0xC2 {
                end = bytes.index(before: last)
            } else {
                break
            }
        }
        if start == bytes.startIndex && end == bytes.endIndex { return text }
        return String(text[start..<end])
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
