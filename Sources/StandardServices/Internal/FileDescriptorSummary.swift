// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import ProtoWire

/// What server reflection needs to know about one serialized `FileDescriptorProto`: the names it
/// defines and the extensions it declares.
///
/// Reflection answers "which file defines this symbol?", so it needs an index of names, not a
/// descriptor model. Reading only the handful of name fields with `WireReader` keeps this module
/// free of the descriptor compiler (a tool-layer module) and costs one scan per file at start-up.
struct FileDescriptorSummary: Sendable, Equatable {
    /// An extension field declared in the file, keyed as `file_containing_extension` asks for it.
    struct Extension: Sendable, Hashable {
        /// The fully-qualified name of the extended message, without a leading dot.
        var extendee: String
        var number: Int32
    }

    var name = ""
    var package = ""
    var dependencies: [String] = []
    /// Every fully-qualified name the file defines: messages (nested too), fields, oneofs, enums,
    /// enum values, services, methods and extensions, as `file_containing_symbol` may ask for them.
    var symbols: [String] = []
    /// The subset of `symbols` that are messages, which alone can be asked for their extensions.
    var messageTypes: [String] = []
    var extensions: [Extension] = []

    /// Nesting deeper than this is rejected: real schemas nest a few levels, and a crafted
    /// descriptor must not exhaust the stack.
    static let depthLimit = 64

    /// Scans a serialized `FileDescriptorProto`, throwing for bytes that are not one.
    init(decoding bytes: [UInt8]) throws(WireError) {
        let scanned: Result<FileDescriptorSummary, WireError> = bytes.withUnsafeBytes { buffer in
            do throws(WireError) {
                var summary = FileDescriptorSummary()
                try summary.scanFile(buffer)
                return .success(summary)
            } catch {
                return .failure(error)
            }
        }
        self = try scanned.get()
    }

    private init() {}
}

// MARK: Scanning

extension FileDescriptorSummary {
    /// FileDescriptorProto: name 1, package 2, dependency 3, message_type 4, enum_type 5, service 6,
    /// extension 7. The package is read first so scoping never depends on field order.
    private mutating func scanFile(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            switch tag.rawValue {
            case 0x0A: name = try reader.readString()
            case 0x12: package = try reader.readString()
            case 0x1A: dependencies.append(try reader.readString())
            default: try reader.skipValue(tag)
            }
        }
        let scope = package
        reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            switch tag.rawValue {
            case 0x22: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanMessage(bytes, scope: scope, depth: 1) }
            case 0x2A: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanEnum(bytes, scope: scope) }
            case 0x32: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanService(bytes, scope: scope) }
            case 0x3A: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanField(bytes, scope: scope, isExtension: true) }
            default: try reader.skipValue(tag)
            }
        }
    }

    /// DescriptorProto: name 1, field 2, nested_type 3, enum_type 4, extension 6, oneof_decl 8.
    private mutating func scanMessage(_ bytes: UnsafeRawBufferPointer, scope: String, depth: Int) throws(WireError) {
        guard depth <= Self.depthLimit else { throw WireError(code: .depthLimitExceeded, offset: 0) }
        let fullName = Self.qualified(try Self.readName(bytes), in: scope)
        symbols.append(fullName)
        messageTypes.append(fullName)
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            switch tag.rawValue {
            case 0x12: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanField(bytes, scope: fullName, isExtension: false) }
            case 0x1A: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanMessage(bytes, scope: fullName, depth: depth + 1) }
            case 0x22: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanEnum(bytes, scope: fullName) }
            case 0x32: try reader.withLengthDelimited { (bytes) throws(WireError) in try scanField(bytes, scope: fullName, isExtension: true) }
            case 0x42: symbols.append(Self.qualified(try reader.withLengthDelimited(Self.readName), in: fullName))
            default: try reader.skipValue(tag)
            }
        }
    }

    /// FieldDescriptorProto: name 1, extendee 2, number 3. Protoc writes the extendee fully
    /// qualified with a leading dot.
    private mutating func scanField(_ bytes: UnsafeRawBufferPointer, scope: String, isExtension: Bool) throws(WireError) {
        var name = ""
        var extendee = ""
        var number: Int32 = 0
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            switch tag.rawValue {
            case 0x0A: name = try reader.readString()
            case 0x12: extendee = try reader.readString()
            case 0x18: number = Int32(truncatingIfNeeded: try reader.readVarint())
            default: try reader.skipValue(tag)
            }
        }
        symbols.append(Self.qualified(name, in: scope))
        if isExtension {
            extensions.append(Extension(extendee: Self.withoutLeadingDot(extendee), number: number))
        }
    }

    /// EnumDescriptorProto: name 1, value 2. Enum values are scoped as siblings of their enum, as
    /// in C++ (`pkg.VALUE`, not `pkg.Enum.VALUE`).
    private mutating func scanEnum(_ bytes: UnsafeRawBufferPointer, scope: String) throws(WireError) {
        symbols.append(Self.qualified(try Self.readName(bytes), in: scope))
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            if tag.rawValue == 0x12 {
                symbols.append(Self.qualified(try reader.withLengthDelimited(Self.readName), in: scope))
            } else {
                try reader.skipValue(tag)
            }
        }
    }

    /// ServiceDescriptorProto: name 1, method 2.
    private mutating func scanService(_ bytes: UnsafeRawBufferPointer, scope: String) throws(WireError) {
        let fullName = Self.qualified(try Self.readName(bytes), in: scope)
        symbols.append(fullName)
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            if tag.rawValue == 0x12 {
                symbols.append(Self.qualified(try reader.withLengthDelimited(Self.readName), in: fullName))
            } else {
                try reader.skipValue(tag)
            }
        }
    }

    /// The `name` (field 1) of a descriptor message, wherever it appears among the fields.
    private static func readName(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> String {
        var name = ""
        var reader = WireReader(bytes: bytes)
        while let tag = try reader.nextTag() {
            if tag.rawValue == 0x0A { name = try reader.readString() } else { try reader.skipValue(tag) }
        }
        return name
    }

    private static func qualified(_ name: String, in scope: String) -> String {
        scope.isEmpty ? name : scope + "." + name
    }

    static func withoutLeadingDot(_ name: String) -> String {
        name.hasPrefix(".") ? String(name.dropFirst()) : name
    }
}
