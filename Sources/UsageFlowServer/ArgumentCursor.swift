// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

/// Walks command-line arguments one flag at a time, reading `--flag value` and `--flag=value`.
///
/// The server's flags and the client commands' flags are read the same way, so both accept the
/// `=` form and both report a missing value naming the flag.
public struct ArgumentCursor: Sendable {
    private let arguments: [String]
    private var index = 0
    /// The value of the last `--flag=value` read by `nextFlag()`, handed out by `value(for:)`.
    private var inlineValue: String?

    public init(_ arguments: [String]) {
        self.arguments = arguments
    }

    /// Whether every argument has been read.
    public var isAtEnd: Bool { index >= arguments.count }

    /// The next argument without consuming it.
    public var peek: String? { index < arguments.count ? arguments[index] : nil }

    /// The next argument, whatever it is.
    public mutating func next() -> String? {
        guard index < arguments.count else { return nil }
        defer { index += 1 }
        return arguments[index]
    }

    /// The next argument split at its first `=` when it is a `--flag=value`: returns `--flag`
    /// and keeps the value for `value(for:)`.
    public mutating func nextFlag() -> String? {
        guard let argument = next() else { return nil }
        inlineValue = nil
        if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
            inlineValue = String(argument[argument.index(after: equals)...])
            return String(argument[..<equals])
        }
        return argument
    }

    /// Whether the flag just read came with `=value`.
    public var hasInlineValue: Bool { inlineValue != nil }

    /// The value of the flag just read: its `=value`, or the next argument.
    public mutating func value(for flag: String) throws(ConfigurationError) -> String {
        if let inlineValue {
            self.inlineValue = nil
            return inlineValue
        }
        guard let value = next() else {
            throw ConfigurationError(.missingValue, flag: flag, "needs a value")
        }
        return value
    }

    /// Consumes the `=value` of a flag that takes none, failing if there was one.
    public mutating func noValue(for flag: String) throws(ConfigurationError) {
        if let inlineValue {
            self.inlineValue = nil
            throw ConfigurationError(.invalidValue, flag: flag, "takes no value (got \"\(inlineValue)\")")
        }
    }
}
