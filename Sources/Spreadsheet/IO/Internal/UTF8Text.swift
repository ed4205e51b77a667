// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Strings from bytes that must be UTF-8, for the readers' per-cell hot paths.
///
/// `String(validating:as:)` is, in Swift 6.3 on Linux, an unspecialized generic in libswiftCore
/// that looks up generic metadata on every call: a profile of a 200,000-row workbook upload showed
/// those lookups above 2 % of the server's time. Nearly every cell is ASCII, which is valid UTF-8
/// as it stands; only the rest goes through the standard library's validation.
enum UTF8Text {
    /// The bytes as a string, or nil when they are not valid UTF-8.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }

    /// Whether the bytes are valid UTF-8, without making a string of them when they are ASCII.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isASCII($0) || String(validating: $0, as: UTF8.self) != nil }
    }

    /// Eight bytes at a time, then the rest one by one.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var seen: UInt64 = 0
        while index + 8 <= bytes.count {
            seen |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            seen |= UInt64(bytes[index])
            index += 1
        }
        return seen & 0x8080_8080_8080_8080 == 0
    }
}
