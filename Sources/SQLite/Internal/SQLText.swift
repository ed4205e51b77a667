// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

/// Small facts about SQL text that SQLite's API does not answer directly.
enum SQLText {
    /// Whether a NUL-terminated SQL tail holds only blanks, semicolons and comments, i.e. no
    /// further statement that `sqlite3_prepare` would silently leave unrun.
    static func isBlank(_ text: UnsafePointer<CChar>) -> Bool {
        var pointer = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        while true {
            switch pointer.pointee {
            case 0:
                return true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C, UInt8(ascii: ";"):
                pointer += 1
            case UInt8(ascii: "-") where pointer[1] == UInt8(ascii: "-"):
                while pointer.pointee != 0, pointer.pointee != UInt8(ascii: "\n") { pointer += 1 }
            case UInt8(ascii: "/") where pointer[1] == UInt8(ascii: "*"):
                pointer += 2
                while pointer.pointee != 0, !(pointer.pointee == UInt8(ascii: "*") && pointer[1] == UInt8(ascii: "/")) {
                    pointer += 1
                }
                // An unterminated block comment runs to the end, as SQLite reads it.
                if pointer.pointee != 0 { pointer += 2 }
            default:
                return false
            }
        }
    }
}
