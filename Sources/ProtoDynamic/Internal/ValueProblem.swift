// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// A value that does not parse, before the field path is known.
///
/// The scalar parsers are shared by flags, JSON and proto2 defaults, which each know the path
/// differently; they report the problem and the caller turns it into a `DynamicMessageError`.
struct ValueProblem: Error {
    let code: DynamicMessageError.Code
    let text: String

    init(_ code: DynamicMessageError.Code, _ text: String) {
        self.code = code
        self.text = text
    }

    func at(_ path: String) -> DynamicMessageError {
        DynamicMessageError(code, path: path, text)
    }
}

/// Quotes text for an error message, with control characters escaped and long text cut short.
func quoted(_ text: some StringProtocol) -> String {
    var result = "\""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == 64 {
            result += "…"
            break
        }
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        count += 1
    }
    return result + "\""
}
