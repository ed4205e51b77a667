// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// One message type of a `DescriptorPool`: its name, fields and oneofs.
///
/// A small value (the pool's storage and an index), so schemas can be passed around, stored in
/// every `DynamicMessage` and compared cheaply. Two schemas are equal when they are the same
/// type of the same pool.
public struct MessageSchema: Sendable, Hashable, CustomStringConvertible {
    let storage: PoolStorage
    let index: Int

    init(storage: PoolStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    var record: PoolStorage.MessageRecord { storage.messages[index] }

    /// The fully-qualified name without a leading dot, such as `grpc.testing.SimpleRequest`.
    public var fullName: String { record.fullName }

    /// The name within its scope, such as `SimpleRequest`.
    public var name: String { record.name }

    /// The `.proto` file that defines the message.
    public var fileName: String { record.fileName }

    /// Whether the message is the synthetic entry type of a map field.
    public var isMapEntry: Bool { record.isMapEntry }

    /// The fields in field-number order.
    public var fields: [FieldSchema] {
        record.fields.indices.map { FieldSchema(storage: storage, messageIndex: index, fieldIndex: $0) }
    }

    /// The field with a number.
    public func field(number: Int) -> FieldSchema? {
        record.fieldIndexByNumber[number].map { FieldSchema(storage: storage, messageIndex: index, fieldIndex: $0) }
    }

    /// The field with a proto name (`response_size`) or JSON name (`responseSize`).
    public func field(named name: String) -> FieldSchema? {
        record.fieldIndexByName[name].map { FieldSchema(storage: storage, messageIndex: index, fieldIndex: $0) }
    }

    /// The real oneofs (the synthetic oneof of a proto3 `optional` field is not listed).
    public var oneofs: [OneofSchema] {
        record.oneofs.indices.map { OneofSchema(storage: storage, messageIndex: index, oneofIndex: $0) }
    }

    var wellKnown: WellKnownType? { record.wellKnown }

    public var description: String { fullName }

    public static func == (lhs: MessageSchema, rhs: MessageSchema) -> Bool {
        lhs.storage === rhs.storage && lhs.index == rhs.index
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(index)
    }
}
