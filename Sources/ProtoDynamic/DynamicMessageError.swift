// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// Why a value could not be put into (or rendered from) a `DynamicMessage`.
///
/// A struct over a private code enum, so new kinds of failure never break callers. The message
/// names the field by its path (`capabilities.ppu`, `responseParameters[1].size`) and quotes the
/// offending value, because it is shown as-is to the person who typed the flag or the JSON.
public struct DynamicMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable {
            case unknownField, invalidValue, outOfRange, wrongType, malformedJSON, limitExceeded, unknownType
            case duplicateField
        }
        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        /// A name that is not a field of the message.
        public static let unknownField = Code(.unknownField)
        /// Text that does not parse as the field's type: `maybe` for a bool, an unknown enum name.
        public static let invalidValue = Code(.invalidValue)
        /// A number outside the range of the field's type.
        public static let outOfRange = Code(.outOfRange)
        /// A value of the wrong shape: a JSON string for a bool, an object for a list, a path
        /// that goes through a field that is not a message.
        public static let wrongType = Code(.wrongType)
        /// Text that is not JSON.
        public static let malformedJSON = Code(.malformedJSON)
        /// Input larger or deeper than the configured limits.
        public static let limitExceeded = Code(.limitExceeded)
        /// An `Any` whose type URL names a message the pool does not have.
        public static let unknownType = Code(.unknownType)
        /// A field given twice in one JSON object, or two members of one oneof.
        public static let duplicateField = Code(.duplicateField)

        public var description: String {
            switch raw {
            case .unknownField: "unknown field"
            case .invalidValue: "invalid value"
            case .outOfRange: "out of range"
            case .wrongType: "wrong type"
            case .malformedJSON: "malformed JSON"
            case .limitExceeded: "limit exceeded"
            case .unknownType: "unknown type"
            case .duplicateField: "duplicate field"
            }
        }
    }

    public let code: Code
    /// The path of the field at fault, such as `payload.body` or `responseParameters[1].size`;
    /// empty when the fault is not in one field (JSON syntax, the top-level value).
    public let path: String
    /// The full explanation, starting with the path when there is one.
    public let message: String

    /// The explanation without the path, kept to re-root the error under an enclosing field.
    private let problem: String

    init(_ code: Code, path: String, _ problem: String) {
        self.code = code
        self.path = path
        self.problem = problem
        self.message = path.isEmpty ? problem : "\(path): \(problem)"
    }

    /// The same error for a message that sits at `prefix` inside another.
    func nested(under prefix: String) -> DynamicMessageError {
        guard !prefix.isEmpty else { return self }
        let joined = path.isEmpty ? prefix : path.hasPrefix("[") ? prefix + path : prefix + "." + path
        return DynamicMessageError(code, path: joined, problem)
    }

    public var description: String { message }
}
