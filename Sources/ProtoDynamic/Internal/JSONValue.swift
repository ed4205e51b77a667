// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// A parsed JSON document, kept close to its text.
///
/// Numbers stay as the digits that were written, so an `int64` or `uint64` beyond 2^53 loses
/// nothing on its way to a field; object members stay in order, so duplicates can be reported.
enum JSONValue {
    case null
    case bool(Bool)
    /// The number's text, already checked against the JSON number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// How an error message names the kind of a value: "a string", "an object".
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a bool"
        case .number(let text): "the number \(text)"
        case .string(let text): "the string \(quoted(text))"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One `"key": value` member of a JSON object.
struct JSONMember {
    let key: String
    let value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
