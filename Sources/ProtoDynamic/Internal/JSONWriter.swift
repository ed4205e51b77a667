// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// Prints a `JSONValue`, compact or indented by two spaces, deterministically.
///
/// Members are printed in the order given (the encoder gives field-number order and sorted map
/// keys), so equal messages always print equal text.
enum JSONWriter {
    static func write(_ value: JSONValue, pretty: Bool) -> String {
        var output = ""
        write(value, pretty: pretty, indent: 0, to: &output)
        return output
    }

    private static func write(_ value: JSONValue, pretty: Bool, indent: Int, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): writeString(text, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                newline(pretty, indent + 1, &output)
                write(element, pretty: pretty, indent: indent + 1, to: &output)
            }
            newline(pretty, indent, &output)
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                newline(pretty, indent + 1, &output)
                writeString(member.key, to: &output)
                output += pretty ? ": " : ":"
                write(member.value, pretty: pretty, indent: indent + 1, to: &output)
            }
            newline(pretty, indent, &output)
            output += "}"
        }
    }

    private static func newline(_ pretty: Bool, _ indent: Int, _ output: inout String) {
        guard pretty else { return }
        output += "\n"
        output += String(repeating: "  ", count: indent)
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as is.
    static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
