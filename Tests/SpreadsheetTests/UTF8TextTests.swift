// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

@testable import Spreadsheet
import Testing

/// The readers' UTF-8 decoding: ASCII taken as it is, everything else validated exactly as the
/// standard library does, at every position relative to the eight-byte steps.
@Suite struct UTF8TextTests {
    @Test func asciiAndValidMultibyteTextDecode() {
        for text in ["", "a", "1234567", "12345678", "123456789", "2026-12-07 00:07:00", "é", "ünïcode über 8 bytes",
                     "日本語のテキスト", "emoji 🧾 at the end 🧾"] {
            let bytes = Array(text.utf8)
            #expect(UTF8Text.string(bytes) == text)
            #expect(UTF8Text.isValid(bytes))
            #expect(bytes.withUnsafeBufferPointer { UTF8Text.isASCII($0) } == text.utf8.allSatisfy { $0 < 0x80 })
        }
    }

    @Test func invalidSequencesAreRefusedWhereverTheyStand() {
        let invalid: [[UInt8]] = [[0xFF], [0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                  [0xE2, 0x82]]
        for sequence in invalid {
            for prefix in 0..<10 {
                let bytes = Array(repeating: UInt8(ascii: "x"), count: prefix) + sequence + Array("tail".utf8)
                #expect(UTF8Text.string(bytes) == nil, "\(bytes)")
                #expect(!UTF8Text.isValid(bytes))
                #expect(String(validating: bytes, as: UTF8.self) == nil)
            }
        }
    }
}
