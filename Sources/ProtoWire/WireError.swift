// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// A precise decoding failure: what was wrong and where in the input it was found.
///
/// A struct over a private code enum, so new kinds of failure never break callers that match on
/// the public static codes.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable {
            case truncated, varintTooLong, invalidFieldNumber, invalidWireType, lengthTooLarge
            case invalidUTF8, depthLimitExceeded, unmatchedEndGroup, unterminatedGroup, packedLengthMismatch
        }
        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        /// The input ended inside a tag, value or length-delimited field.
        public static let truncated = Code(.truncated)
        /// A varint ran past its tenth byte.
        public static let varintTooLong = Code(.varintTooLong)
        /// Field number 0, or one beyond 2^29-1.
        public static let invalidFieldNumber = Code(.invalidFieldNumber)
        /// Wire type 6 or 7.
        public static let invalidWireType = Code(.invalidWireType)
        /// A length prefix that points past the end of the enclosing message (or of the input).
        public static let lengthTooLarge = Code(.lengthTooLarge)
        /// A `string` field whose bytes are not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Messages nested deeper than the reader's limit.
        public static let depthLimitExceeded = Code(.depthLimitExceeded)
        /// An end-group tag that closes no open group, or closes a different field's group.
        public static let unmatchedEndGroup = Code(.unmatchedEndGroup)
        /// A group whose end-group tag never came.
        public static let unterminatedGroup = Code(.unterminatedGroup)
        /// A packed field whose payload ends in the middle of an element.
        public static let packedLengthMismatch = Code(.packedLengthMismatch)

        public var description: String {
            switch raw {
            case .truncated: "truncated input"
            case .varintTooLong: "varint longer than 10 bytes"
            case .invalidFieldNumber: "invalid field number"
            case .invalidWireType: "invalid wire type"
            case .lengthTooLarge: "length prefix past the end of the message"
            case .invalidUTF8: "string field is not valid UTF-8"
            case .depthLimitExceeded: "message nesting exceeds the depth limit"
            case .unmatchedEndGroup: "end-group tag without a matching start-group"
            case .unterminatedGroup: "group without an end-group tag"
            case .packedLengthMismatch: "packed field ends inside an element"
            }
        }
    }

    /// What was wrong.
    public let code: Code
    /// The byte offset in the input at which the failing element starts.
    public let offset: Int
    public init(code: Code, offset: Int) {
        self.code = code
        self.offset = offset
    }

    public var description: String { "\(code) at byte \(offset)" }
}
