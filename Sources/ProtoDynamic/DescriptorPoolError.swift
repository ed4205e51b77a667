// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// Why a set of file descriptors could not be made into a `DescriptorPool`.
///
/// A struct over a private code enum, so new kinds of failure never break callers; the message
/// names the file, type or field at fault.
public struct DescriptorPoolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Raw: Hashable, Sendable {
            case malformedDescriptor, duplicateName, unresolvedType
        }
        private let raw: Raw
        private init(_ raw: Raw) { self.raw = raw }

        /// A serialized descriptor that does not decode.
        public static let malformedDescriptor = Code(.malformedDescriptor)
        /// Two definitions of one fully-qualified name, or two different files with one name.
        public static let duplicateName = Code(.duplicateName)
        /// A field or method that names a type no file in the pool defines (usually a missing import).
        public static let unresolvedType = Code(.unresolvedType)

        public var description: String {
            switch raw {
            case .malformedDescriptor: "malformed descriptor"
            case .duplicateName: "duplicate name"
            case .unresolvedType: "unresolved type"
            }
        }
    }

    public let code: Code
    /// What went wrong, naming the file, type or field.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
