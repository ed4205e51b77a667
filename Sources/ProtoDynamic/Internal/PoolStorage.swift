// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

import ProtoCompiler

/// The resolved, immutable tables behind a `DescriptorPool`.
///
/// Messages refer to each other by index rather than by reference, so recursive schemas (a
/// message that holds itself, two messages that hold each other) form no reference cycles and the
/// whole pool is freed with its last user. Every property is a `let` of a `Sendable` type, so the
/// class is `Sendable` without any unchecked promise.
final class PoolStorage: Sendable {
    struct MessageRecord: Sendable {
        let fullName: String
        let name: String
        let fileName: String
        let isProto3: Bool
        let isMapEntry: Bool
        /// Fields sorted by number: the order of encoding, JSON and readable output.
        let fields: [FieldRecord]
        let fieldIndexByNumber: [Int: Int]
        /// Field indices by proto name and by JSON name.
        let fieldIndexByName: [String: Int]
        /// Real oneofs only (not the synthetic ones of proto3 `optional`): name and field indices.
        let oneofs: [OneofRecord]
        let wellKnown: WellKnownType?
    }

    struct OneofRecord: Sendable {
        let name: String
        let fieldIndices: [Int]
    }

    struct FieldRecord: Sendable {
        let name: String
        let jsonName: String
        let number: Int
        let type: FieldDescriptor.FieldType
        let isRepeated: Bool
        /// Index of the message or enum type for message, group and enum fields; -1 otherwise.
        let typeIndex: Int
        /// Index into the message's real oneofs, or nil.
        let oneofIndex: Int?
        let hasPresence: Bool
        let isPacked: Bool
        let isMap: Bool
        let defaultValue: String?
    }

    struct EnumRecord: Sendable {
        let fullName: String
        let name: String
        let values: [EnumDescriptor.Value]
        /// Closed (proto2) enums reject numbers they do not name; open (proto3) enums keep them.
        let isClosed: Bool
        /// The conventional value prefix derived from the enum's name: `PpuSchema` → `PPU_SCHEMA_`.
        let valuePrefix: String
    }

    struct ServiceRecord: Sendable {
        let fullName: String
        let methods: [MethodRecord]
    }

    struct MethodRecord: Sendable {
        let name: String
        let inputIndex: Int
        let outputIndex: Int
        let clientStreaming: Bool
        let serverStreaming: Bool
    }

    let messages: [MessageRecord]
    let enums: [EnumRecord]
    let services: [ServiceRecord]
    let messageIndexByName: [String: Int]
    let enumIndexByName: [String: Int]
    let serviceIndexByName: [String: Int]
    let fileNames: [String]

    init(
        messages: [MessageRecord], enums: [EnumRecord], services: [ServiceRecord],
        messageIndexByName: [String: Int], enumIndexByName: [String: Int], serviceIndexByName: [String: Int],
        fileNames: [String]
    ) {
        self.messages = messages
        self.enums = enums
        self.services = services
        self.messageIndexByName = messageIndexByName
        self.enumIndexByName = enumIndexByName
        self.serviceIndexByName = serviceIndexByName
        self.fileNames = fileNames
    }
}

/// The well-known types whose JSON (and text) form is not the generic object form.
enum WellKnownType: Sendable, Hashable {
    case any, timestamp, duration, empty, fieldMask, structValue, value, listValue
    case doubleValue, floatValue, int64Value, uint64Value, int32Value, uint32Value, boolValue, stringValue, bytesValue

    init?(fullName: String) {
        switch fullName {
        case "google.protobuf.Any": self = .any
        case "google.protobuf.Timestamp": self = .timestamp
        case "google.protobuf.Duration": self = .duration
        case "google.protobuf.Empty": self = .empty
        case "google.protobuf.FieldMask": self = .fieldMask
        case "google.protobuf.Struct": self = .structValue
        case "google.protobuf.Value": self = .value
        case "google.protobuf.ListValue": self = .listValue
        case "google.protobuf.DoubleValue": self = .doubleValue
        case "google.protobuf.FloatValue": self = .floatValue
        case "google.protobuf.Int64Value": self = .int64Value
        case "google.protobuf.UInt64Value": self = .uint64Value
        case "google.protobuf.Int32Value": self = .int32Value
        case "google.protobuf.UInt32Value": self = .uint32Value
        case "google.protobuf.BoolValue": self = .boolValue
        case "google.protobuf.StringValue": self = .stringValue
        case "google.protobuf.BytesValue": self = .bytesValue
        default: return nil
        }
    }

    var isWrapper: Bool {
        switch self {
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            true
        default: false
        }
    }
}
