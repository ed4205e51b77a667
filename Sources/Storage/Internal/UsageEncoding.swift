// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

import Domain

/// The compact text form of the lists a usage record carries in one column each: its
/// parameters, its row as uploaded and its errors.
///
/// A list of optional strings is written element after element, each either `-` (nil) or its
/// UTF-8 byte count, a colon and the bytes: `["ab", nil, ""]` is `2:ab-0:`. Counting bytes
/// instead of escaping means any text round-trips unchanged (colons, quotes, newlines, emoji)
/// and decoding is one pass without lookahead; child tables would cost a row and an index entry
/// per element, which a million-record upload cannot afford.
///
/// The writers append UTF-8 bytes to a buffer the caller reuses: a million-record upload encodes
/// three lists per record, and building a `String` for each (digits, then piece by piece) cost more
/// than inserting the row.
enum UsageEncoding {
    static func encode(_ values: [String?]) -> String {
        var output: [UInt8] = []
        for value in values { append(value, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    static func encode(_ values: [String]) -> String {
        var output: [UInt8] = []
        append(values, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends one element: `-` for nil, else its UTF-8 byte count, `:` and its bytes.
    static func append(_ value: String?, to output: inout [UInt8]) {
        guard let value else {
            output.append(UInt8(ascii: "-"))
            return
        }
        // Most cells of a row as uploaded are empty; a native string lends its bytes in place,
        // where `withUTF8` would need a copy of the string (a retain and a release) per element.
        if value.isEmpty {
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: ":"))
            return
        }
        let lent: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
            appendDecimal(bytes.count, to: &output)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: bytes)
        }
        guard lent == nil else { return }
        var copy = value
        copy.withUTF8 { bytes in
            appendDecimal(bytes.count, to: &output)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: bytes)
        }
    }

    static func append(_ values: [String], to output: inout [UInt8]) {
        for value in values { append(value, to: &output) }
    }

    /// The row as uploaded, each value written from its cell without a string per value.
    static func append(_ values: UsageRawValues, to output: inout [UInt8]) {
        values.forEachUTF8 { bytes in
            appendDecimal(bytes.count, to: &output)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: bytes)
        }
    }

    static func append(_ parameters: [UsageParameter], to output: inout [UInt8]) {
        for parameter in parameters {
            append(parameter.name, to: &output)
            append(parameter.value, to: &output)
        }
    }

    static func append(_ errors: [UsageRecordError], to output: inout [UInt8]) {
        for error in errors {
            append(error.code, to: &output)
            append(error.column, to: &output)
            append(error.message, to: &output)
        }
    }

    /// The decimal digits of a count (never negative), without an intermediate string.
    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value))
            return
        }
        var divisor = 10
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// The list `text` encodes; anything malformed is an internal failure naming `column`, since
    /// only `encode` writes these columns.
    static func decode(_ text: String, column: String) throws -> [String?] {
        var text = text
        var values: [String?] = []
        try text.withUTF8 { utf8 in
            try forEachElement(in: UnsafeRawBufferPointer(utf8), column: column) { element in
                values.append(element.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        return values
    }

    /// Each element of the list `bytes` encode, in place: nil for `-`, else a view of its bytes
    /// (valid as long as `bytes` is).
    static func forEachElement(
        in bytes: UnsafeRawBufferPointer, column: String, _ body: (UnsafeRawBufferPointer?) throws -> Void
    ) throws {
        var index = 0
        let end = bytes.count
        while index < end {
            if bytes[index] == UInt8(ascii: "-") {
                try body(nil)
                index += 1
                continue
            }
            var length = 0
            var digits = 0
            while index < end, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 12 {
                length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            guard digits > 0, index < end, bytes[index] == UInt8(ascii: ":") else {
                throw StorageFailure.unreadable(column: column, value: "a malformed list")
            }
            index += 1
            guard end - index >= length else {
                throw StorageFailure.unreadable(column: column, value: "a truncated list")
            }
            try body(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
            index += length
        }
    }

    static func decodeStrings(_ text: String, column: String) throws -> [String] {
        try decode(text, column: column).map { $0 ?? "" }
    }

    static func encode(_ parameters: [UsageParameter]) -> String {
        var output: [UInt8] = []
        append(parameters, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func decodeParameters(_ text: String, column: String) throws -> [UsageParameter] {
        let values = try decodeStrings(text, column: column)
        guard values.count % 2 == 0 else {
            throw StorageFailure.unreadable(column: column, value: "an odd number of parameter fields")
        }
        return stride(from: 0, to: values.count, by: 2).map { UsageParameter(name: values[$0], value: values[$0 + 1]) }
    }

    static func encode(_ errors: [UsageRecordError]) -> String {
        var output: [UInt8] = []
        append(errors, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func decodeErrors(_ text: String, column: String) throws -> [UsageRecordError] {
        let values = try decode(text, column: column)
        guard values.count % 3 == 0 else {
            throw StorageFailure.unreadable(column: column, value: "a malformed error list")
        }
        return stride(from: 0, to: values.count, by: 3).map {
            UsageRecordError(code: values[$0] ?? "", column: values[$0 + 1], message: values[$0 + 2] ?? "")
        }
    }
}
