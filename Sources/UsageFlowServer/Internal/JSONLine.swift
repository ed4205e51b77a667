// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

/// Builds one JSON object on one line, escaping strings as RFC 8259 requires.
public struct JSONLine {
    private var text = "{"
    private var first = true

    mutating func add(_ key: String, _ value: EventLog.Value) {
        if !first { text += "," }
        first = false
        Self.appendString(key, to: &text)
        text += ":"
        switch value {
        case .string(let string): Self.appendString(string, to: &text)
        case .integer(let number): text += String(number)
        case .bool(let flag): text += flag ? "true" : "false"
        }
    }

    func finished() -> String { text + "}\n" }

    /// `value` as a JSON string literal, for other JSON the programs print (the CLI's summaries).
    public static func quoted(_ value: String) -> String {
        var text = ""
        appendString(value, to: &text)
        return text
    }

    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
