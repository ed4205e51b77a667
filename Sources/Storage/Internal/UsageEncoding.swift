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
enum UsageEncoding {
    static func encode(_ values: [String?]) -> String {
        var output = ""
        output.reserveCapacity(values.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 3 })
        for value in values {
            if let value {
                output += String(value.utf8.count)
                output += ":"
                output += value
            } else {
                output += "-"
            }
        }
        return output
    }

    static func encode(_ values: [String]) -> String {
        encode(values.map(Optional.some))
    }

    /// The list `text` encodes; anything malformed is an internal failure naming `column`, since
    /// only `encode` writes these columns.
    static func decode(_ text: String, column: String) throws -> [String?] {
        var values: [String?] = []
        var utf8 = text.utf8[...]
        while let first = utf8.first {
            if first == UInt8(ascii: "-") {
                values.append(nil)
                utf8 = utf8.dropFirst()
                continue
            }
            var length = 0
            var digits = 0
            while let byte = utf8.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 12 {
                length = length * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                utf8 = utf8.dropFirst()
            }
            guard digits > 0, utf8.first == UInt8(ascii: ":") else {
                throw StorageFailure.unreadable(column: column, value: "a malformed list")
            }
            utf8 = utf8.dropFirst()
            guard utf8.count >= length else {
                throw StorageFailure.unreadable(column: column, value: "a truncated list")
            }
            let end = utf8.index(utf8.startIndex, offsetBy: length)
            values.append(String(decoding: utf8[utf8.startIndex..<end], as: UTF8.self))
            utf8 = utf8[end...]
        }
        return values
    }

    static func decodeStrings(_ text: String, column: String) throws -> [String] {
        try decode(text, column: column).map { $0 ?? "" }
    }

    static func encode(_ parameters: [UsageParameter]) -> String {
        encode(parameters.flatMap { [$0.name, $0.value] })
    }

    static func decodeParameters(_ text: String, column: String) throws -> [UsageParameter] {
        let values = try decodeStrings(text, column: column)
        guard values.count % 2 == 0 else {
            throw StorageFailure.unreadable(column: column, value: "an odd number of parameter fields")
        }
        return stride(from: 0, to: values.count, by: 2).map { UsageParameter(name: values[$0], value: values[$0 + 1]) }
    }

    static func encode(_ errors: [UsageRecordError]) -> String {
        encode(errors.flatMap { [$0.code, $0.column, $0.message] as [String?] })
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
