// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler
import ProtoWire

/// Turns decoded `FileDescriptor`s into the resolved tables of a `PoolStorage`.
///
/// Two passes: the first gives every message and enum of every file an index under its
/// fully-qualified name; the second builds the records and resolves each field's type name to
/// one of those indices, so a missing import or a misspelt type fails here, once, with the name
/// of the field that refers to it — not later in the middle of a request.
struct PoolBuilder {
    private struct PendingMessage {
        let fullName: String
        let descriptor: MessageDescriptor
        let file: FileDescriptor
    }

    private struct PendingEnum {
        let fullName: String
        let descriptor: EnumDescriptor
        let file: FileDescriptor
    }

    private var pendingMessages: [PendingMessage] = []
    private var pendingEnums: [PendingEnum] = []
    private var messageIndexByName: [String: Int] = [:]
    private var enumIndexByName: [String: Int] = [:]

    /// Decodes one serialized `FileDescriptorProto`.
    ///
    /// ProtoCompiler decodes single files only as part of a `FileDescriptorSet`, so the bytes are
    /// wrapped as the set's only `file` entry (field 1, length-delimited) and decoded that way.
    static func decodeFile(_ data: FileDescriptorData) throws(DescriptorPoolError) -> FileDescriptor {
        let payload = data.serializedDescriptor
        var wrapped: [UInt8] = [1 << 3 | 2]
        var length = UInt64(payload.count)
        while length >= 0x80 {
            wrapped.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        wrapped.append(UInt8(length))
        wrapped.append(contentsOf: payload)
        let set: FileDescriptorSet
        do {
            set = try FileDescriptorSet(serializedBytes: wrapped)
        } catch {
            throw DescriptorPoolError(.malformedDescriptor, "the descriptor of \(data.name) is malformed: \(error)")
        }
        guard let file = set.files.first else {
            throw DescriptorPoolError(.malformedDescriptor, "the descriptor of \(data.name) is empty")
        }
        return file
    }

    static func build(_ files: [FileDescriptor]) throws(DescriptorPoolError) -> PoolStorage {
        var builder = PoolBuilder()
        var seenFiles: [String: Int] = [:]
        var unique: [FileDescriptor] = []
        for file in files {
            if let earlier = seenFiles[file.name] {
                // The same file listed twice (say, by two modules that both import it) is harmless.
                if unique[earlier].serializedWithoutSourceInfo == file.serializedWithoutSourceInfo { continue }
                throw DescriptorPoolError(.duplicateName, "two different files are named \(file.name)")
            }
            seenFiles[file.name] = unique.count
            unique.append(file)
        }
        for file in unique {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messages {
                try builder.register(message, fullName: prefix + message.name, file: file)
            }
            for enumDescriptor in file.enums {
                try builder.register(enumDescriptor, fullName: prefix + enumDescriptor.name, file: file)
            }
        }
        var messages: [PoolStorage.MessageRecord] = []
        messages.reserveCapacity(builder.pendingMessages.count)
        for pending in builder.pendingMessages {
            messages.append(try builder.resolve(pending))
        }
        let enums = builder.pendingEnums.map { pending in
            PoolStorage.EnumRecord(
                fullName: pending.fullName,
                name: pending.descriptor.name,
                values: pending.descriptor.values,
                isClosed: !(pending.file.isProto3 || pending.file.syntax == "editions"),
                valuePrefix: Self.enumValuePrefix(pending.descriptor.name))
        }
        var services: [PoolStorage.ServiceRecord] = []
        var serviceIndexByName: [String: Int] = [:]
        for file in unique {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for service in file.services {
                let fullName = prefix + service.name
                guard serviceIndexByName[fullName] == nil else {
                    throw DescriptorPoolError(.duplicateName, "service \(fullName) is defined twice")
                }
                var methods: [PoolStorage.MethodRecord] = []
                for method in service.methods {
                    let input = try builder.messageIndex(method.inputType, user: "method \(fullName)/\(method.name)")
                    let output = try builder.messageIndex(method.outputType, user: "method \(fullName)/\(method.name)")
                    methods.append(
                        PoolStorage.MethodRecord(
                            name: method.name, inputIndex: input, outputIndex: output,
                            clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming))
                }
                serviceIndexByName[fullName] = services.count
                services.append(PoolStorage.ServiceRecord(fullName: fullName, methods: methods))
            }
        }
        return PoolStorage(
            messages: messages, enums: enums, services: services,
            messageIndexByName: builder.messageIndexByName, enumIndexByName: builder.enumIndexByName,
            serviceIndexByName: serviceIndexByName, fileNames: unique.map(\.name))
    }

    private mutating func register(
        _ message: MessageDescriptor, fullName: String, file: FileDescriptor
    ) throws(DescriptorPoolError) {
        guard messageIndexByName[fullName] == nil, enumIndexByName[fullName] == nil else {
            throw DescriptorPoolError(.duplicateName, "\(fullName) is defined twice (again in \(file.name))")
        }
        messageIndexByName[fullName] = pendingMessages.count
        pendingMessages.append(PendingMessage(fullName: fullName, descriptor: message, file: file))
        for nested in message.nestedMessages {
            try register(nested, fullName: fullName + "." + nested.name, file: file)
        }
        for nested in message.enums {
            try register(nested, fullName: fullName + "." + nested.name, file: file)
        }
    }

    private mutating func register(
        _ enumDescriptor: EnumDescriptor, fullName: String, file: FileDescriptor
    ) throws(DescriptorPoolError) {
        guard messageIndexByName[fullName] == nil, enumIndexByName[fullName] == nil else {
            throw DescriptorPoolError(.duplicateName, "\(fullName) is defined twice (again in \(file.name))")
        }
        enumIndexByName[fullName] = pendingEnums.count
        pendingEnums.append(PendingEnum(fullName: fullName, descriptor: enumDescriptor, file: file))
    }

    private func messageIndex(_ typeName: String, user: String) throws(DescriptorPoolError) -> Int {
        guard let index = messageIndexByName[DescriptorPool.stripDot(typeName)] else {
            throw DescriptorPoolError(.unresolvedType, "\(user) refers to the unknown message type \(typeName)")
        }
        return index
    }

    private func resolve(_ pending: PendingMessage) throws(DescriptorPoolError) -> PoolStorage.MessageRecord {
        let file = pending.file
        let packedByDefault = file.isProto3 || file.syntax == "editions"
        let sorted = pending.descriptor.fields.filter { !$0.isExtension }.sorted { $0.number < $1.number }

        // Real oneofs are those with at least one member that is not a proto3 `optional`.
        var realOneofIndex: [Int: Int] = [:]
        var oneofMembers: [[Int]] = []
        var oneofNames: [String] = []
        for (position, field) in sorted.enumerated() {
            guard let declared = field.oneofIndex, !field.proto3Optional else { continue }
            let index: Int
            if let existing = realOneofIndex[declared] {
                index = existing
            } else {
                index = oneofMembers.count
                realOneofIndex[declared] = index
                oneofMembers.append([])
                let names = pending.descriptor.oneofNames
                oneofNames.append(declared < names.count ? names[declared] : "oneof_\(declared)")
            }
            oneofMembers[index].append(position)
        }

        var fields: [PoolStorage.FieldRecord] = []
        var byNumber: [Int: Int] = [:]
        var byName: [String: Int] = [:]
        for (position, field) in sorted.enumerated() {
            let user = "field \(pending.fullName).\(field.name)"
            var typeIndex = -1
            var isMap = false
            switch field.type {
            case .message, .group:
                typeIndex = try messageIndex(field.typeName, user: user)
                isMap = field.label == .repeated && pendingMessages[typeIndex].descriptor.isMapEntry
            case .enum:
                guard let index = enumIndexByName[DescriptorPool.stripDot(field.typeName)] else {
                    throw DescriptorPoolError(
                        .unresolvedType, "\(user) refers to the unknown enum type \(field.typeName)")
                }
                typeIndex = index
            default:
                break
            }
            let isRepeated = field.label == .repeated
            let isScalarNumeric =
                !(field.type == .string || field.type == .bytes || field.type == .message
                || field.type == .group)
            let oneof = field.proto3Optional ? nil : field.oneofIndex.flatMap { realOneofIndex[$0] }
            let hasPresence: Bool =
                if isRepeated {
                    false
                } else if field.type == .message || field.type == .group || field.oneofIndex != nil {
                    true
                } else {
                    !file.isProto3
                }
            let jsonName = field.jsonName.isEmpty ? Self.lowerCamel(field.name) : field.jsonName
            fields.append(
                PoolStorage.FieldRecord(
                    name: field.name, jsonName: jsonName, number: field.number, type: field.type,
                    isRepeated: isRepeated, typeIndex: typeIndex, oneofIndex: oneof, hasPresence: hasPresence,
                    isPacked: isRepeated && isScalarNumeric && (field.packedOption ?? packedByDefault),
                    isMap: isMap, defaultValue: field.defaultValue))
            byNumber[field.number] = position
        }
        // JSON names first, so that a proto name always wins a clash between the two.
        for (position, field) in fields.enumerated() { byName[field.jsonName] = position }
        for (position, field) in fields.enumerated() { byName[field.name] = position }

        return PoolStorage.MessageRecord(
            fullName: pending.fullName, name: pending.descriptor.name, fileName: file.name,
            isProto3: file.isProto3, isMapEntry: pending.descriptor.isMapEntry, fields: fields,
            fieldIndexByNumber: byNumber, fieldIndexByName: byName,
            oneofs: zip(oneofNames, oneofMembers).map { PoolStorage.OneofRecord(name: $0, fieldIndices: $1) },
            wellKnown: WellKnownType(fullName: pending.fullName))
    }

    /// protoc's JSON name: underscores dropped, the letter after each one upper-cased.
    static func lowerCamel(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The conventional prefix of an enum's value names: `PpuSchema` → `PPU_SCHEMA_`,
    /// `HTTPStatus` → `HTTP_STATUS_`.
    static func enumValuePrefix(_ enumName: String) -> String {
        let characters = Array(enumName)
        var result = ""
        for (index, character) in characters.enumerated() {
            if index > 0, character.isUppercase {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    result += "_"
                }
            }
            result += character.uppercased()
        }
        return result + "_"
    }
}
