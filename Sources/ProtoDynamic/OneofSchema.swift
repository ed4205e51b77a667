// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// A oneof of a message: a set of fields of which at most one is set.
///
/// Listed so a caller can ask which member a message holds (`DynamicMessage.setField(in:)`) and
/// so JSON input can reject two members given at once; the synthetic oneof protoc makes for a
/// proto3 `optional` field is not one of these.
public struct OneofSchema: Sendable, Hashable {
    let storage: PoolStorage
    let messageIndex: Int
    let oneofIndex: Int

    var record: PoolStorage.OneofRecord { storage.messages[messageIndex].oneofs[oneofIndex] }

    public var name: String { record.name }

    /// The member fields in field-number order.
    public var fields: [FieldSchema] {
        record.fieldIndices.map { FieldSchema(storage: storage, messageIndex: messageIndex, fieldIndex: $0) }
    }

    public static func == (lhs: OneofSchema, rhs: OneofSchema) -> Bool {
        lhs.storage === rhs.storage && lhs.messageIndex == rhs.messageIndex && lhs.oneofIndex == rhs.oneofIndex
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(storage))
        hasher.combine(messageIndex)
        hasher.combine(oneofIndex)
    }
}
