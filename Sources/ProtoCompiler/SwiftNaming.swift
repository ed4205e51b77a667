// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Turns protobuf names into Swift identifiers, the way swift-protobuf users expect to read them.
enum SwiftNaming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "_", "Type", "Protocol", "some", "any", "async", "actor",
        "consume", "copy", "discard", "borrowing", "consuming", "package", "macro",
    ]

    /// Type names that cannot be used even with backticks as a nested type.
    static let reservedTypeNames: Set<String> = ["Type", "Protocol", "Self", "Any", "_StorageClass"]

    /// `foo_bar_baz` → `fooBarBaz`; `FIELD_NAME11` → `fieldName11`; `__field_name13` → `fieldName13`.
    static func lowerCamel(_ name: String) -> String {
        let parts = name.split(separator: "_", omittingEmptySubsequences: true).map(String.init)
        var result = ""
        for (index, part) in parts.enumerated() {
            let allUpper = part.allSatisfy { !$0.isLetter || $0.isUppercase }
            var word = allUpper ? part.lowercased() : part
            if index == 0 {
                word = word.prefix(1).lowercased() + word.dropFirst()
            } else {
                word = word.prefix(1).uppercased() + word.dropFirst()
            }
            result += word
        }
        if result.isEmpty { result = "_" }
        if result.first!.isNumber { result = "_" + result }
        return result
    }

    /// `foo_bar` → `FooBar`.
    static func upperCamel(_ name: String) -> String {
        let lower = lowerCamel(name)
        if lower.hasPrefix("_") { return lower }
        return lower.prefix(1).uppercased() + lower.dropFirst()
    }

    /// The prefix for a package's top-level types: `grpc.health.v1` → `Grpc_Health_V1_`.
    static func packagePrefix(_ package: String) -> String {
        if package.isEmpty { return "" }
        return package.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "_") + "_"
    }

    /// Backticks an identifier that would otherwise be a keyword.
    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// A nested type name that is legal inside any type.
    static func typeName(_ protoName: String) -> String {
        reservedTypeNames.contains(protoName) || keywords.contains(protoName) ? protoName + "_" : protoName
    }

    /// A Swift string literal holding `text`.
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Hands out identifiers within one scope, renaming on a clash instead of emitting code that
/// does not compile.
struct IdentifierScope {
    private var used: Set<String>

    init(reserved: Set<String> = []) { used = reserved }

    mutating func claim(_ preferred: String, fallback: String? = nil) -> String {
        for candidate in [preferred, fallback].compactMap({ $0 }) where !used.contains(candidate) {
            used.insert(candidate)
            return candidate
        }
        var candidate = (fallback ?? preferred) + "_"
        while used.contains(candidate) { candidate += "_" }
        used.insert(candidate)
        return candidate
    }
}

/// Accumulates generated source with indentation.
struct CodePrinter {
    private(set) var text = ""
    private var indentation = ""

    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += indentation + content + "\n"
        }
    }

    mutating func indent() { indentation += "    " }
    mutating func outdent() { indentation.removeLast(4) }

    mutating func block(_ opener: String, _ body: (inout CodePrinter) -> Void) {
        line(opener + " {")
        indent()
        body(&self)
        outdent()
        line("}")
    }

    mutating func docComment(_ comment: String) {
        var lines = comment.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).trimmingTrailingWhitespace()
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        for commentLine in lines {
            let trimmed = commentLine.hasPrefix(" ") ? String(commentLine.dropFirst()) : commentLine
            line(trimmed.isEmpty ? "///" : "/// " + trimmed)
        }
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var copy = self
        while let last = copy.last, last == " " || last == "\t" || last == "\r" { copy.removeLast() }
        return copy
    }
}
