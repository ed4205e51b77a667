// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoWire

/// A strict RFC 8259 JSON parser with limits on size and nesting.
///
/// The module avoids Foundation, and the CLI feeds it text a person typed, so errors say where
/// (line and column) and what was expected. The limits keep a hostile or mistaken input (a
/// megabyte of `[`) from exhausting the stack or memory.
struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private let depthLimit: Int

    /// Parses a whole document; trailing text other than whitespace is an error.
    static func parse(_ bytes: [UInt8], depthLimit: Int, sizeLimit: Int) throws(DynamicMessageError) -> JSONValue {
        guard bytes.count <= sizeLimit else {
            throw DynamicMessageError(
                .limitExceeded, path: "",
                "JSON input of \(bytes.count) bytes is larger than the limit of \(sizeLimit) bytes")
        }
        let valid = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
        guard valid else { throw DynamicMessageError(.malformedJSON, path: "", "JSON input is not valid UTF-8") }
        var parser = JSONParser(bytes: bytes, depthLimit: depthLimit)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.syntaxError("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8], depthLimit: Int) {
        self.bytes = bytes
        self.depthLimit = depthLimit
    }

    // MARK: Values

    private mutating func parseValue() throws(DynamicMessageError) -> JSONValue {
        guard position < bytes.count else { throw syntaxError("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw syntaxError("unexpected character \(describe(bytes[position])), expected a value")
        }
    }

    private mutating func enter() throws(DynamicMessageError) {
        depth += 1
        guard depth <= depthLimit else {
            throw DynamicMessageError(
                .limitExceeded, path: "", "JSON nesting is deeper than the limit of \(depthLimit) levels")
        }
    }

    private mutating func parseObject() throws(DynamicMessageError) -> JSONValue {
        try enter()
        position += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if take(UInt8(ascii: "}")) {
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw syntaxError(
                    position < bytes.count ? "expected a string key in object" : "unexpected end of input in object")
            }
            let key = try parseString()
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { throw syntaxError("expected ':' after object key") }
            skipWhitespace()
            members.append(JSONMember(key, try parseValue()))
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            if take(UInt8(ascii: "}")) { break }
            throw syntaxError(
                position < bytes.count ? "expected ',' or '}' in object" : "unexpected end of input in object")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(DynamicMessageError) -> JSONValue {
        try enter()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) {
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            if take(UInt8(ascii: "]")) { break }
            throw syntaxError(
                position < bytes.count ? "expected ',' or ']' in array" : "unexpected end of input in array")
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(DynamicMessageError) -> JSONValue {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<(position + expected.count)]) == expected
        else {
            throw syntaxError("invalid literal, expected \(word)")
        }
        position += expected.count
        return value
    }

    /// A number by the JSON grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(DynamicMessageError) -> String {
        let start = position
        _ = take(UInt8(ascii: "-"))
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw syntaxError("invalid number, expected a digit")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw syntaxError("invalid number, leading zeros are not allowed")
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if take(UInt8(ascii: ".")) {
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw syntaxError("invalid number, expected a digit after '.'")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw syntaxError("invalid number, expected a digit in the exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func parseString() throws(DynamicMessageError) -> String {
        position += 1  // the opening quote
        var result: [UInt8] = []
        while true {
            guard position < bytes.count else { throw syntaxError("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: result, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw syntaxError("unterminated string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): result.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): result.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): result.append(0x08)
                case UInt8(ascii: "f"): result.append(0x0C)
                case UInt8(ascii: "n"): result.append(0x0A)
                case UInt8(ascii: "r"): result.append(0x0D)
                case UInt8(ascii: "t"): result.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    result.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    position -= 1
                    throw syntaxError("invalid escape \\\(describe(escape, quotes: false)) in string")
                }
            case 0..<0x20:
                throw syntaxError("control character \(describe(byte)) in string must be escaped")
            default:
                result.append(byte)
                position += 1
            }
        }
    }

    /// The four hex digits after `\u`, and a second escape when they are a high surrogate.
    private mutating func parseUnicodeEscape() throws(DynamicMessageError) -> Unicode.Scalar {
        let high = try hexQuad()
        if (0xD800...0xDBFF).contains(high) {
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else {
                throw syntaxError("unpaired surrogate \\u\(String(high, radix: 16, uppercase: true)) in string")
            }
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw syntaxError("unpaired surrogate \\u\(String(high, radix: 16, uppercase: true)) in string")
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw syntaxError("unpaired surrogate \\u\(String(high, radix: 16, uppercase: true)) in string")
        }
        return scalar
    }

    private mutating func hexQuad() throws(DynamicMessageError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw syntaxError("invalid \\u escape, expected four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw syntaxError("invalid \\u escape, expected four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func describe(_ byte: UInt8, quotes: Bool = true) -> String {
        if byte >= 0x20, byte < 0x7F {
            let character = String(UnicodeScalar(byte))
            return quotes ? "'\(character)'" : character
        }
        return "0x" + String(byte, radix: 16, uppercase: true)
    }

    /// A syntax error at the current position, as a line and a column (both from 1, columns
    /// counted in characters).
    private func syntaxError(_ problem: String) -> DynamicMessageError {
        var line = 1
        var lineStart = 0
        let end = min(position, bytes.count)
        for index in 0..<end where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
        return DynamicMessageError(
            .malformedJSON, path: "", "JSON syntax error at line \(line), column \(column): \(problem)")
    }
}
