// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Crypto
import Domain
import ProtoWire

/// The resume cursor of an export (and the page token of a reseller's record list): where the
/// last delivered record stands in the export order, bound to the filter and the caller.
///
/// Opaque to clients: base64url of `x1:<file order>:<position>:<binding>`, where the binding is
/// the first 8 bytes of SHA-256 over the caller and the filter's canonical form. A cursor is not
/// a secret — it only names a position the caller already received — but the binding makes a
/// cursor replayed with another filter or by another caller an INVALID_ARGUMENT rather than a
/// silently wrong continuation.
public enum ExportCursor {
    /// The cursor continuing after `position` for the list `binding` describes.
    public static func encode(_ position: ExportedRecord.Position, binding: String) -> String {
        let text = "x1:\(position.fileOrder):\(position.position):\(digest(binding))"
        return Base64.encode(Array(text.utf8)).replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// The position `cursor` continues after: nil for an empty cursor (start at the beginning);
    /// INVALID_ARGUMENT under `field` for anything that is not a cursor of this list and caller.
    public static func decode(
        _ cursor: String, binding: String, field: String, into validation: inout Validation
    ) -> ExportedRecord.Position? {
        guard !cursor.isEmpty else { return nil }
        guard let position = parse(cursor, binding: binding) else {
            validation.fail(field, "is not a cursor of this export: resume with the same filter, as the same caller")
            return nil
        }
        return position
    }

    /// What binds a cursor: the caller and everything that selects the records.
    public static func binding(tenant: Tenant, list: String, filter: RecordFilter, extra: String = "") -> String {
        "\(list)|\(tenant.role.rawValue)|\(tenant.actor)|\(filter.canonicalKey)|\(extra)"
    }

    static func parse(_ cursor: String, binding: String) -> ExportedRecord.Position? {
        guard cursor.utf8.count <= 160 else { return nil }
        var standard = cursor.replacing("-", with: "+").replacing("_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        guard let bytes = Base64.decode(standard), let text = String(validating: bytes, as: UTF8.self) else {
            return nil
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "x1", let order = Int64(parts[1]), order >= 0,
            let position = Int64(parts[2]), position >= 0, parts[3] == Substring(digest(binding))
        else { return nil }
        return ExportedRecord.Position(fileOrder: order, position: position)
    }

    private static func digest(_ binding: String) -> String {
        SHA256.hash(Array(binding.utf8)).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
