// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

import ProtoWire

/// The parts of `google/protobuf/descriptor.proto` the generator needs, decoded with ProtoWire.
///
/// These are written by hand once (rather than generated) because the generator needs them before
/// it can generate anything; decoding protoc's own output is also the codec's first real test.

/// A `FileDescriptorSet`: every file protoc parsed, imports first.
public struct FileDescriptorSet: Sendable {
    public var files: [FileDescriptor] = []

    public init(serializedBytes bytes: [UInt8]) throws(WireError) {
        var failure: WireError?
        var decoded: [FileDescriptor] = []
        bytes.withUnsafeBytes { raw in
            do throws(WireError) {
                var reader = WireReader(bytes: raw)
                while let tag = try reader.nextTag() {
                    if tag.rawValue == 1 << 3 | 2 {
                        decoded.append(try reader.withLengthDelimited { (raw) throws(WireError) in try FileDescriptor(raw) })
                    } else {
                        try reader.skipValue(tag)
                    }
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        files = decoded
    }
}

/// Decodes one descriptor message field by field.
protocol DescriptorMessage {
    init()
    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError)
}

extension DescriptorMessage {
    init(_ raw: UnsafeRawBufferPointer) throws(WireError) {
        self.init()
        var reader = WireReader(bytes: raw)
        while let tag = try reader.nextTag() {
            try decode(tag, &reader)
        }
    }
}

extension WireReader {
    mutating func readDescriptor<D: DescriptorMessage>(_ type: D.Type) throws(WireError) -> D {
        try withLengthDelimited { (raw) throws(WireError) in try D(raw) }
    }

    mutating func readInt() throws(WireError) -> Int {
        Int(Int32(truncatingIfNeeded: try readVarint()))
    }
}

public struct FileDescriptor: Sendable, DescriptorMessage {
    public var name = ""
    public var package = ""
    public var dependencies: [String] = []
    public var messages: [MessageDescriptor] = []
    public var enums: [EnumDescriptor] = []
    public var services: [ServiceDescriptor] = []
    public var syntax = ""
    public var locations: [SourceLocation] = []
    /// The file's own encoding without `source_code_info`, as server reflection serves it.
    public var serializedWithoutSourceInfo: [UInt8] = []

    public var isProto3: Bool { syntax == "proto3" }

    public init() {}

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        switch tag.rawValue {
        case 1 << 3 | 2: name = try reader.readString()
        case 2 << 3 | 2: package = try reader.readString()
        case 3 << 3 | 2: dependencies.append(try reader.readString())
        case 4 << 3 | 2: messages.append(try reader.readDescriptor(MessageDescriptor.self))
        case 5 << 3 | 2: enums.append(try reader.readDescriptor(EnumDescriptor.self))
        case 6 << 3 | 2: services.append(try reader.readDescriptor(ServiceDescriptor.self))
        case 9 << 3 | 2:
            let info = try reader.readDescriptor(SourceCodeInfo.self)
            locations = info.locations
            return
        case 12 << 3 | 2: syntax = try reader.readString()
        default: try reader.skipValue(tag)
        }
        serializedWithoutSourceInfo.append(contentsOf: reader.currentFieldBytes)
    }
}

public struct MessageDescriptor: Sendable, DescriptorMessage {
    public var name = ""
    public var fields: [FieldDescriptor] = []
    public var nestedMessages: [MessageDescriptor] = []
    public var enums: [EnumDescriptor] = []
    public var oneofNames: [String] = []
    public var isMapEntry = false

    public init() {}

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        switch tag.rawValue {
        case 1 << 3 | 2: name = try reader.readString()
        case 2 << 3 | 2: fields.append(try reader.readDescriptor(FieldDescriptor.self))
        case 3 << 3 | 2: nestedMessages.append(try reader.readDescriptor(MessageDescriptor.self))
        case 4 << 3 | 2: enums.append(try reader.readDescriptor(EnumDescriptor.self))
        case 7 << 3 | 2: isMapEntry = try reader.readDescriptor(MessageOptions.self).mapEntry
        case 8 << 3 | 2: oneofNames.append(try reader.readDescriptor(NameOnly.self).name)
        default: try reader.skipValue(tag)
        }
    }
}

struct MessageOptions: DescriptorMessage {
    var mapEntry = false

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        if tag.rawValue == 7 << 3 | 0 {
            mapEntry = try reader.readVarint() != 0
        } else {
            try reader.skipValue(tag)
        }
    }
}

struct NameOnly: DescriptorMessage {
    var name = ""

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        if tag.rawValue == 1 << 3 | 2 {
            name = try reader.readString()
        } else {
            try reader.skipValue(tag)
        }
    }
}

public struct FieldDescriptor: Sendable, DescriptorMessage {
    /// `FieldDescriptorProto.Type`.
    public enum FieldType: Int, Sendable {
        case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes
        case uint32, `enum`, sfixed32, sfixed64, sint32, sint64
    }

    public enum Label: Int, Sendable {
        case optional = 1, required, repeated
    }

    public var name = ""
    public var number = 0
    public var label = Label.optional
    public var type = FieldType.int32
    public var typeName = ""
    public var defaultValue: String?
    public var oneofIndex: Int?
    public var jsonName = ""
    public var proto3Optional = false
    /// The `packed` option as written; nil when the file does not say.
    public var packedOption: Bool?
    public var isExtension = false

    public init() {}

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        switch tag.rawValue {
        case 1 << 3 | 2: name = try reader.readString()
        case 2 << 3 | 2:
            _ = try reader.readString()
            isExtension = true
        case 3 << 3 | 0: number = try reader.readInt()
        case 4 << 3 | 0: label = Label(rawValue: try reader.readInt()) ?? .optional
        case 5 << 3 | 0: type = FieldType(rawValue: try reader.readInt()) ?? .int32
        case 6 << 3 | 2: typeName = try reader.readString()
        case 7 << 3 | 2: defaultValue = try reader.readString()
        case 8 << 3 | 2: packedOption = try reader.readDescriptor(FieldOptions.self).packed
        case 9 << 3 | 0: oneofIndex = try reader.readInt()
        case 10 << 3 | 2: jsonName = try reader.readString()
        case 17 << 3 | 0: proto3Optional = try reader.readVarint() != 0
        default: try reader.skipValue(tag)
        }
    }
}

struct FieldOptions: DescriptorMessage {
    var packed: Bool?

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        if tag.rawValue == 2 << 3 | 0 {
            packed = try reader.readVarint() != 0
        } else {
            try reader.skipValue(tag)
        }
    }
}

public struct EnumDescriptor: Sendable, DescriptorMessage {
    public struct Value: Sendable, DescriptorMessage {
        public var name = ""
        public var number: Int32 = 0

        public init() {}

        mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
            switch tag.rawValue {
            case 1 << 3 | 2: name = try reader.readString()
            case 2 << 3 | 0: number = Int32(truncatingIfNeeded: try reader.readVarint())
            default: try reader.skipValue(tag)
            }
        }
    }

    public var name = ""
    public var values: [Value] = []

    public init() {}

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        switch tag.rawValue {
        case 1 << 3 | 2: name = try reader.readString()
        case 2 << 3 | 2: values.append(try reader.readDescriptor(Value.self))
        default: try reader.skipValue(tag)
        }
    }
}

public struct ServiceDescriptor: Sendable, DescriptorMessage {
    public struct Method: Sendable, DescriptorMessage {
        public var name = ""
        public var inputType = ""
        public var outputType = ""
        public var clientStreaming = false
        public var serverStreaming = false

        public init() {}

        mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
            switch tag.rawValue {
            case 1 << 3 | 2: name = try reader.readString()
            case 2 << 3 | 2: inputType = try reader.readString()
            case 3 << 3 | 2: outputType = try reader.readString()
            case 5 << 3 | 0: clientStreaming = try reader.readVarint() != 0
            case 6 << 3 | 0: serverStreaming = try reader.readVarint() != 0
            default: try reader.skipValue(tag)
            }
        }
    }

    public var name = ""
    public var methods: [Method] = []

    public init() {}

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        switch tag.rawValue {
        case 1 << 3 | 2: name = try reader.readString()
        case 2 << 3 | 2: methods.append(try reader.readDescriptor(Method.self))
        default: try reader.skipValue(tag)
        }
    }
}

/// A comment attached to an element, located by its descriptor path.
public struct SourceLocation: Sendable, DescriptorMessage {
    public var path: [Int32] = []
    public var leadingComments = ""
    public var trailingComments = ""

    public init() {}

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        switch tag.rawValue {
        case 1 << 3 | 2: try reader.readPacked(WireInt32.self, into: &path)
        case 1 << 3 | 0: path.append(try reader.read(WireInt32.self))
        case 3 << 3 | 2: leadingComments = try reader.readString()
        case 4 << 3 | 2: trailingComments = try reader.readString()
        default: try reader.skipValue(tag)
        }
    }
}

struct SourceCodeInfo: DescriptorMessage {
    var locations: [SourceLocation] = []

    mutating func decode(_ tag: FieldTag, _ reader: inout WireReader) throws(WireError) {
        if tag.rawValue == 1 << 3 | 2 {
            locations.append(try reader.readDescriptor(SourceLocation.self))
        } else {
            try reader.skipValue(tag)
        }
    }
}
