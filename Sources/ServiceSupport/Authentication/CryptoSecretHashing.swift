// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Crypto
import Domain

/// The credentials' cryptography over the Crypto module: OpenSSL's SHA-256, random generator and
/// `CRYPTO_memcmp`.
///
/// The domain states what it needs as `SecretHashing` and imports nothing of ours; this is the one
/// implementation the server uses.
public struct CryptoSecretHashing: SecretHashing {
    public init() {}

    public func sha256(_ bytes: [UInt8]) -> [UInt8] {
        SHA256.hash(bytes)
    }

    public func randomBytes(_ count: Int) throws -> [UInt8] {
        try SecureRandom.bytes(count: count)
    }

    public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        Crypto.constantTimeEquals(lhs, rhs)
    }
}
