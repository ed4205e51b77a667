// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A bearer token, `KEY-dddd-dddd.<secret>`: an API key's public id, a dot, and 32 random bytes
/// as 43 characters of unpadded base64url.
///
/// The id comes first so the server finds the key with one indexed lookup instead of hashing
/// against every stored key; only SHA-256 of the secret is stored, so a copy of the database
/// authenticates nobody. Parsing is strict (exact id format, exact secret length and alphabet):
/// anything else is malformed before any lookup, which keeps junk away from the store.
///
/// Descriptions never show the secret, so a token interpolated into a log line leaks nothing.
public struct APIKeyToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Random bytes in a secret: 256 bits.
    public static let secretByteCount = 32
    /// Characters of the encoded secret: 32 bytes in unpadded base64url.
    public static let secretLength = 43

    /// `KEY-dddd-dddd`.
    public let keyID: String
    /// The encoded secret; only the reply that issues a key shows it.
    public let secret: String

    /// The token `text` spells, or nil when it is malformed: no dot, an id that is not
    /// `KEY-dddd-dddd`, or a secret that is not 43 base64url characters.
    public init?(parsing text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let id = utf8[..<dot]
        let secret = utf8[(dot + 1)...]
        guard IdentifierKind.apiKey.matches(String(decoding: id, as: UTF8.self)),
            secret.count == Self.secretLength, secret.allSatisfy(Self.isBase64URL)
        else { return nil }
        self.keyID = String(decoding: id, as: UTF8.self)
        self.secret = String(decoding: secret, as: UTF8.self)
    }

    /// A token for `keyID` with a secret encoding `secretBytes` (exactly `secretByteCount` bytes).
    init(keyID: String, secretBytes: [UInt8]) {
        precondition(secretBytes.count == Self.secretByteCount, "a secret of the wrong length")
        self.keyID = keyID
        self.secret = Self.base64URL(secretBytes)
    }

    /// What a client sends after `Bearer `: `KEY-dddd-dddd.<secret>`.
    public var text: String { keyID + "." + secret }

    /// What the store keeps of the secret: SHA-256 of its encoded text.
    public func secretHash(using hashing: any SecretHashing) -> [UInt8] {
        hashing.sha256(Array(secret.utf8))
    }

    /// Whether this token proves possession of `key`: the same id, a key not revoked, and a
    /// secret whose hash equals the stored one (compared in constant time).
    public func matches(_ key: APIKey, using hashing: any SecretHashing) -> Bool {
        guard key.id == keyID, !key.isRevoked else { return false }
        return hashing.constantTimeEquals(secretHash(using: hashing), key.secretHash)
    }

    public var description: String { "\(keyID).<secret>" }
    public var debugDescription: String { description }

    // MARK: Encoding

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    /// Unpadded base64url (RFC 4648 §5): printable, and safe in a header and on a command line.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            if remaining > 1 { output.append(alphabet[Int(group >> 6 & 0x3F)]) }
            if remaining > 2 { output.append(alphabet[Int(group & 0x3F)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
