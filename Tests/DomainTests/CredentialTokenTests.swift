// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// Bearer tokens, `KEY-dddd-dddd.<43 base64url characters>`: strict parsing, hidden secrets, and
// how a token proves a stored key.

@Suite struct CredentialTokenTests {
    static let secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    @Test func parsesAWellFormedToken() throws {
        let token = try #require(APIKeyToken(parsing: "KEY-1234-5678." + Self.secret))
        #expect(token.keyID == "KEY-1234-5678")
        #expect(token.secret == Self.secret)
        #expect(token.text == "KEY-1234-5678." + Self.secret)
    }

    @Test func everyBase64URLCharacterIsAllowed() throws {
        let secret = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn-_0"
        #expect(APIKeyToken(parsing: "KEY-0000-0000." + secret)?.secret == secret)
    }

    static let malformed: [String] = [
        "",
        ".",
        "KEY-1234-5678",
        "KEY-1234-5678.",
        "." + secret,
        "KEY-1234-5678" + secret,
        "KEY-1234-5678." + String(secret.dropLast()),
        "KEY-1234-5678." + secret + "A",
        "KEY-1234-5678." + secret + ".",
        "KEY-1234-5678.." + String(secret.dropLast()),
        "key-1234-5678." + secret,
        "KEY-123-5678." + secret,
        "KEY-12345-678." + secret,
        "KEY-1234-567a." + secret,
        "KEY_1234_5678." + secret,
        "VA-123-456." + secret,
        " KEY-1234-5678." + secret,
        "KEY-1234-5678 ." + secret,
        "KEY-1234-5678. " + String(secret.dropLast()),
        "KEY-1234-5678." + String(secret.dropLast()) + "=",
        "KEY-1234-5678." + String(secret.dropLast()) + "+",
        "KEY-1234-5678." + String(secret.dropLast()) + "/",
        "KEY-1234-5678." + String(secret.dropLast()) + "é",
        "Bearer KEY-1234-5678." + secret,
    ]

    @Test("malformed tokens are refused before any lookup", arguments: malformed)
    func malformedTokens(_ text: String) {
        #expect(APIKeyToken(parsing: text) == nil)
    }

    @Test("descriptions never show the secret")
    func descriptionsHideTheSecret() throws {
        let token = try #require(APIKeyToken(parsing: "KEY-1234-5678." + Self.secret))
        #expect(token.description == "KEY-1234-5678.<secret>")
        #expect(!"\(token)".contains(Self.secret))
        #expect(!String(reflecting: token).contains(Self.secret))
    }

    @Test("a token matches only its own, valid key with the same secret hash")
    func matching() throws {
        let hashing = CredentialHashing()
        let token = try #require(APIKeyToken(parsing: "KEY-1234-5678." + Self.secret))
        let key = APIKey(
            id: "KEY-1234-5678", accountID: "operator", role: .operator, scope: .full, name: "",
            secretHash: hashing.sha256(Array(Self.secret.utf8)), createdAt: Timestamp(secondsSinceEpoch: 0))
        #expect(token.secretHash(using: hashing) == key.secretHash)
        #expect(token.matches(key, using: hashing))
        var otherID = key
        otherID.id = "KEY-1234-5679"
        #expect(!token.matches(otherID, using: hashing))
        var revoked = key
        revoked.revokedAt = Timestamp(secondsSinceEpoch: 1)
        #expect(!token.matches(revoked, using: hashing))
        var otherHash = key
        otherHash.secretHash = hashing.sha256(Array("another".utf8))
        #expect(!token.matches(otherHash, using: hashing))
        var plainSecret = key
        plainSecret.secretHash = Array(Self.secret.utf8)
        #expect(!token.matches(plainSecret, using: hashing))
    }
}
