// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain
import ProtoWire

/// Turns `page_size`/`page_token` into a `PageRequest` and a `Page` back into `next_page_token`.
///
/// The token is opaque to clients: base64url of `v1:<position>:<filter digest>`. The digest binds a
/// token to the filters of the request that produced it, so reusing a token with other filters is
/// an INVALID_ARGUMENT instead of a silently wrong page.
public enum PageToken {
    /// Validates `pageSize` (0 → default, 1…1000) and decodes `token` for a list whose filters
    /// render as `filterKey`.
    public static func request(pageSize: Int32, token: String, filterKey: String) throws(DomainError) -> PageRequest {
        var validation = Validation()
        if pageSize < 0 || pageSize > Int32(Limits.maxPageSize) {
            validation.fail("page_size", "must be between 0 and \(Limits.maxPageSize) (got \(pageSize))")
        }
        var after: Int64?
        if !token.isEmpty {
            if let position = decode(token, filterKey: filterKey) {
                after = position
            } else {
                validation.fail("page_token", "is not a token from this list with these filters")
            }
        }
        try validation.check()
        return PageRequest(size: pageSize == 0 ? Limits.defaultPageSize : Int(pageSize), after: after)
    }

    /// The token for the page after `page`, or "" when it was the last.
    public static func next<T>(_ page: Page<T>, filterKey: String) -> String {
        guard let position = page.nextAfter else { return "" }
        return encode(position: position, filterKey: filterKey)
    }

    static func encode(position: Int64, filterKey: String) -> String {
        let text = "v1:\(position):\(digest(filterKey))"
        return Base64.encode(Array(text.utf8)).replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    static func decode(_ token: String, filterKey: String) -> Int64? {
        guard token.utf8.count <= 128 else { return nil }
        var standard = token.replacing("-", with: "+").replacing("_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        guard let bytes = Base64.decode(standard), let text = String(validating: bytes, as: UTF8.self) else {
            return nil
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let position = Int64(parts[1]), position >= 0,
            parts[2] == Substring(digest(filterKey))
        else { return nil }
        return position
    }

    /// FNV-1a 64 of the filter key in hex: not a secret, only a consistency check.
    private static func digest(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
