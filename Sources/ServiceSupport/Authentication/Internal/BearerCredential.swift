// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain

/// What an `authorization` header value holds: a bearer token, a malformed bearer credential, or
/// a scheme the server does not take.
///
/// RFC 7235 syntax: a case-insensitive scheme, one or more spaces, then the credential; spaces
/// around the whole value are ignored. The token itself must be exactly `KEY-dddd-dddd.<secret>`.
enum BearerCredential {
    case token(APIKeyToken)
    case malformed
    case unsupportedScheme

    init(headerValue: String) {
        let bytes = Array(headerValue.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }),
            let end = bytes.lastIndex(where: { !isSpace($0) })
        else {
            self = .malformed
            return
        }
        let value = bytes[start...end]
        let schemeEnd = value.firstIndex(where: isSpace) ?? value.endIndex
        let scheme = String(decoding: value[..<schemeEnd], as: UTF8.self)
        guard scheme.lowercased() == "bearer" else {
            // A bare token without a scheme is a malformed bearer credential, not another scheme.
            self = APIKeyToken(parsing: scheme) != nil ? .malformed : .unsupportedScheme
            return
        }
        guard let tokenStart = value[schemeEnd...].firstIndex(where: { !isSpace($0) }) else {
            self = .malformed
            return
        }
        let tokenBytes = value[tokenStart...]
        guard !tokenBytes.contains(where: isSpace),
            let token = APIKeyToken(parsing: String(decoding: tokenBytes, as: UTF8.self))
        else {
            self = .malformed
            return
        }
        self = .token(token)
    }
}
