// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Writes one enum as a struct over `Int32` with a static member per named value, so values the
/// schema does not name survive decoding and re-encoding.
struct EnumGenerator {
    let info: SchemaIndex.EnumInfo
    let comments: CommentTable
    let path: [Int32]

    static let reservedMembers: Set<String> = ["rawValue", "description", "isKnown", "init", "self", "Type", "protoName"]

    /// Swift member names for each value: the enum's own name is stripped as a prefix
    /// (`SERVING_STATUS_UNKNOWN` in `ServingStatus` → `unknown`), then camel-cased; clashes fall
    /// back to the proto spelling.
    static func memberNames(for descriptor: EnumDescriptor) -> [String] {
        var scope = IdentifierScope(reserved: reservedMembers)
        let prefix = screamingSnake(descriptor.name) + "_"
        return descriptor.values.map { value in
            var base = value.name
            if base.uppercased().hasPrefix(prefix), base.count > prefix.count {
                let stripped = String(base.dropFirst(prefix.count))
                if let first = stripped.first, !first.isNumber { base = stripped }
            }
            return scope.claim(SwiftNaming.lowerCamel(base), fallback: value.name)
        }
    }

    /// `ServingStatus` → `SERVING_STATUS`.
    static func screamingSnake(_ name: String) -> String {
        var out = ""
        var previousWasLower = false
        for character in name {
            if character.isUppercase, previousWasLower { out += "_" }
            out += character.uppercased()
            previousWasLower = character.isLowercase || character.isNumber
        }
        return out
    }

    func generate(into printer: inout CodePrinter) {
        let descriptor = info.descriptor
        let typeName = String(info.swiftName.split(separator: ".").last!)
        let names = Self.memberNames(for: descriptor)
        printer.docComment(comments.text(for: path))
        printer.block("public struct \(typeName): ProtoWire.ProtoEnum") { p in
            p.line("public var rawValue: Swift.Int32")
            p.line()
            p.line("public init(rawValue: Swift.Int32) { self.rawValue = rawValue }")
            p.line()
            for (offset, value) in descriptor.values.enumerated() {
                p.docComment(comments.text(for: path + [2, Int32(offset)]))
                p.line("public static var \(SwiftNaming.escaped(names[offset])): \(typeName) { \(typeName)(rawValue: \(value.number)) }")
            }
            p.line()
            var firstNameOfNumber: [Int32: String] = [:]
            var numbers: [Int32] = []
            for value in descriptor.values where firstNameOfNumber[value.number] == nil {
                firstNameOfNumber[value.number] = value.name
                numbers.append(value.number)
            }
            p.line("/// Every value the schema names, once each (aliases share a value).")
            p.line("public static let knownValues: [\(typeName)] = [\(numbers.map { "\(typeName)(rawValue: \($0))" }.joined(separator: ", "))]")
            p.line()
            p.block("public static func isKnown(_ rawValue: Swift.Int32) -> Swift.Bool") { p in
                p.line("switch rawValue {")
                p.line("case \(numbers.map(String.init).joined(separator: ", ")): return true")
                p.line("default: return false")
                p.line("}")
            }
            p.line()
            p.line("/// The name of the value in the schema, or nil for a value it does not name.")
            p.block("public var protoName: Swift.String?") { p in
                p.line("switch rawValue {")
                for number in numbers {
                    p.line("case \(number): return \(SwiftNaming.stringLiteral(firstNameOfNumber[number]!))")
                }
                p.line("default: return nil")
                p.line("}")
            }
            p.line()
            p.line("public var description: Swift.String { protoName ?? Swift.String(rawValue) }")
        }
    }
}
