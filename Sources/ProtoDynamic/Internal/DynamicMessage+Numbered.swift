// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// Field access by number, for the well-known types whose layout is fixed by
/// `google/protobuf/*.proto` (Timestamp's `seconds` is field 1 wherever the pool came from).
extension DynamicMessage {
    func field(_ number: Int) -> FieldSchema? { schema.field(number: number) }

    /// The value of singular field `number`, or its zero when unset or absent from the schema.
    func get(_ number: Int) -> DynamicValue? {
        guard let field = field(number) else { return nil }
        return value(field)
    }

    func int64(_ number: Int) -> Int64 {
        if case .int64(let value) = get(number) { return value }
        return 0
    }

    func int32(_ number: Int) -> Int32 {
        if case .int32(let value) = get(number) { return value }
        return 0
    }

    /// Sets singular field `number` when the value fits it; well-known layouts guarantee it does.
    mutating func put(_ number: Int, _ value: DynamicValue) {
        guard let field = field(number), value.fits(field) else { return }
        store(value, in: field)
    }

    /// Appends to repeated field `number` when the value fits it.
    mutating func add(_ number: Int, _ value: DynamicValue) {
        guard let field = field(number), value.fits(field) else { return }
        appendUnchecked(value, to: field)
    }

    /// The elements of repeated field `number`.
    func list(_ number: Int) -> [DynamicValue] {
        guard let field = field(number) else { return [] }
        return values(field)
    }

    /// The message type of singular or repeated message field `number`.
    func messageSchema(_ number: Int) -> MessageSchema? {
        guard let field = field(number), case .message(let schema) = field.kind else { return nil }
        return schema
    }

    /// The message type a type URL names (`type.googleapis.com/google.rpc.BadRequest`), when the
    /// pool has it.
    func resolveTypeURL(_ url: String) -> MessageSchema? {
        let name = url.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? url
        return schema.storage.messageIndexByName[name].map { MessageSchema(storage: schema.storage, index: $0) }
    }
}

/// Converts between the field-path spellings of `google.protobuf.FieldMask`: `a_b.c` in the
/// message, `aB.c` in JSON.
enum FieldMaskText {
    static func toJSON(_ path: String) -> String {
        PoolBuilder.lowerCamel(path)
    }

    static func fromJSON(_ path: String) -> String {
        var result = ""
        for character in path {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
