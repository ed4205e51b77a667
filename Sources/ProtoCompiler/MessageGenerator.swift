// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

/// Writes one message struct: stored fields, accessors, nested types, and the three codec methods.
struct MessageGenerator {
    let info: SchemaIndex.MessageInfo
    let index: SchemaIndex
    let comments: CommentTable
    let path: [Int32]

    private var descriptor: MessageDescriptor { info.descriptor }
    private var isProto3: Bool { info.file.isProto3 }

    /// Member names every message has; fields that would clash are renamed.
    static let reservedMembers: Set<String> = [
        "unknownFields", "protoMessageName", "serializedSize", "encodeFields", "decodeFields", "hashValue",
        "hash", "init", "_storage", "_uniqueStorage", "merge", "serializedBytes", "appendSerializedBytes",
    ]

    func generate(into printer: inout CodePrinter) {
        let (fields, oneofs) = planFields()
        let typeName = String(info.swiftName.split(separator: ".").last!)
        printer.docComment(comments.text(for: path))
        printer.block("public struct \(typeName): ProtoWire.ProtoMessage") { p in
            p.line("public static let protoMessageName: Swift.String = \(SwiftNaming.stringLiteral(info.fullName))")
            p.line()
            generateNestedTypes(into: &p)
            for oneof in oneofs { generateOneofEnum(oneof, into: &p) }
            if info.usesStorage {
                generateStorageAccessors(fields: fields, oneofs: oneofs, into: &p)
            } else {
                generateStoredFields(fields: fields, oneofs: oneofs, into: &p)
            }
            p.line("public init() {}")
            p.line()
            generateDecode(fields: fields, into: &p)
            p.line()
            generateSize(fields: fields, into: &p)
            p.line()
            generateEncode(fields: fields, into: &p)
            if info.usesStorage {
                p.line()
                generateHashable(fields: fields, oneofs: oneofs, into: &p)
            }
        }
    }

    // MARK: Planning

    private func planFields() -> (fields: [FieldPlan], oneofs: [OneofPlan]) {
        var scope = IdentifierScope(reserved: Self.reservedMembers)
        var oneofs: [Int: OneofPlan] = [:]
        for (offset, oneofName) in descriptor.oneofNames.enumerated() {
            let members = descriptor.fields.filter { $0.oneofIndex == offset && !$0.proto3Optional }
            guard !members.isEmpty else { continue }  // a synthetic oneof for proto3 `optional`
            let name = scope.claim(SwiftNaming.lowerCamel(oneofName), fallback: oneofName)
            oneofs[offset] = OneofPlan(
                name: name, backing: info.usesStorage ? "_" + name : name,
                enumName: "OneOf_" + SwiftNaming.upperCamel(oneofName),
                comment: comments.text(for: path + [8, Int32(offset)]))
        }
        var plans: [FieldPlan] = []
        for (offset, field) in descriptor.fields.enumerated() {
            let name = scope.claim(SwiftNaming.lowerCamel(field.name), fallback: field.name)
            let value = plannedValue(field)
            let presence: FieldPlan.Presence
            if let oneofIndex = field.oneofIndex, let oneof = oneofs[oneofIndex] {
                presence = .oneofMember(oneof)
            } else if field.label == .repeated {
                if case .message(let entry) = value, entry.descriptor.isMapEntry {
                    let key = entry.descriptor.fields.first { $0.number == 1 }!
                    let mapValue = entry.descriptor.fields.first { $0.number == 2 }!
                    presence = .map(key: plan(key, name: "key"), value: plan(mapValue, name: "value"))
                } else {
                    presence = .repeated
                }
            } else if field.type == .message || field.type == .group || !isProto3 || field.proto3Optional {
                presence = .explicit
            } else {
                presence = .implicit
            }
            let storedDirectly = !info.usesStorage && {
                switch presence {
                case .implicit, .repeated, .map: true
                default: false
                }
            }()
            let packable: Bool = {
                switch field.type {
                case .string, .bytes, .message, .group: false
                default: true
                }
            }()
            let plan = FieldPlan(
                descriptor: field, name: name, backing: storedDirectly ? name : "_" + name, presence: presence,
                value: value, packed: packable && (field.packedOption ?? isProto3),
                comment: comments.text(for: path + [2, Int32(offset)]))
            if case .oneofMember(let oneof) = presence { oneof.members.append(plan) }
            plans.append(plan)
        }
        let orderedOneofs = oneofs.keys.sorted().map { oneofs[$0]! }
        return (plans, orderedOneofs)
    }

    private func plan(_ field: FieldDescriptor, name: String) -> FieldPlan {
        FieldPlan(
            descriptor: field, name: name, backing: name, presence: .implicit, value: plannedValue(field),
            packed: false, comment: "")
    }

    private func plannedValue(_ field: FieldDescriptor) -> FieldPlan.Value {
        switch field.type {
        case .enum:
            guard let enumInfo = index.enumInfo(field.typeName) else { fatalError("unknown enum \(field.typeName)") }
            return .enumeration(enumInfo)
        case .message:
            guard let message = index.message(field.typeName) else { fatalError("unknown message \(field.typeName)") }
            return .message(message)
        case .group:
            guard let message = index.message(field.typeName) else { fatalError("unknown group \(field.typeName)") }
            return .group(message)
        default:
            let scalar = scalarCodec(field.type)!
            return .scalar(codec: scalar.codec, swiftType: scalar.swiftType)
        }
    }

    // MARK: Nested types

    private func generateNestedTypes(into printer: inout CodePrinter) {
        for (offset, nested) in descriptor.enums.enumerated() {
            let enumInfo = index.enumInfo(info.fullName + "." + nested.name)!
            EnumGenerator(info: enumInfo, comments: comments, path: path + [4, Int32(offset)]).generate(into: &printer)
            printer.line()
        }
        for (offset, nested) in descriptor.nestedMessages.enumerated() where !nested.isMapEntry {
            let nestedInfo = index.message(info.fullName + "." + nested.name)!
            MessageGenerator(info: nestedInfo, index: index, comments: comments, path: path + [3, Int32(offset)])
                .generate(into: &printer)
            printer.line()
        }
    }

    private func generateOneofEnum(_ oneof: OneofPlan, into printer: inout CodePrinter) {
        printer.docComment(oneof.comment)
        printer.block("public enum \(oneof.enumName): Swift.Hashable, Swift.Sendable") { p in
            for member in oneof.members {
                p.docComment(member.comment)
                p.line("case \(SwiftNaming.escaped(member.name))(\(member.swiftType))")
            }
        }
        printer.line()
    }

    // MARK: Fields

    private func typeOfStored(_ field: FieldPlan) -> String {
        switch field.presence {
        case .implicit: field.swiftType
        case .explicit: field.swiftType + "?"
        case .repeated: "[\(field.swiftType)]"
        case .map(let key, let value): "[\(key.swiftType): \(value.swiftType)]"
        case .oneofMember: fatalError("oneof members are not stored")
        }
    }

    private func initialValue(_ field: FieldPlan) -> String {
        switch field.presence {
        case .implicit: field.defaultExpression
        case .explicit: "nil"
        case .repeated: "[]"
        case .map: "[:]"
        case .oneofMember: fatalError("oneof members are not stored")
        }
    }

    private func generateStoredFields(fields: [FieldPlan], oneofs: [OneofPlan], into printer: inout CodePrinter) {
        for field in fields {
            switch field.presence {
            case .implicit, .repeated, .map:
                printer.docComment(field.comment)
                printer.line("public var \(SwiftNaming.escaped(field.name)): \(typeOfStored(field)) = \(initialValue(field))")
            case .explicit:
                printer.line("fileprivate var \(field.backing): \(typeOfStored(field)) = nil")
                generatePresenceAccessors(field, storage: "self.\(field.backing)", into: &printer)
            case .oneofMember(let oneof):
                generateOneofMemberAccessor(field, oneof: oneof, storage: "self.\(oneof.backing)", into: &printer)
            }
            printer.line()
        }
        for oneof in oneofs {
            printer.docComment(oneof.comment)
            printer.line("public var \(SwiftNaming.escaped(oneof.name)): \(oneof.enumName)? = nil")
            printer.line()
        }
        printer.line("public var unknownFields = ProtoWire.UnknownFields()")
        printer.line()
    }

    private func generateStorageAccessors(fields: [FieldPlan], oneofs: [OneofPlan], into printer: inout CodePrinter) {
        printer.line("/// Field storage shared between copies until one of them writes (copy-on-write).")
        printer.line("/// @unchecked Sendable: an instance is only mutated after `_uniqueStorage()` has made it")
        printer.line("/// unique to one value, so no two threads ever see a storage object that is being written.")
        printer.block("fileprivate final class _StorageClass: @unchecked Swift.Sendable") { p in
            for field in fields {
                if case .oneofMember = field.presence { continue }
                p.line("var \(field.backing): \(typeOfStored(field)) = \(initialValue(field))")
            }
            for oneof in oneofs { p.line("var \(oneof.backing): \(oneof.enumName)? = nil") }
            p.line("var _unknownFields = ProtoWire.UnknownFields()")
            p.line()
            p.line("init() {}")
            p.line()
            p.block("init(copying source: _StorageClass)") { p in
                for field in fields {
                    if case .oneofMember = field.presence { continue }
                    p.line("\(field.backing) = source.\(field.backing)")
                }
                for oneof in oneofs { p.line("\(oneof.backing) = source.\(oneof.backing)") }
                p.line("_unknownFields = source._unknownFields")
            }
        }
        printer.line()
        printer.line("fileprivate var _storage = _StorageClass()")
        printer.line()
        printer.block("fileprivate mutating func _uniqueStorage() -> _StorageClass") { p in
            p.block("if !Swift.isKnownUniquelyReferenced(&_storage)") { p in
                p.line("_storage = _StorageClass(copying: _storage)")
            }
            p.line("return _storage")
        }
        printer.line()
        for field in fields {
            switch field.presence {
            case .implicit, .repeated, .map:
                printer.docComment(field.comment)
                printer.block("public var \(SwiftNaming.escaped(field.name)): \(typeOfStored(field))") { p in
                    p.line("get { _storage.\(field.backing) }")
                    p.line("set { _uniqueStorage().\(field.backing) = newValue }")
                }
            case .explicit:
                generatePresenceAccessors(field, storage: "_storage.\(field.backing)", into: &printer)
            case .oneofMember(let oneof):
                generateOneofMemberAccessor(field, oneof: oneof, storage: "_storage.\(oneof.backing)", into: &printer)
            }
            printer.line()
        }
        for oneof in oneofs {
            printer.docComment(oneof.comment)
            printer.block("public var \(SwiftNaming.escaped(oneof.name)): \(oneof.enumName)?") { p in
                p.line("get { _storage.\(oneof.backing) }")
                p.line("set { _uniqueStorage().\(oneof.backing) = newValue }")
            }
            printer.line()
        }
        printer.block("public var unknownFields: ProtoWire.UnknownFields") { p in
            p.line("get { _storage._unknownFields }")
            p.line("set { _uniqueStorage()._unknownFields = newValue }")
        }
        printer.line()
    }

    private func writableStorage(_ read: String) -> String {
        read.hasPrefix("_storage.") ? "_uniqueStorage()." + read.dropFirst("_storage.".count) : read
    }

    private func generatePresenceAccessors(_ field: FieldPlan, storage: String, into printer: inout CodePrinter) {
        let upper = field.name.prefix(1).uppercased() + field.name.dropFirst()
        printer.docComment(field.comment)
        printer.block("public var \(SwiftNaming.escaped(field.name)): \(field.swiftType)") { p in
            p.line("get { \(storage) ?? \(field.defaultExpression) }")
            p.line("set { \(writableStorage(storage)) = newValue }")
        }
        printer.line("/// Whether `\(field.name)` was set (or read from the wire), even to its default.")
        printer.line("public var has\(upper): Swift.Bool { \(storage) != nil }")
        printer.line("/// Returns `\(field.name)` to unset.")
        printer.line("public mutating func clear\(upper)() { \(writableStorage(storage)) = nil }")
    }

    private func generateOneofMemberAccessor(
        _ field: FieldPlan, oneof: OneofPlan, storage: String, into printer: inout CodePrinter
    ) {
        let caseName = SwiftNaming.escaped(field.name)
        printer.docComment(field.comment)
        printer.block("public var \(caseName): \(field.swiftType)") { p in
            p.block("get") { p in
                p.line("if case .\(caseName)(let value)? = \(storage) { return value }")
                p.line("return \(field.defaultExpression)")
            }
            p.line("set { \(writableStorage(storage)) = .\(caseName)(newValue) }")
        }
    }

    // MARK: Decoding

    private func base(_ member: String) -> String { info.usesStorage ? "_s." + member : "self." + member }

    private var unknownFields: String { info.usesStorage ? "_s._unknownFields" : "self.unknownFields" }

    private func generateDecode(fields: [FieldPlan], into printer: inout CodePrinter) {
        printer.block(
            "public mutating func decodeFields(from reader: inout ProtoWire.WireReader) throws(ProtoWire.WireError)"
        ) { p in
            if info.usesStorage { p.line("let _s = _uniqueStorage()") }
            p.block("while let tag = try reader.nextTag()") { p in
                p.line("switch tag.rawValue {")
                for field in fields.sorted(by: { $0.number < $1.number }) {
                    decodeCases(field, into: &p)
                }
                p.line("default: try reader.skipField(tag, into: &\(unknownFields))")
                p.line("}")
            }
        }
    }

    private func decodeCases(_ field: FieldPlan, into p: inout CodePrinter) {
        let target = base(field.backing)
        let number = field.number
        switch field.presence {
        case .implicit, .explicit:
            switch field.value {
            case .message:
                p.line("case \(field.tag): try reader.readMessage(into: &\(target))")
            case .group:
                p.line("case \(field.tag): try reader.readGroup(fieldNumber: \(number), into: &\(target))")
            case .enumeration(let enumInfo) where enumInfo.isClosed:
                p.line("case \(field.tag):")
                p.line(
                    "    if let value = try reader.readClosedEnum(\(enumInfo.swiftName).self, fieldNumber: \(number), unknownFields: &\(unknownFields)) { \(target) = value }"
                )
            default:
                p.line("case \(field.tag): \(target) = try reader.read(\(field.codec).self)")
            }
        case .repeated:
            switch field.value {
            case .group(let message):
                p.line("case \(field.tag):")
                p.line("    var value = \(message.swiftName)()")
                p.line("    try reader.readGroup(fieldNumber: \(number), into: &value)")
                p.line("    \(target).append(value)")
            case .enumeration(let enumInfo) where enumInfo.isClosed:
                p.line("case \(field.tag(2)):")
                p.line(
                    "    try reader.readPackedClosedEnum(\(enumInfo.swiftName).self, fieldNumber: \(number), into: &\(target), unknownFields: &\(unknownFields))"
                )
                p.line("case \(field.tag):")
                p.line(
                    "    if let value = try reader.readClosedEnum(\(enumInfo.swiftName).self, fieldNumber: \(number), unknownFields: &\(unknownFields)) { \(target).append(value) }"
                )
            default:
                if field.isPackable {
                    p.line("case \(field.tag(2)): try reader.readPacked(\(field.codec).self, into: &\(target))")
                }
                p.line("case \(field.tag): \(target).append(try reader.read(\(field.codec).self))")
            }
        case .map(let key, let value):
            if case .enumeration(let enumInfo) = value.value, enumInfo.isClosed {
                p.line(
                    "case \(field.tag): try reader.readMapEntryClosedEnum(\(key.codec).self, \(enumInfo.swiftName).self, into: &\(target), unknownFields: &\(unknownFields))"
                )
            } else {
                p.line("case \(field.tag): try reader.readMapEntry(\(key.codec).self, \(value.codec).self, into: &\(target))")
            }
        case .oneofMember(let oneof):
            let storage = base(oneof.backing)
            let caseName = SwiftNaming.escaped(field.name)
            switch field.value {
            case .message(let message), .group(let message):
                p.line("case \(field.tag):")
                p.line("    var value = \(message.swiftName)()")
                p.line("    if case .\(caseName)(let existing)? = \(storage) {")
                p.line("        value = existing")
                p.line("        \(storage) = nil")
                p.line("    }")
                p.line("    defer { \(storage) = .\(caseName)(value) }")
                if case .group = field.value {
                    p.line("    try reader.readGroup(fieldNumber: \(number), into: &value)")
                } else {
                    p.line("    try reader.readMessage(into: &value)")
                }
            case .enumeration(let enumInfo) where enumInfo.isClosed:
                p.line("case \(field.tag):")
                p.line(
                    "    if let value = try reader.readClosedEnum(\(enumInfo.swiftName).self, fieldNumber: \(number), unknownFields: &\(unknownFields)) { \(storage) = .\(caseName)(value) }"
                )
            default:
                p.line("case \(field.tag): \(storage) = .\(caseName)(try reader.read(\(field.codec).self))")
            }
        }
    }

    // MARK: Size and encoding

    /// Fields in number order, with each oneof standing once at the place of its first member
    /// (the size pass only adds, so one switch per oneof is enough there).
    private func encodingOrder(_ fields: [FieldPlan]) -> [Either] {
        var seen: Set<ObjectIdentifier> = []
        var order: [Either] = []
        for field in fields.sorted(by: { $0.number < $1.number }) {
            if case .oneofMember(let oneof) = field.presence {
                if seen.insert(ObjectIdentifier(oneof)).inserted { order.append(.oneof(oneof)) }
            } else {
                order.append(.field(field))
            }
        }
        return order
    }

    private enum Either {
        case field(FieldPlan)
        case oneof(OneofPlan)
    }

    private func generateSize(fields: [FieldPlan], into printer: inout CodePrinter) {
        printer.block("public func serializedSize() -> Swift.Int") { p in
            if info.usesStorage { p.line("let _s = _storage") }
            p.line("var size = 0")
            for item in encodingOrder(fields) {
                switch item {
                case .field(let field): sizeLines(field, into: &p)
                case .oneof(let oneof):
                    p.line("switch \(base(oneof.backing)) {")
                    for member in oneof.members.sorted(by: { $0.number < $1.number }) {
                        p.line("case .\(SwiftNaming.escaped(member.name))(let value)?:")
                        p.line("    size += \(valueSizeExpression(member, "value"))")
                    }
                    p.line("case nil: break")
                    p.line("}")
                }
            }
            p.line("size += \(unknownFields).bytes.count")
            p.line("return size")
        }
    }

    /// The size of one occurrence of `field` holding `value`, tag included.
    private func valueSizeExpression(_ field: FieldPlan, _ value: String) -> String {
        switch field.value {
        case .group: "\(field.tagSize * 2) + \(value).serializedSize()"
        case .message: "\(field.tagSize) + ProtoWire.WireSize.message(\(value))"
        default: "\(field.tagSize) + \(field.codec).size(of: \(value))"
        }
    }

    private func sizeLines(_ field: FieldPlan, into p: inout CodePrinter) {
        let stored = base(field.backing)
        switch field.presence {
        case .implicit:
            p.line("if \(field.isNonDefault(stored)) { size += \(valueSizeExpression(field, stored)) }")
        case .explicit:
            p.line("if let value = \(stored) { size += \(valueSizeExpression(field, "value")) }")
        case .repeated:
            if field.packed {
                p.line("size += ProtoWire.WireSize.packed(\(field.codec).self, \(stored), tagSize: \(field.tagSize))")
            } else if case .group = field.value {
                p.line("for value in \(stored) { size += \(valueSizeExpression(field, "value")) }")
            } else if case .scalar(let codec, _) = field.value, ["WireFixed32", "WireSFixed32", "WireFloat"].contains(codec) {
                p.line("size += \(stored).count * \(field.tagSize + 4)")
            } else if case .scalar(let codec, _) = field.value, ["WireFixed64", "WireSFixed64", "WireDouble"].contains(codec) {
                p.line("size += \(stored).count * \(field.tagSize + 8)")
            } else {
                p.line("for value in \(stored) { size += \(valueSizeExpression(field, "value")) }")
            }
        case .map(let key, let value):
            p.line(
                "size += ProtoWire.WireSize.map(\(key.codec).self, \(value.codec).self, \(stored), tagSize: \(field.tagSize))"
            )
        case .oneofMember:
            break
        }
    }

    private func generateEncode(fields: [FieldPlan], into printer: inout CodePrinter) {
        printer.block("public func encodeFields(to writer: inout ProtoWire.WireWriter)") { p in
            if info.usesStorage { p.line("let _s = _storage") }
            // Strictly by field number, oneof members included, as protoc and C++ write.
            for field in fields.sorted(by: { $0.number < $1.number }) {
                if case .oneofMember(let oneof) = field.presence {
                    p.block("if case .\(SwiftNaming.escaped(field.name))(let value)? = \(base(oneof.backing))") { p in
                        writeValueLines(field, "value", into: &p)
                    }
                } else {
                    encodeLines(field, into: &p)
                }
            }
            p.line("writer.writeUnknownFields(\(unknownFields))")
        }
    }

    private func writeValueLines(_ field: FieldPlan, _ value: String, into p: inout CodePrinter) {
        switch field.value {
        case .group:
            p.line("writer.writeTag(\(field.tag(3)))")
            p.line("\(value).encodeFields(to: &writer)")
            p.line("writer.writeTag(\(field.tag(4)))")
        case .message:
            p.line("writer.writeTag(\(field.tag))")
            p.line("writer.writeMessage(\(value))")
        default:
            p.line("writer.writeTag(\(field.tag))")
            p.line("\(field.codec).write(\(value), to: &writer)")
        }
    }

    private func encodeLines(_ field: FieldPlan, into p: inout CodePrinter) {
        let stored = base(field.backing)
        switch field.presence {
        case .implicit:
            p.block("if \(field.isNonDefault(stored))") { p in writeValueLines(field, stored, into: &p) }
        case .explicit:
            p.block("if let value = \(stored)") { p in writeValueLines(field, "value", into: &p) }
        case .repeated:
            if field.packed {
                p.block("if !\(stored).isEmpty") { p in
                    p.line("writer.writePacked(\(field.codec).self, \(stored), tag: \(field.tag(2)))")
                }
            } else {
                p.block("for value in \(stored)") { p in writeValueLines(field, "value", into: &p) }
            }
        case .map(let key, let value):
            p.block("if !\(stored).isEmpty") { p in
                p.line("writer.writeMap(\(key.codec).self, \(value.codec).self, \(stored), tag: \(field.tag))")
            }
        case .oneofMember:
            break
        }
    }

    // MARK: Hashable for storage-backed messages

    private func generateHashable(fields: [FieldPlan], oneofs: [OneofPlan], into printer: inout CodePrinter) {
        var members: [String] = fields.compactMap { field in
            if case .oneofMember = field.presence { return nil }
            return field.backing
        }
        members += oneofs.map(\.backing)
        members.append("_unknownFields")
        let typeName = String(info.swiftName.split(separator: ".").last!)
        printer.block("public static func == (lhs: \(typeName), rhs: \(typeName)) -> Swift.Bool") { p in
            p.line("if lhs._storage === rhs._storage { return true }")
            p.line("let l = lhs._storage, r = rhs._storage")
            for member in members {
                p.line("if l.\(member) != r.\(member) { return false }")
            }
            p.line("return true")
        }
        printer.line()
        printer.block("public func hash(into hasher: inout Swift.Hasher)") { p in
            p.line("let s = _storage")
            for member in members { p.line("hasher.combine(s.\(member))") }
        }
    }
}
